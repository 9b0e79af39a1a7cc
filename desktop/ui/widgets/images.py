"""A destination's images: paths or URLs with thumbnails, added, removed and reordered.

Thumbnails never block the window: local files are read and scaled by a worker
(``QImageReader`` with a scaled size, so a 40-megapixel photo is never decoded
whole), web images are fetched with ``QNetworkAccessManager`` with a timeout
and decoded by a worker. Anything that cannot be shown (a missing file, a
dead link, not an image) quietly gets the placeholder.
"""

from __future__ import annotations

import logging
from pathlib import Path

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QIcon,
    QImage,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
)
from PySide6.QtNetwork import QNetworkAccessManager, QNetworkReply, QNetworkRequest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from desktop.ui.app_state import settings
from desktop.ui.ops import run_op
from desktop.ui.widgets.forms import FieldMessage
from desktop.ui.widgets.thumbnails import (
    THUMBNAIL,
    decode_thumbnail,
    is_remote,
    placeholder_icon,
    read_local_thumbnail,
)

log = logging.getLogger(__name__)

REMOTE_TIMEOUT_MS = 10_000
REMOTE_MAX_BYTES = 20 * 1024 * 1024  # a thumbnail is not worth downloading more than this
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 1  # the path or URL as typed
STATE_ROLE = Qt.ItemDataRole.UserRole + 2  # "loading", "loaded" or "failed"

LOADING, LOADED, FAILED = "loading", "loaded", "failed"
IMAGE_FILTER = "*.png *.jpg *.jpeg *.webp *.gif *.bmp *.svg"
_LAST_FOLDER_KEY = "images/last_folder"


def tr(text: str) -> str:
    return QCoreApplication.translate("ImageList", text)


class _SourceInput(QLineEdit):
    """Enter adds what is typed (instead of pressing the dialog's default button)."""

    commit = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.text().strip():
            self.commit.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class _ImageList(QListWidget):
    delete_pressed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.empty_text = ""

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.count() or not self.empty_text:
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(
            self.viewport().rect().adjusted(12, 12, -12, -12),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            self.empty_text,
        )
        painter.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete and self.currentItem() is not None:
            self.delete_pressed.emit()
            return
        super().keyPressEvent(event)


class ImageListEditor(QWidget):
    """Ordered image paths or URLs; the first is the destination's main picture."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageListEditor")
        self._read_only = False
        self._thumbnails: dict[str, QImage | None] = {}  # source -> image (None: failed)
        self._pending: set[str] = set()
        self._network: QNetworkAccessManager | None = None
        self._placeholder = placeholder_icon()

        self.list = _ImageList()
        self.list.setObjectName("imageList")
        self.list.setIconSize(THUMBNAIL)
        self.list.setSpacing(2)
        self.list.setUniformItemSizes(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setMinimumHeight(THUMBNAIL.height() * 2 + 24)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.model().rowsMoved.connect(lambda *_args: self._order_changed())
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.list.delete_pressed.connect(self.remove_current)
        self.list.empty_text = tr(
            "No pictures yet. Paste a web address or a file path below, or choose files with "
            "Browse…. The first picture is the one customers see first."
        )

        self.browse_button = QPushButton(tr("&Browse…"))
        self.browse_button.setObjectName("browseImages")
        self.browse_button.setToolTip(tr("Choose image files on this computer"))
        self.browse_button.clicked.connect(self.browse)
        self.remove_button = QPushButton(tr("Re&move"))
        self.remove_button.setObjectName("removeImage")
        self.remove_button.clicked.connect(self.remove_current)
        self.up_button = QPushButton(tr("Move &up"))
        self.up_button.setObjectName("moveImageUp")
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button = QPushButton(tr("Move do&wn"))
        self.down_button.setObjectName("moveImageDown")
        self.down_button.clicked.connect(lambda: self.move_current(1))

        self.input = _SourceInput()
        self.input.setObjectName("imageInput")
        self.input.setPlaceholderText(tr("Paste an image URL or a file path, then press Enter"))
        self.input.setClearButtonEnabled(True)
        self.input.commit.connect(self.add_typed)
        self.input.textChanged.connect(lambda _text: self._input_changed())
        self.add_button = QPushButton(tr("&Add"))
        self.add_button.setObjectName("addImage")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_typed)
        self.input_message = FieldMessage()

        for button in (self.browse_button, self.remove_button, self.up_button, self.down_button):
            button.setAutoDefault(False)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.list, 0, 0, 5, 1)
        grid.addWidget(self.browse_button, 0, 1)
        grid.addWidget(self.remove_button, 1, 1)
        grid.addWidget(self.up_button, 2, 1)
        grid.addWidget(self.down_button, 3, 1)
        grid.setRowStretch(4, 1)
        grid.addWidget(self.input, 5, 0)
        grid.addWidget(self.add_button, 5, 1)
        grid.addWidget(self.input_message, 6, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        self._update_buttons()

    # -- reading and writing -------------------------------------------------------

    def images(self) -> list[str]:
        return [self.list.item(i).data(SOURCE_ROLE) for i in range(self.list.count())]

    def set_images(self, sources: list[str] | tuple[str, ...]) -> None:
        self.list.clear()
        for source in sources:
            self._append(source)
        self._update_buttons()
        self.changed.emit()

    def add_image(self, source: str) -> bool:
        """Append one path or URL; False when it is blank or already listed."""
        source = source.strip()
        if not source or source in self.images():
            return False
        self._append(source)
        self.list.setCurrentRow(self.list.count() - 1)
        self._update_buttons()
        self.changed.emit()
        return True

    def setFocus(self, reason: Qt.FocusReason = Qt.FocusReason.OtherFocusReason) -> None:
        """To the text field, or the list when read-only.

        Not a focus proxy: a proxy pulls Tab out of the dialog's order.
        """
        (self.list if self._read_only else self.input).setFocus(reason)

    def tab_chain(self) -> list[QWidget]:
        """Its focusable parts in the order Tab visits them (the dialog links them in)."""
        return [
            self.input,
            self.add_button,
            self.list,
            self.browse_button,
            self.remove_button,
            self.up_button,
            self.down_button,
        ]

    def thumbnail_state(self, row: int) -> str:
        item = self.list.item(row)
        return str(item.data(STATE_ROLE)) if item is not None else ""

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for widget in (
            self.browse_button,
            self.remove_button,
            self.up_button,
            self.down_button,
            self.input,
            self.add_button,
        ):
            widget.setVisible(not read_only)
        self.input_message.show_problem(None)
        self.list.empty_text = tr("No pictures.") if read_only else self.list.empty_text
        self.list.setDragDropMode(
            QAbstractItemView.DragDropMode.NoDragDrop
            if read_only
            else QAbstractItemView.DragDropMode.InternalMove
        )

    # -- actions -------------------------------------------------------------------

    def add_typed(self) -> None:
        text = self.input.text().strip()
        if not text:
            return
        problem = self._source_problem(text)
        if problem:
            self.input_message.show_problem(problem)
            return
        if text in self.images():
            self.input_message.show_problem(tr("This image is already in the list."))
            self.list.setCurrentRow(self.images().index(text))
            return
        self.add_image(text)
        self.input.clear()

    def browse(self) -> None:
        folder = settings().value(_LAST_FOLDER_KEY, "")
        dialog = QFileDialog(
            self,
            tr("Choose images"),
            folder if isinstance(folder, str) else "",
            tr("Images ({0});;All files (*)").format(IMAGE_FILTER),
        )
        dialog.setObjectName("chooseImages")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.filesSelected.connect(self._files_chosen)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.open()

    def remove_current(self) -> None:
        row = self.list.currentRow()
        if row < 0 or self._read_only:
            return
        self.list.takeItem(row)
        self._update_buttons()
        self.changed.emit()

    def move_current(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count() or self._read_only:
            return
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.setCurrentRow(target)
        self._order_changed()

    # -- internals -------------------------------------------------------------------

    def _files_chosen(self, paths: list[str]) -> None:
        for path in paths:
            self.add_image(path)
        if paths:
            settings().setValue(_LAST_FOLDER_KEY, str(Path(paths[0]).parent))

    def _source_problem(self, text: str) -> str | None:
        if is_remote(text):
            url = QUrl(text, QUrl.ParsingMode.StrictMode)
            if not url.isValid() or not url.host():
                return tr("This web address is not complete; it should look like {0}.").format(
                    "https://example.com/villa.jpg"
                )
        elif "://" in text and not text.lower().startswith("file:"):
            return tr("Use an http:// or https:// address, or a file path.")
        return None

    def _input_changed(self) -> None:
        self.input_message.show_problem(None)

    def _order_changed(self) -> None:
        self._update_buttons()
        self.changed.emit()

    def _update_buttons(self) -> None:
        row = self.list.currentRow()
        count = self.list.count()
        self.remove_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < count - 1)

    def _append(self, source: str) -> None:
        item = QListWidgetItem(source)
        item.setData(SOURCE_ROLE, source)
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )
        self.list.addItem(item)
        self._show_thumbnail(item, source)

    def _items_for(self, source: str) -> list[QListWidgetItem]:
        return [
            self.list.item(i)
            for i in range(self.list.count())
            if self.list.item(i).data(SOURCE_ROLE) == source
        ]

    def _show_thumbnail(self, item: QListWidgetItem, source: str) -> None:
        if source in self._thumbnails:
            self._apply(item, source, self._thumbnails[source])
            return
        item.setIcon(self._placeholder)
        item.setData(STATE_ROLE, LOADING)
        item.setToolTip(tr("{0}\nLoading the preview…").format(source))
        if source in self._pending:
            return
        self._pending.add(source)
        if is_remote(source):
            self._download(source)
        else:
            self._read(source)

    def _apply(self, item: QListWidgetItem, source: str, image: QImage | None) -> None:
        if image is None:
            item.setIcon(self._placeholder)
            item.setData(STATE_ROLE, FAILED)
            item.setToolTip(tr("{0}\nNo preview: the image could not be loaded.").format(source))
        else:
            item.setIcon(QIcon(QPixmap.fromImage(image)))
            item.setData(STATE_ROLE, LOADED)
            item.setToolTip(source)

    def _loaded(self, source: str, image: QImage | None) -> None:
        if not shiboken6.isValid(self):
            return  # the editor was closed while the preview was on its way
        self._pending.discard(source)
        self._thumbnails[source] = image
        for item in self._items_for(source):
            self._apply(item, source, image)

    def _read(self, source: str) -> None:
        def failed(exc: BaseException) -> None:
            log.info("No preview of %s: %s", source, exc)
            self._loaded(source, None)

        run_op(
            lambda: read_local_thumbnail(source),
            lambda image: self._loaded(source, image),
            on_failed=failed,
        )

    def _download(self, source: str) -> None:
        if self._network is None:
            self._network = QNetworkAccessManager(self)
        request = QNetworkRequest(QUrl(source))
        request.setTransferTimeout(REMOTE_TIMEOUT_MS)
        request.setAttribute(
            QNetworkRequest.Attribute.RedirectPolicyAttribute,
            QNetworkRequest.RedirectPolicy.NoLessSafeRedirectPolicy,
        )
        reply = self._network.get(request)

        def progress(received: int, _total: int) -> None:
            if received > REMOTE_MAX_BYTES:
                reply.abort()

        def finished() -> None:
            reply.deleteLater()
            if not shiboken6.isValid(self):
                return
            if reply.error() != QNetworkReply.NetworkError.NoError:
                log.info("No preview of %s: %s", source, reply.errorString())
                self._loaded(source, None)
                return
            data = reply.readAll()
            run_op(
                lambda: decode_thumbnail(data),
                lambda image: self._loaded(source, image),
                on_failed=lambda _exc: self._loaded(source, None),
            )

        reply.downloadProgress.connect(progress)
        reply.finished.connect(finished)

"""A destination's pictures with thumbnails: added, removed and reordered.

A picture file a person adds (Browse…, or a path typed or pasted) is read,
decoded whole by ``QImageReader`` to prove it is a picture, and stored in the
database through the image service; the list then holds its reference
``db-image:<sha256>``, which every workstation can show. Web addresses
(``https://…``, as other clients write them) are kept as they are. What cannot
be stored is refused under the field, saying why and what to do; nothing is
scaled. File paths saved by older versions show as "not available on this
computer", with Re-add… to store the picture in their place.

Thumbnails never block the window: stored pictures are read and decoded by a
worker, web pictures fetched with ``QNetworkAccessManager`` (with a timeout)
and decoded by a worker, and kept in the session's cache. What cannot be shown
(offline, a dead link) gets the placeholder; stored pictures are read again
when the connection comes back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QLocale, Qt, QUrl, Signal
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

from desktop.domain.errors import BackOfficeError, DatabaseUnavailable, ValidationError
from desktop.domain.images import (
    FIELD,
    MAX_IMAGE_BYTES,
    StoredImage,
    is_web_address,
    reference_digest,
)
from desktop.ui.app_state import settings
from desktop.ui.errors import describe
from desktop.ui.live import connection
from desktop.ui.ops import run_op
from desktop.ui.session import Session
from desktop.ui.widgets.forms import FieldMessage
from desktop.ui.widgets.thumbnails import (
    STORABLE_FORMATS,
    THUMBNAIL,
    decode_bytes,
    decode_thumbnail,
    local_path,
    picture_format,
    placeholder_icon,
    thumbnail_cache,
)

log = logging.getLogger(__name__)

REMOTE_TIMEOUT_MS = 10_000
REMOTE_MAX_BYTES = 20 * 1024 * 1024  # a thumbnail is not worth downloading more than this
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 1  # the reference, URL or old path, as stored
STATE_ROLE = Qt.ItemDataRole.UserRole + 2  # LOADING, LOADED, FAILED or UNAVAILABLE

LOADING, LOADED, FAILED = "loading", "loaded", "failed"
UNAVAILABLE = "unavailable"  # a file path an older version saved: no workstation can share it
IMAGE_FILTER = "*.jpg *.jpeg *.png *.gif *.webp"
_LAST_FOLDER_KEY = "images/last_folder"


def tr(text: str) -> str:
    return QCoreApplication.translate("ImageList", text)


# A stored picture's caption, by reference: it never changes, so every editor shares them.
_captions: dict[str, str] = {}


class PictureRefused(Exception):
    """A file that cannot be stored, with what to tell the person."""


def data_size(size: int, decimals: int) -> str:
    """ "240 KB", "10.4 MB": counted in 1024s, as the limit is, with the names people know."""
    return QLocale().formattedDataSize(
        size, decimals, QLocale.DataSizeFormat.DataSizeTraditionalFormat
    )


def stored_caption(image: StoredImage) -> str:
    """What a stored picture's entry says: its format, size in pixels and in bytes."""
    return tr("{0} picture · {1} × {2} · {3}").format(  # noqa: RUF001 - the multiplication sign
        image.format_name,
        image.width,
        image.height,
        data_size(image.byte_size, 0),
    )


def read_picture_file(path: Path) -> tuple[bytes, QImage | None]:
    """Runs on a worker: the file's bytes, if it is a picture that can be stored, and its
    thumbnail. ``PictureRefused`` says why not (checked here before the service checks it
    again: a file is read only when its size allows, and decoded whole)."""
    name = path.name or str(path)
    if not path.is_file():
        raise PictureRefused(
            tr(
                "There is no file at “{0}”. Paste a web address (https://…) or the path of a "
                "picture file, or choose files with Browse…."
            ).format(str(path))
        )
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise PictureRefused(
            tr(
                "{0} is {1}; at most {2} can be stored. Make it smaller in an image editor "
                "(fewer pixels or more compression), then add it again."
            ).format(
                name,
                data_size(size, 1),
                data_size(MAX_IMAGE_BYTES, 0),
            )
        )
    data = path.read_bytes()
    found, thumbnail = picture_format(data)
    if found not in STORABLE_FORMATS:
        raise PictureRefused(
            tr(
                "{0} is not a picture that can be stored: choose a JPEG, PNG, GIF or WebP file."
            ).format(name)
        )
    if thumbnail is None:
        raise PictureRefused(
            tr(
                "{0} is damaged or cut off and cannot be shown. Open it in an image editor, "
                "save it again, and add that file."
            ).format(name)
        )
    return data, thumbnail


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
    """The destination's pictures in order; the first is its main picture."""

    changed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageListEditor")
        self.session = session
        self._read_only = False
        self._failed: set[str] = set()  # sources that could not be shown (this editor)
        self._pending: set[str] = set()
        self._storing = 0  # picture files on their way into the database
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
            "No pictures yet. Choose picture files with Browse…, or paste a web address or a "
            "file path below. The first picture is the one customers see first."
        )

        self.browse_button = QPushButton(tr("&Browse…"))
        self.browse_button.setObjectName("browseImages")
        self.browse_button.setToolTip(
            tr("Choose picture files on this computer; they are stored in the database")
        )
        self.browse_button.clicked.connect(self.browse)
        self.readd_button = QPushButton(tr("Re-&add…"))
        self.readd_button.setObjectName("readdImage")
        self.readd_button.setToolTip(
            tr("Choose the file again: it is stored in the database, in this picture's place")
        )
        self.readd_button.clicked.connect(self.readd_current)
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
        self.input.setPlaceholderText(
            tr("Paste a picture's web address or file path, then press Enter")
        )
        self.input.setClearButtonEnabled(True)
        self.input.commit.connect(self.add_typed)
        self.input.textChanged.connect(lambda _text: self._input_changed())
        self.add_button = QPushButton(tr("&Add"))
        self.add_button.setObjectName("addImage")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_typed)
        self.input_message = FieldMessage()
        self.input_message.setObjectName("imageProblem")

        for button in (
            self.browse_button,
            self.readd_button,
            self.remove_button,
            self.up_button,
            self.down_button,
        ):
            button.setAutoDefault(False)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.list, 0, 0, 6, 1)
        grid.addWidget(self.browse_button, 0, 1)
        grid.addWidget(self.readd_button, 1, 1)
        grid.addWidget(self.remove_button, 2, 1)
        grid.addWidget(self.up_button, 3, 1)
        grid.addWidget(self.down_button, 4, 1)
        grid.setRowStretch(5, 1)
        grid.addWidget(self.input, 6, 0)
        grid.addWidget(self.add_button, 6, 1)
        grid.addWidget(self.input_message, 7, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        # Back online: what could not be read from the database is read again.
        connection().online_changed.connect(self._online_changed)
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
        """Append a reference or web address as it is; False when blank or already listed."""
        source = source.strip()
        if not source or source in self.images():
            return False
        self._append(source)
        self.list.setCurrentRow(self.list.count() - 1)
        self._update_buttons()
        self.changed.emit()
        return True

    @property
    def storing(self) -> bool:
        """Picture files are on their way into the database (saving waits for them)."""
        return self._storing > 0

    def problem(self) -> str:
        """What is said under the field now ("" when nothing)."""
        return "" if self.input_message.isHidden() else self.input_message.text()

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
            self.readd_button,
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
            self.readd_button,
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
        """A web address is kept as typed; a file path is stored in the database."""
        text = self.input.text().strip()
        if not text or self._read_only:
            return
        if is_web_address(text) or reference_digest(text) is not None:
            problem = self._address_problem(text)
            if problem:
                self.input_message.show_problem(problem)
                return
            if text in self.images():
                self.input_message.show_problem(tr("This picture is in the list already."))
                self.list.setCurrentRow(self.images().index(text))
                return
            self.add_image(text)
            self.input.clear()
            return
        if "://" in text and not text.lower().startswith("file:"):
            self.input_message.show_problem(
                tr("Use a web address starting with https:// or http://, or a file path.")
            )
            return
        self._store_files([local_path(text)], clear_input=True)

    def browse(self) -> None:
        self._choose_files(self.store_files, several=True)

    def readd_current(self) -> None:
        """Store the picture again from a file, in the selected entry's place."""
        row = self.list.currentRow()
        if row < 0 or self._read_only:
            return
        source = self.images()[row]
        folder = str(local_path(source).parent) if self._is_old_path(source) else None

        def chosen(paths: list[Path]) -> None:
            if paths:
                self._store_files(paths[:1], replace=source)

        self._choose_files(chosen, several=False, folder=folder)

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

    # -- storing picture files ---------------------------------------------------------

    def _choose_files(
        self, then: Callable[[list[Path]], None], *, several: bool, folder: str | None = None
    ) -> None:
        remembered = settings().value(_LAST_FOLDER_KEY, "")
        start = folder or (remembered if isinstance(remembered, str) else "")
        dialog = QFileDialog(
            self,
            tr("Choose pictures") if several else tr("Choose the picture"),
            start,
            tr("Pictures ({0});;All files (*)").format(IMAGE_FILTER),
        )
        dialog.setObjectName("chooseImages")
        dialog.setFileMode(
            QFileDialog.FileMode.ExistingFiles if several else QFileDialog.FileMode.ExistingFile
        )

        def selected(names: list[str]) -> None:
            if names:
                settings().setValue(_LAST_FOLDER_KEY, str(Path(names[0]).parent))
            then([Path(name) for name in names])

        dialog.filesSelected.connect(selected)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.open()

    def store_files(self, paths: list[Path]) -> None:
        """Store picture files in the database and list them (what Browse… does once chosen)."""
        self._store_files(paths)

    def _store_files(
        self, paths: list[Path], *, replace: str | None = None, clear_input: bool = False
    ) -> None:
        office, actor = self.session.office, self.session.actor
        self.input_message.show_problem(None)
        for path in paths:
            self._storing += 1

            def work(path: Path = path) -> tuple[StoredImage, QImage | None]:
                data, thumbnail = read_picture_file(path)
                stored = office.images.store(actor, data)
                if thumbnail is not None:
                    thumbnail_cache.put(stored.reference, thumbnail)
                return stored, thumbnail

            def done(result: tuple[StoredImage, QImage | None]) -> None:
                self._stored(result[0], replace=replace, clear_input=clear_input)

            def failed(exc: BaseException, path: Path = path) -> None:
                self._not_stored(path, exc)

            run_op(work, done, parent=self, on_failed=failed, busy=True)
        self.changed.emit()  # the form waits while pictures are being stored

    def _stored(self, image: StoredImage, *, replace: str | None, clear_input: bool) -> None:
        self._storing -= 1
        reference = image.reference
        _captions[reference] = stored_caption(image)
        if clear_input:
            self.input.clear()
        sources = self.images()
        if replace is not None and replace in sources and reference not in sources:
            row = sources.index(replace)
            self.list.takeItem(row)
            self.list.insertItem(row, self._item(reference))
            self.list.setCurrentRow(row)
            self._update_buttons()
            self.changed.emit()
            return
        if reference in sources:
            self.list.setCurrentRow(sources.index(reference))
            self.input_message.show_problem(tr("This picture is in the list already."))
            self.changed.emit()
            return
        self.add_image(reference)

    def _not_stored(self, path: Path, exc: BaseException) -> None:
        self._storing -= 1
        name = path.name or str(path)
        if isinstance(exc, PictureRefused):
            text = str(exc)
        elif isinstance(exc, ValidationError) and FIELD in exc.fields:
            text = tr("{0}: {1}").format(name, exc.fields[FIELD])
        elif isinstance(exc, OSError):
            log.info("Could not read %s: %s", path, exc)
            text = tr("{0} could not be read ({1}). Check the file, then add it again.").format(
                name, exc.strerror or tr("no access")
            )
        elif isinstance(exc, BackOfficeError):
            text = tr("{0} was not stored: {1}").format(name, describe(exc)[1])
        else:
            log.error("Storing a picture failed", exc_info=(type(exc), exc, exc.__traceback__))
            text = tr(
                "{0} was not stored: something went wrong; the log file has the details."
            ).format(name)
        self.input_message.show_problem(text)
        self.changed.emit()

    # -- internals -------------------------------------------------------------------

    @staticmethod
    def _is_old_path(source: str) -> bool:
        return not is_web_address(source) and reference_digest(source) is None

    def _address_problem(self, text: str) -> str | None:
        if is_web_address(text):
            url = QUrl(text, QUrl.ParsingMode.StrictMode)
            if not url.isValid() or not url.host():
                return tr("This web address is not complete; it should look like {0}.").format(
                    "https://example.com/villa.jpg"
                )
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
        self.readd_button.setEnabled(row >= 0 and self.thumbnail_state(row) == UNAVAILABLE)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < count - 1)

    def _item(self, source: str) -> QListWidgetItem:
        item = QListWidgetItem(source)
        item.setData(SOURCE_ROLE, source)
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )
        self._show_thumbnail(item, source)
        return item

    def _append(self, source: str) -> None:
        self.list.addItem(self._item(source))

    def _items_for(self, source: str) -> list[QListWidgetItem]:
        return [
            self.list.item(i)
            for i in range(self.list.count())
            if self.list.item(i).data(SOURCE_ROLE) == source
        ]

    def _show_thumbnail(self, item: QListWidgetItem, source: str) -> None:
        if self._is_old_path(source):
            item.setText(tr("Not available on this computer: {0}").format(source))
            item.setIcon(self._placeholder)
            item.setData(STATE_ROLE, UNAVAILABLE)
            item.setToolTip(
                tr(
                    "{0}\nA file path saved by an older version: other workstations cannot "
                    "open it. Select it and press Re-add… to store the picture in the "
                    "database in its place."
                ).format(source)
            )
            return
        if reference_digest(source) is not None:
            item.setText(_captions.get(source, tr("Picture stored in the database")))
        cached = thumbnail_cache.get(source)
        if cached is not None:
            self._apply(item, source, cached)
            return
        if source in self._failed:
            self._apply(item, source, None)
            return
        item.setIcon(self._placeholder)
        item.setData(STATE_ROLE, LOADING)
        item.setToolTip(tr("{0}\nLoading the preview…").format(item.text()))
        if source in self._pending:
            return
        self._pending.add(source)
        if is_web_address(source):
            self._download(source)
        else:
            self._read_stored(source)

    def _apply(self, item: QListWidgetItem, source: str, image: QImage | None) -> None:
        if image is None:
            item.setIcon(self._placeholder)
            item.setData(STATE_ROLE, FAILED)
            item.setToolTip(
                tr("{0}\nNo preview: the picture could not be loaded (offline?).").format(
                    item.text()
                )
            )
        else:
            item.setIcon(QIcon(QPixmap.fromImage(image)))
            item.setData(STATE_ROLE, LOADED)
            item.setToolTip(item.text() if item.text() != source else source)

    def _loaded(self, source: str, image: QImage | None, caption: str = "") -> None:
        if not shiboken6.isValid(self):
            return  # the editor was closed while the preview was on its way
        self._pending.discard(source)
        if image is None:
            self._failed.add(source)
        else:
            self._failed.discard(source)
            thumbnail_cache.put(source, image)
        if caption:
            _captions[source] = caption
        for item in self._items_for(source):
            if caption:
                item.setText(caption)
            self._apply(item, source, image)
        self._update_buttons()

    def _read_stored(self, source: str) -> None:
        office, actor = self.session.office, self.session.actor

        def work() -> tuple[QImage | None, str]:
            found = office.images.get(actor, source)
            return decode_bytes(found.content), stored_caption(found.image)

        def failed(exc: BaseException) -> None:
            log.info("No preview of %s: %s", source, exc)
            caption = ""
            if not isinstance(exc, DatabaseUnavailable):
                caption = tr("Picture missing from the database")
            self._loaded(source, None, caption)

        run_op(work, lambda result: self._loaded(source, *result), parent=self, on_failed=failed)

    def _online_changed(self, online: bool) -> None:
        if not online or not shiboken6.isValid(self):
            return
        for source in [s for s in self._failed if reference_digest(s) is not None]:
            self._failed.discard(source)
            for item in self._items_for(source):
                self._show_thumbnail(item, source)

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

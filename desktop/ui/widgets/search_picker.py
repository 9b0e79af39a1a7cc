"""Search as you type, pick from a short list: the customer and destination of a booking.

Every database call goes through ``run_op``; the picker only ever sees the rows it delivers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.errors import describe
from desktop.ui.ops import run_op
from desktop.ui.widgets.colors import ERROR_COLOR, MUTED_COLOR, paint
from desktop.ui.widgets.labels import note_label

SEARCH_DELAY_MS = 250
RESULTS_VISIBLE = 5  # rows a result list shows before it scrolls
RESULT_ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # a result item's row object


def tr(text: str) -> str:
    return QCoreApplication.translate("SearchPicker", text)


class _SearchField(QLineEdit):
    """Down walks into the results; Enter picks the highlighted one (never submits)."""

    down = Signal()
    enter = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down:
            self.down.emit()
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class _ResultList(QListWidget):
    """Enter or a click picks a result; Up from the first row goes back to the search."""

    picked = Signal(object)
    leave_up = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.itemClicked.connect(self._pick_item)

    def _pick_item(self, item: QListWidgetItem) -> None:
        row = item.data(RESULT_ROW_ROLE)
        if row is not None:
            self.picked.emit(row)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self.currentItem()
            if item is not None:
                self._pick_item(item)
            event.accept()
            return
        if event.key() == Qt.Key.Key_Up and self.currentRow() <= 0:
            self.leave_up.emit()
            event.accept()
            return
        super().keyPressEvent(event)


Query = Callable[[str], Callable[[], Sequence[Any]]]
Describe = Callable[[Any], tuple[str, str]]


class SearchPicker(QWidget):
    """Search as you type (off the GUI thread, debounced), pick from a short list.

    ``query(text)`` is called on the GUI thread and returns the work to run in the
    background; ``describe(row)`` gives a row's name and its one-line details.
    With ``browse`` the list shows what ``query("")`` returns before anything is typed.
    """

    changed = Signal()  # the choice changed (the Form listens)
    chosen_changed = Signal(object)  # the row or None
    picked = Signal(object)  # a person picked a row (not a programmatic choice)

    def __init__(
        self,
        prefix: str,
        *,
        placeholder: str,
        query: Query,
        describe: Describe,
        no_match: Callable[[str], str],
        empty_hint: str = "",
        browse: bool = False,
        change_text: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{prefix}Picker")
        self._query = query
        self._describe = describe
        self._no_match = no_match
        self._empty_hint = empty_hint
        self._browse = browse
        self._chosen: Any = None
        self._generation = 0
        self._searching = False
        self._pick_when_found = False  # Enter came before the results did
        self._label: QLabel | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)

        self.search_box = QWidget()
        search_layout = QVBoxLayout(self.search_box)
        search_layout.setContentsMargins(0, 0, 0, 0)
        search_layout.setSpacing(4)
        self.search_row = QHBoxLayout()
        self.search_row.setSpacing(6)
        self.search = _SearchField()
        self.search.setObjectName(f"{prefix}Search")
        self.search.setPlaceholderText(placeholder)
        self.search.setClearButtonEnabled(True)
        self.search_row.addWidget(self.search, 1)
        search_layout.addLayout(self.search_row)
        self.results = _ResultList()
        self.results.setObjectName(f"{prefix}Results")
        self.results.setVisible(False)
        self.results.setUniformItemSizes(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        search_layout.addWidget(self.results)
        self.status = note_label(f"{prefix}SearchStatus")
        self.status.setWordWrap(True)
        self.status.setText(empty_hint)
        self.status.setVisible(bool(empty_hint))
        search_layout.addWidget(self.status)
        layout.addWidget(self.search_box)

        self.chosen_frame = QFrame()
        self.chosen_frame.setObjectName(f"{prefix}Chosen")
        self.chosen_frame.setFrameShape(QFrame.Shape.StyledPanel)
        chosen_layout = QHBoxLayout(self.chosen_frame)
        chosen_layout.setContentsMargins(10, 6, 6, 6)
        texts = QVBoxLayout()
        texts.setSpacing(1)
        self.chosen_name = QLabel()
        self.chosen_name.setObjectName(f"{prefix}ChosenName")
        paint(self.chosen_name, None, bold=True)
        self.chosen_detail = note_label(f"{prefix}ChosenDetail")
        self.chosen_detail.setWordWrap(True)
        texts.addWidget(self.chosen_name)
        texts.addWidget(self.chosen_detail)
        chosen_layout.addLayout(texts, 1)
        self.change_button = QPushButton(change_text or tr("Change…"))
        self.change_button.setObjectName(f"{prefix}Change")
        chosen_layout.addWidget(self.change_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.chosen_frame.setVisible(False)
        layout.addWidget(self.chosen_frame)
        self.setFocusProxy(self.search)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.search.textChanged.connect(self._text_changed)
        self.search.down.connect(self._into_results)
        self.search.enter.connect(self._enter)
        self.results.picked.connect(self._pick)
        self.results.leave_up.connect(self.search.setFocus)
        self.change_button.clicked.connect(self.change)

    # -- what dialogs use ----------------------------------------------------------

    @property
    def chosen(self) -> Any:
        return self._chosen

    def value(self) -> tuple[Any, str]:
        """The row chosen and the text searched (what closing the form would lose)."""
        return self._chosen, self.search.text()

    def is_empty(self) -> bool:
        """Nothing chosen yet."""
        return self._chosen is None

    def add_button(self, button: QPushButton) -> None:
        """A button beside the search field (e.g. "New customer…")."""
        self.search_row.addWidget(button)

    def set_label(self, label: QLabel | None) -> None:
        """The form label whose mnemonic should reach whichever editor is showing."""
        self._label = label
        self._point_label()

    def start(self) -> None:
        """Fill the browse list (when browsing) as the dialog opens."""
        if self._browse:
            self.search_now()

    def set_chosen(self, row: Any) -> None:
        self._chosen = row
        if row is not None:
            name, detail = self._describe(row)
            self.chosen_name.setText(name)
            self.chosen_detail.setText(detail)
            self.chosen_detail.setVisible(bool(detail))
        focus = QApplication.focusWidget()
        had_focus = focus is not None and self.isAncestorOf(focus)
        self.chosen_frame.setVisible(row is not None)
        if row is not None and had_focus:
            # Hand the focus over before the search hides, or it wanders down the chain.
            self.change_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.search_box.setVisible(row is None)
        self.setFocusProxy(self.change_button if row is not None else self.search)
        self._point_label()
        self.changed.emit()
        self.chosen_changed.emit(row)

    def change(self) -> None:
        """Back to searching, with what was typed before."""
        self.set_chosen(None)
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)
        self.search.selectAll()
        self.search_now()

    def result_rows(self) -> list[Any]:
        return [self.results.item(i).data(RESULT_ROW_ROLE) for i in range(self.results.count())]

    def search_now(self) -> None:
        self._timer.stop()
        if self._chosen is not None:
            return
        text = self.search.text().strip()
        self._generation += 1
        generation = self._generation
        if not text and not self._browse:
            self._searching = False
            self._show([], self._empty_hint)
            return
        self._searching = True
        self._set_status(tr("Searching…"), None)
        work = self._query(text)
        run_op(
            work,
            lambda rows: self._deliver(generation, text, rows),
            parent=self,
            on_failed=lambda exc: self._failed(generation, exc),
        )

    # -- behaviour -----------------------------------------------------------------

    def _text_changed(self, _text: str) -> None:
        self._pick_when_found = False
        self._timer.start()

    def _point_label(self) -> None:
        if self._label is not None:
            self._label.setBuddy(self.change_button if self._chosen is not None else self.search)

    def _deliver(self, generation: int, text: str, rows: Sequence[Any]) -> None:
        if generation != self._generation:
            return  # an older search; a newer one is on its way
        self._searching = False
        self._show(list(rows), self._no_match(text) if not rows else "")
        if self._pick_when_found and rows and self._chosen is None:
            self._pick(rows[0])
        self._pick_when_found = False

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._searching = False
            self._pick_when_found = False
            self.results.clear()
            self.results.setVisible(False)
            self._set_status(describe(exc)[1], ERROR_COLOR)

    def _show(self, rows: list[Any], status: str) -> None:
        self.results.clear()
        for row in rows:
            name, detail = self._describe(row)
            item = QListWidgetItem(f"{name}  ·  {detail}" if detail else name)
            item.setData(RESULT_ROW_ROLE, row)
            item.setToolTip(detail)
            self.results.addItem(item)
        if rows:
            self.results.setCurrentRow(0)
            row_height = max(self.results.sizeHintForRow(0), self.fontMetrics().height() + 4)
            visible = min(len(rows), RESULTS_VISIBLE)
            self.results.setFixedHeight(row_height * visible + 2 * self.results.frameWidth() + 2)
        self.results.setVisible(bool(rows))
        self._set_status(status, None)

    def show_status(self, text: str, *, error: bool = False) -> None:
        """A line under the search (loading, or why nothing can be listed)."""
        self._set_status(text, ERROR_COLOR if error else None)

    def _set_status(self, text: str, color: str | None) -> None:
        self.status.setText(text)
        paint(self.status, color or MUTED_COLOR)
        self.status.setVisible(bool(text))

    def _into_results(self) -> None:
        if self.results.isVisible() and self.results.count():
            self.results.setFocus(Qt.FocusReason.TabFocusReason)
            if self.results.currentRow() < 0:
                self.results.setCurrentRow(0)

    def _enter(self) -> None:
        if self._timer.isActive() or self._searching:
            # What is listed is for older text: pick the first of what the search finds.
            self._pick_when_found = True
            if self._timer.isActive():
                self.search_now()
            return
        item = self.results.currentItem()
        if self.results.isVisible() and item is not None:
            self._pick(item.data(RESULT_ROW_ROLE))

    def _pick(self, row: Any) -> None:
        self.set_chosen(row)
        self.picked.emit(row)

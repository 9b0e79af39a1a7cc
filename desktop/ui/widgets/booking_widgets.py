"""Pieces the booking dialogs share: the search picker, the stay editor, the availability
hint, status badges and the booking summary.

Every database call goes through ``run_op``; the widgets only ever see the rows it delivers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from enum import Enum
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QEvent, QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QTextCharFormat
from PySide6.QtWidgets import (
    QApplication,
    QCalendarWidget,
    QDateEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.bookings import total_price
from desktop.domain.errors import DatabaseUnavailable, StaleVersion, ValidationError
from desktop.domain.records import BookingRow, DestinationRow, TakenDates
from desktop.domain.validation import TEXT_MAX
from desktop.ui.dialogs.conflict import show_days
from desktop.ui.errors import describe
from desktop.ui.live import current_live
from desktop.ui.ops import run_op
from desktop.ui.session import Session
from desktop.ui.table_model import badge_color, format_datetime, format_money
from desktop.ui.widgets.colors import ERROR_COLOR, MUTED_COLOR, OK_COLOR, paint
from desktop.ui.widgets.forms import Form
from desktop.ui.widgets.record_watch import RecordBar, RecordWatch

SEARCH_DELAY_MS = 250
HINT_DELAY_MS = 250
MARGIN_DAYS = 30  # how far around the chosen stay the availability hint looks
RESULTS_VISIBLE = 5  # rows a result list shows before it scrolls
TAKEN_VISIBLE = 4
RESULT_ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # a result item's row object
TAKEN_ROLE = Qt.ItemDataRole.UserRole + 2  # an availability item's TakenDates
LONG_DATE = "d MMM yyyy"
TAKEN_BACKGROUND = "#fde2e2"


def tr(text: str) -> str:
    return QCoreApplication.translate("BookingWidgets", text)


# -- dates and words ---------------------------------------------------------------


def qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def today() -> date:
    """The workstation's date, as the calendar popups know it."""
    return pydate(QDate.currentDate())


def long_date(value: date) -> str:
    return QLocale().toString(qdate(value), LONG_DATE)


def date_range(start: date, end: date) -> str:
    """A stay as a person reads it: "3-10 May 2027", "28 Apr - 5 May 2027" (with en dashes)."""
    locale = QLocale()

    def month(d: date) -> str:
        return locale.monthName(d.month, QLocale.FormatType.ShortFormat)

    if (start.year, start.month) == (end.year, end.month):
        return tr("{0}–{1} {2} {3}").format(  # noqa: RUF001 - typographic en dash
            start.day, end.day, month(end), end.year
        )
    if start.year == end.year:
        return tr("{0} {1} – {2} {3} {4}").format(  # noqa: RUF001
            start.day, month(start), end.day, month(end), end.year
        )
    return tr("{0} – {1}").format(long_date(start), long_date(end))  # noqa: RUF001


def nights_text(nights: int) -> str:
    return tr("1 night") if nights == 1 else tr("{0} nights").format(nights)


def guests_text(guests: int) -> str:
    return tr("1 guest") if guests == 1 else tr("{0} guests").format(guests)


def overlaps(taken: TakenDates, start: date, end: date) -> bool:
    """Whether [start, end) shares a night with the taken stay (its end day is free)."""
    return taken.start_date < end and start < taken.end_date


def destination_facts(destination: DestinationRow) -> str:
    return tr("{0} per person · {1} · up to {2}").format(
        format_money(destination.price),
        show_days(destination.duration),
        guests_text(destination.max_guests),
    )


def set_buddy(layout: QFormLayout, field: QWidget, buddy: QWidget) -> QLabel | None:
    """Point the row's label mnemonic (&Customer) at the editor, not the box around it."""
    container = field.parentWidget()
    label = layout.labelForField(container) if container is not None else None
    if isinstance(label, QLabel):
        label.setBuddy(buddy)
        return label
    return None


def note_label(object_name: str = "") -> QLabel:
    label = QLabel()
    if object_name:
        label.setObjectName(object_name)
    paint(label, MUTED_COLOR)
    return label


def title_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("dialogTitle")  # the application style sheet sizes it
    return label


def date_edit(object_name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(object_name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(f"ddd {LONG_DATE}")
    edit.setMinimumWidth(160)
    calendar = edit.calendarWidget()
    hint = calendar.sizeHint()  # Qt's popup is a row too short with most fonts
    calendar.setMinimumSize(max(hint.width(), 280), max(hint.height() * 4 // 3, 200))
    return edit


# -- dialogs -----------------------------------------------------------------------


def watch_booking(
    owner: QDialog, session: Session, booking_id: int, version: Callable[[], str | None]
) -> RecordWatch | None:
    """Hear of other workstations' saves of one booking (None: the window does not listen).

    ``version`` is the version the dialog shows now: its own saves are no news.
    """
    live = current_live(owner)
    if live is None:
        return None
    office, actor = session.office, session.actor
    return RecordWatch(
        live,
        "bookings",
        booking_id,
        lambda: office.bookings.get(actor, booking_id),
        version,
        parent=owner,
    )


class FittingDialog(QDialog):
    """A dialog that grows when a message or a list appears, so nothing is squeezed.

    Qt's minimum size ignores word-wrapped labels' height for the width; this
    fits the height to the layout's height for the current width.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shrink = False
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(lambda: self._fit(shrink=self._shrink))

    def fit(self, *, shrink: bool = False) -> None:
        """Fit the height soon (after the layout settles); ``shrink`` also gives space back."""
        self._shrink = self._shrink or shrink
        self._fit_timer.start()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            self.fit()
        elif event.type() == QEvent.Type.Show:
            self.fit(shrink=True)  # the first size guessed the wrapped labels' height
        return handled

    def _fit(self, *, shrink: bool) -> None:
        self._shrink = False
        layout = self.layout()
        if layout is None or not self.isVisible():
            return
        layout.activate()
        width = self.width()
        if layout.hasHeightForWidth():
            wanted = layout.totalHeightForWidth(width)
        else:
            wanted = layout.totalSizeHint().height()
        wanted = max(wanted, layout.totalMinimumSize().height())
        if wanted > self.height() or (shrink and wanted < self.height()):
            self.resize(width, wanted)


class BookingFormDialog(FittingDialog):
    """A booking form saved once, in the background, by one service call.

    The form waits while the save is on its way; a refusal keeps everything typed
    (the service's field messages under their fields, the rest as the subclass
    says); a save that went through closes the dialog with the saved booking.
    """

    saved = Signal(object)  # the saved BookingRow

    form: Form
    save_button: QPushButton
    booking: BookingRow | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._saving = False

    # -- what each dialog provides ---------------------------------------------------

    def _work(self) -> Callable[[], BookingRow]:
        """The service call that saves, built on the GUI thread from the form."""
        raise NotImplementedError

    def _while_saving(self, busy: bool) -> None:
        """Around the save: what else starts with it and ends with it."""

    def _not_saved(self, exc: BaseException) -> None:
        """A refusal that is not about a field: say why."""
        raise NotImplementedError

    # -- saving ------------------------------------------------------------------------

    def _submit(self) -> None:
        if self._saving:
            return
        self.form.touch_all()
        if not self.form.revalidate():
            return
        work = self._work()
        self._saving = True
        self.form.set_busy(True)
        self._while_saving(True)
        run_op(work, self._saved, parent=self, on_failed=self._refused, busy=True)

    def _saved(self, booking: BookingRow) -> None:
        self._saving = False
        self.form.set_busy(False)
        self._while_saving(False)
        self.booking = booking
        self.saved.emit(booking)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self._saving = False
        self.form.set_busy(False)
        self._while_saving(False)
        if isinstance(exc, ValidationError):
            self.form.show_refusal(exc)
        else:
            self._not_saved(exc)


# -- small widgets -----------------------------------------------------------------


class StatusBadge(QLabel):
    """A booking or payment status as a coloured pill, as the lists draw it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def set_status(self, value: Enum | str | None) -> None:
        if value is None:
            self.setText(tr("—"))
            self.setProperty("status", "")
            paint(self, MUTED_COLOR)
            return
        key = str(value.value) if isinstance(value, Enum) else str(value)
        color = badge_color(key)
        self.setText(key.capitalize())
        self.setProperty("status", key)
        self.setStyleSheet(
            f"QLabel {{ background: {color.lighter(185).name()}; "
            f"color: {color.darker(130).name()}; border: 1px solid {color.name()}; "
            "border-radius: 9px; padding: 1px 10px; font-weight: 600; }"
        )


class FieldRow(QWidget):
    """An editor with notes beside it, as one form field (``changed`` tells the Form)."""

    changed = Signal()

    def __init__(self, editor: QWidget, *extras: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(editor)
        for extra in extras:
            layout.addWidget(extra)
        layout.addStretch(1)
        self.setFocusProxy(editor)
        if isinstance(editor, QDateEdit):
            editor.dateChanged.connect(lambda _d: self.changed.emit())
        elif isinstance(editor, QSpinBox):
            editor.valueChanged.connect(lambda _v: self.changed.emit())


# -- the search picker -------------------------------------------------------------


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


# -- availability --------------------------------------------------------------------


class AvailabilityHint(QWidget):
    """Which nearby dates of the destination are taken, and whether the chosen stay collides.

    A hint, not a lock: the service still refuses an overlap when saving. Taken
    nights are also marked on the attached calendar popups.
    """

    def __init__(
        self,
        session: Session,
        *,
        except_booking_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("availabilityHint")
        self.session = session
        self._except = except_booking_id
        self._destination_id: int | None = None
        self._stay: tuple[date, date] | None = None
        self._known: dict[int, TakenDates] = {}  # of the current destination
        self._pages: set[tuple[int, int]] = set()  # calendar pages already asked for
        self._calendars: list[QCalendarWidget] = []
        self._generation = 0
        self.overlapping: list[TakenDates] = []  # what the chosen stay collides with

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.status = QLabel()
        self.status.setObjectName("availabilityStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        self.taken = QListWidget()
        self.taken.setObjectName("takenDates")
        self.taken.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.taken.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.taken.setVisible(False)
        layout.addWidget(self.taken)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(HINT_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self._say(tr("Choose a destination and dates to see what is already taken."), None)

    def set_destination(self, destination_id: int | None) -> None:
        if destination_id != self._destination_id:
            self._destination_id = destination_id
            self._known.clear()
            self._pages.clear()
            self._mark_calendars()
        self._timer.start()

    def set_stay(self, start: date, end: date) -> None:
        if self._stay != (start, end):
            self._stay = (start, end)
            self._timer.start()

    def attach_calendar(self, calendar: QCalendarWidget) -> None:
        """Mark taken nights on this calendar, and look them up as the person pages through."""
        self._calendars.append(calendar)
        calendar.currentPageChanged.connect(self._load_page)

    def refresh(self) -> None:
        """Ask the database now (after a refused save, or when the inputs settle)."""
        self._timer.stop()
        self._generation += 1
        generation = self._generation
        destination_id, stay = self._destination_id, self._stay
        if destination_id is None:
            self._show([], [])
            self._say(tr("Choose a destination to see when it is taken."), None)
            return
        if stay is None or stay[1] <= stay[0]:
            self._show([], [])
            self._say(tr("Choose the dates to check availability."), None)
            return
        start, end = stay
        low, high = start - timedelta(days=MARGIN_DAYS), end + timedelta(days=MARGIN_DAYS)
        self._say(tr("Checking availability…"), None)
        office, actor = self.session.office, self.session.actor

        def done(rows: list[TakenDates]) -> None:
            if destination_id != self._destination_id:
                return
            self._remember(rows, low, high)
            if generation == self._generation:
                self._report(rows, start, end, low, high)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._show([], [])
                self._say(
                    tr("Could not check availability: {0}").format(describe(exc)[1]), ERROR_COLOR
                )

        run_op(
            lambda: office.destinations.taken_dates(actor, destination_id, low, high),
            done,
            parent=self,
            on_failed=failed,
        )

    # -- behaviour -----------------------------------------------------------------

    def _others(self, rows: list[TakenDates]) -> list[TakenDates]:
        return [r for r in rows if r.booking_id != self._except]

    def _report(
        self, rows: list[TakenDates], start: date, end: date, low: date, high: date
    ) -> None:
        others = sorted(self._others(rows), key=lambda r: (r.start_date, r.booking_id))
        clashes = [r for r in others if overlaps(r, start, end)]
        self._show(others, clashes)
        if clashes:
            names = ", ".join(
                tr("#{0} ({1})").format(r.booking_id, date_range(r.start_date, r.end_date))
                for r in clashes
            )
            self._say(
                tr("⚠ These dates overlap booking {0}. Choose other dates.").format(names)
                if len(clashes) == 1
                else tr("⚠ These dates overlap bookings {0}. Choose other dates.").format(names),
                ERROR_COLOR,
            )
        elif others:
            self._say(tr("✓ These dates are free. Taken nearby:"), OK_COLOR)
        else:
            self._say(
                tr("✓ Free: no other bookings between {0}.").format(date_range(low, high)),
                OK_COLOR,
            )

    def _show(self, others: list[TakenDates], clashes: list[TakenDates]) -> None:
        self.overlapping = list(clashes)
        self.taken.clear()
        for taken in others:
            item = QListWidgetItem(
                tr("Taken: {0} (booking #{1}, {2})").format(
                    date_range(taken.start_date, taken.end_date),
                    taken.booking_id,
                    taken.status.value,
                )
            )
            item.setData(TAKEN_ROLE, taken)
            if taken in clashes:
                item.setForeground(QBrush(QColor(ERROR_COLOR)))
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.taken.addItem(item)
        if others:
            row_height = max(self.taken.sizeHintForRow(0), self.fontMetrics().height() + 2)
            visible = min(len(others), TAKEN_VISIBLE)
            self.taken.setFixedHeight(row_height * visible + 2 * self.taken.frameWidth() + 2)
        self.taken.setVisible(bool(others))

    def _say(self, text: str, color: str | None) -> None:
        self.status.setText(text)
        paint(self.status, color or MUTED_COLOR, bold=color == ERROR_COLOR)

    def _remember(self, rows: list[TakenDates], low: date, high: date) -> None:
        """What [low, high) holds now: bookings gone from it since are forgotten."""
        for known in list(self._known.values()):
            if overlaps(known, low, high):
                del self._known[known.booking_id]
        for row in rows:
            self._known[row.booking_id] = row
        self._mark_calendars()

    def _load_page(self, year: int, month: int) -> None:
        destination_id = self._destination_id
        if destination_id is None or (year, month) in self._pages:
            return
        self._pages.add((year, month))
        first = date(year, month, 1)
        low = first - timedelta(days=7)  # the page shows the end of the previous month
        high = (first + timedelta(days=32)).replace(day=1) + timedelta(days=14)
        office, actor = self.session.office, self.session.actor

        def done(rows: list[TakenDates]) -> None:
            if destination_id == self._destination_id:
                self._remember(rows, low, high)

        def failed(_exc: BaseException) -> None:
            self._pages.discard((year, month))  # only marks are missing; try again later

        run_op(
            lambda: office.destinations.taken_dates(actor, destination_id, low, high),
            done,
            parent=self,
            on_failed=failed,
        )

    def _mark_calendars(self) -> None:
        taken_format = QTextCharFormat()
        taken_format.setBackground(QBrush(QColor(TAKEN_BACKGROUND)))
        taken_format.setForeground(QBrush(QColor(ERROR_COLOR)))
        taken_format.setFontWeight(QFont.Weight.Bold)
        taken_format.setToolTip(tr("Taken"))
        for calendar in self._calendars:
            calendar.setDateTextFormat(QDate(), QTextCharFormat())  # forget older marks
            for taken in self._known.values():
                if taken.booking_id == self._except:
                    continue
                night = taken.start_date
                while night < taken.end_date:
                    calendar.setDateTextFormat(qdate(night), taken_format)
                    night += timedelta(days=1)


# -- the stay editor -----------------------------------------------------------------


class StayEditor(QObject):
    """Dates, guests, special requests, the live total and the availability hint of a stay.

    Builds the editors; a dialog places them in its form with ``add_rows``.
    """

    changed = Signal()

    def __init__(
        self,
        session: Session,
        parent: QWidget,
        *,
        except_booking_id: int | None = None,
        total_label: str = "",
        no_destination_text: str = "",
    ) -> None:
        super().__init__(parent)
        self._destination: DestinationRow | None = None
        self._no_destination_text = no_destination_text or tr(
            "Choose a destination to see the price."
        )
        self._end_touched = False  # a person set the end: moving the start keeps the nights
        self._programmatic = False
        self._total_label = total_label or tr("Total")

        self.start_date = date_edit("startDate")
        self.start_row = FieldRow(self.start_date)
        self.end_date = date_edit("endDate")
        self.nights = note_label("nights")
        self.end_row = FieldRow(self.end_date, self.nights)
        self.guests = QSpinBox()
        self.guests.setObjectName("guests")
        self.guests.setRange(1, 1)
        self.guests.setMinimumWidth(80)
        self.guests.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.guests_limit = note_label("guestsLimit")
        self.guests_limit.setText(tr("choose the destination first"))
        self.guests_row = FieldRow(self.guests, self.guests_limit)
        self.total = QLabel()
        self.total.setObjectName("totalPrice")
        font = self.total.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setWeight(QFont.Weight.Bold)
        self.total.setFont(font)
        self.total.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.breakdown = note_label("priceBreakdown")
        self.total_row = QWidget()
        total_layout = QHBoxLayout(self.total_row)
        total_layout.setContentsMargins(0, 0, 0, 0)
        total_layout.setSpacing(10)
        total_layout.addWidget(self.total)
        total_layout.addWidget(self.breakdown)
        total_layout.addStretch(1)
        self.requests = QPlainTextEdit()
        self.requests.setObjectName("specialRequests")
        self.requests.setPlaceholderText(
            tr("Diet, accessibility, celebrations, arrival times… (optional)")
        )
        self.requests.setTabChangesFocus(True)
        self.requests.setFixedHeight(self.requests.fontMetrics().lineSpacing() * 3 + 14)
        self.hint = AvailabilityHint(session, except_booking_id=except_booking_id)
        self.hint.attach_calendar(self.start_date.calendarWidget())
        self.hint.attach_calendar(self.end_date.calendarWidget())

        first = today()
        self._programmatic = True
        self.start_date.setMinimumDate(qdate(first))
        self.start_date.setDate(qdate(first))
        self.end_date.setMinimumDate(qdate(first + timedelta(days=1)))
        self.end_date.setDate(qdate(first + timedelta(days=1)))
        self._programmatic = False
        self._nights = 1

        self.start_date.dateChanged.connect(self._start_changed)
        self.end_date.dateChanged.connect(self._end_changed)
        self.guests.valueChanged.connect(lambda _v: self._update())
        self.requests.textChanged.connect(self.changed.emit)
        self._update()

    # -- building --------------------------------------------------------------------

    def add_rows(self, form: Form, layout: QFormLayout) -> None:
        """Start, end, guests, total, special requests and availability, in that order."""
        form.add("start_date", tr("&Start date"), self.start_row)
        set_buddy(layout, self.start_row, self.start_date)
        form.add("end_date", tr("&End date"), self.end_row)
        set_buddy(layout, self.end_row, self.end_date)
        form.add("guests", tr("&Guests"), self.guests_row)
        set_buddy(layout, self.guests_row, self.guests)
        layout.addRow(self._total_label, self.total_row)
        form.add("special_requests", tr("Special &requests"), self.requests)
        set_buddy(layout, self.requests, self.requests)
        layout.addRow(tr("Availability"), self.hint)

    def tab_chain(self) -> list[QWidget]:
        return [self.start_date, self.end_date, self.guests, self.requests]

    # -- reading and filling ---------------------------------------------------------

    @property
    def destination(self) -> DestinationRow | None:
        return self._destination

    def stay(self) -> tuple[date, date, int, str]:
        return (
            pydate(self.start_date.date()),
            pydate(self.end_date.date()),
            self.guests.value(),
            self.requests.toPlainText(),
        )

    def set_earliest(self, earliest: date) -> None:
        """The first start date offered (a booking already under way keeps its start)."""
        self._programmatic = True
        self.start_date.setMinimumDate(qdate(earliest))
        self._programmatic = False

    def set_destination(self, destination: DestinationRow | None, *, propose_end: bool) -> None:
        """A destination chosen: guests bounded by it, the end proposed from its duration."""
        self._destination = destination
        if destination is not None:
            # Never lower the guests behind the person's back: too many is said inline.
            self.guests.setMaximum(max(destination.max_guests, self.guests.value(), 1))
            self.guests_limit.setText(tr("at most {0}").format(destination.max_guests))
            if propose_end and not self._end_touched:
                start = pydate(self.start_date.date())
                self._set_end(start + timedelta(days=max(destination.duration, 1)))
        else:
            self.guests_limit.setText(tr("choose the destination first"))
        self.hint.set_destination(destination.id if destination is not None else None)
        self._update()

    def fill(self, start: date, end: date, guests: int, requests: str | None) -> None:
        """Show a booking's stay as it is (changing a booking, or after a reload)."""
        self._programmatic = True
        if qdate(start) < self.start_date.minimumDate():
            self.start_date.setMinimumDate(qdate(start))
        self.start_date.setDate(qdate(start))
        self.end_date.setMinimumDate(qdate(start + timedelta(days=1)))
        self.end_date.setDate(qdate(end))
        if guests > self.guests.maximum():
            self.guests.setMaximum(guests)  # the destination's bound arrives with it
        self.guests.setValue(guests)
        self.requests.setPlainText(requests or "")
        self._programmatic = False
        self._end_touched = True
        self._nights = (end - start).days
        self._update()

    def problems(self) -> dict[str, str]:
        start, end, guests, requests = self.stay()
        problems: dict[str, str] = {}
        if start < today():
            problems["start_date"] = tr("This date is in the past. Choose today or a later date.")
        if end <= start:
            problems["end_date"] = tr("The end date must be after the start date.")
        destination = self._destination
        if destination is not None and guests > destination.max_guests:
            problems["guests"] = tr("{0} takes at most {1}.").format(
                destination.name, guests_text(destination.max_guests)
            )
        if len(requests.strip()) > TEXT_MAX:
            problems["special_requests"] = tr(
                "{0} characters; at most {1} fit. Shorten it."
            ).format(len(requests.strip()), TEXT_MAX)
        return problems

    # -- behaviour -------------------------------------------------------------------

    def _start_changed(self, _value: QDate) -> None:
        if self._programmatic:
            return
        start = pydate(self.start_date.date())
        if self._end_touched or self._destination is None:
            nights = max(self._nights, 1)
        else:
            nights = max(self._destination.duration, 1)
        self._set_end(start + timedelta(days=nights))
        self._update()

    def _end_changed(self, _value: QDate) -> None:
        if self._programmatic:
            return
        self._end_touched = True
        self._update()

    def _set_end(self, end: date) -> None:
        start = pydate(self.start_date.date())
        self._programmatic = True
        self.end_date.setMinimumDate(qdate(start + timedelta(days=1)))
        self.end_date.setDate(qdate(end))
        self._programmatic = False

    def _update(self) -> None:
        start, end, guests, _requests = self.stay()
        if end > start:
            self._nights = (end - start).days
            self.nights.setText(nights_text(self._nights))
        else:
            self.nights.setText("")
        destination = self._destination
        if destination is None:
            self.total.setText(tr("—"))
            self.breakdown.setText(self._no_destination_text)
        else:
            self.guests.setMaximum(max(destination.max_guests, guests, 1))
            self.total.setText(format_money(total_price(destination.price, guests)))
            self.breakdown.setText(
                tr("{0} × {1} per person").format(  # noqa: RUF001 - a multiplication sign
                    guests_text(guests), format_money(destination.price)
                )
            )
        self.hint.set_stay(start, end)
        self.changed.emit()


# -- refusals ---------------------------------------------------------------------------


def booking_changes(before: BookingRow, after: BookingRow) -> list[str]:
    """What differs between two versions of a booking, in a few words each."""
    changes: list[str] = []
    if after.status != before.status:
        changes.append(tr("now {0}").format(after.status.value))
    if after.payment_status != before.payment_status and after.payment_status is not None:
        changes.append(tr("payment {0}").format(after.payment_status.value))
    if (after.start_date, after.end_date) != (before.start_date, before.end_date):
        changes.append(tr("dates {0}").format(date_range(after.start_date, after.end_date)))
    if after.guests != before.guests:
        changes.append(guests_text(after.guests))
    if after.total_price != before.total_price:
        changes.append(tr("total {0}").format(format_money(after.total_price)))
    if after.special_requests != before.special_requests:
        changes.append(tr("special requests"))
    if after.payment_intent_id != before.payment_intent_id:
        changes.append(tr("payment reference"))
    return changes


def is_stale(exc: BaseException) -> bool:
    """A refusal because someone else changed the row since it was read (not an overlap)."""
    return isinstance(exc, StaleVersion)


class ProblemBar(RecordBar):
    """Why a save was refused, inline; "Reload" when someone else changed the booking.

    The booking dialogs' ``RecordBar``: the same line tells that another
    workstation changed the booking while the dialog was open.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            parent,
            message_name="problemMessage",
            reload_name="reloadBooking",
            compare_name="compareBooking",
            reload_text=tr("Re&load"),
            reload_tip=tr("Show the booking as it is now (what you typed is lost)"),
        )
        paint(self.message, ERROR_COLOR)

    def refusal(self, exc: BaseException) -> None:
        """Show a refusal that no single field owns."""
        text = describe(exc)[1]
        if isinstance(exc, DatabaseUnavailable):
            text = tr("{0} Nothing you typed was lost: try again when it is back.").format(text)
        self.show_problem(text, reload=is_stale(exc))


# -- the booking summary ---------------------------------------------------------------

SUMMARY_ROWS: tuple[tuple[str, str], ...] = (  # the booking's number is in the dialog's title
    ("customer", "Customer"),
    ("destination", "Destination"),
    ("stay", "Stay"),
    ("guests", "Guests"),
    ("total", "Total"),
    ("status", "Status"),
    ("payment", "Payment"),
    ("reference", "Payment reference"),
    ("requests", "Special requests"),
    ("cancelled", "Cancelled"),
    ("reason", "Cancellation reason"),
    ("created", "Created"),
    ("updated", "Last changed"),
)
COMPACT_ROWS = frozenset(
    {"customer", "destination", "stay", "guests", "total", "status", "payment"}
)


class BookingSummary(QFrame):
    """Every field of a booking, read-only; ``compact`` (framed) shows what an action needs."""

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("bookingSummary")
        self._compact = compact
        self.layout_ = QFormLayout(self)
        if compact:
            self.setStyleSheet(
                "QFrame#bookingSummary { background: palette(base); "
                "border: 1px solid palette(mid); border-radius: 4px; }"
            )
            self.layout_.setContentsMargins(12, 10, 12, 10)
        else:
            self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setHorizontalSpacing(16)
        self.layout_.setVerticalSpacing(7)
        self.layout_.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values: dict[str, QLabel] = {}
        self._rows: dict[str, int] = {}
        for key, caption in SUMMARY_ROWS:
            value: QLabel
            if key in ("status", "payment"):
                value = StatusBadge()
            else:
                value = QLabel()
                value.setWordWrap(key in ("requests", "reason", "customer"))
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                value.setTextFormat(Qt.TextFormat.PlainText)
                if key == "total":
                    paint(value, None, bold=True)
            value.setObjectName("summary" + key.capitalize())
            caption_label = note_label()
            caption_label.setText(tr(caption))
            self._rows[key] = self.layout_.rowCount()
            self.layout_.addRow(caption_label, value)
            self.values[key] = value

    def set_booking(self, booking: BookingRow) -> None:
        nights = (booking.end_date - booking.start_date).days
        texts = {
            "customer": tr("{0}  ·  {1}").format(booking.customer_name, booking.customer_email),
            "destination": booking.destination_name,
            "stay": tr("{0} → {1}  ·  {2}").format(
                long_date(booking.start_date), long_date(booking.end_date), nights_text(nights)
            ),
            "guests": str(booking.guests),
            "total": format_money(booking.total_price),
            "reference": booking.payment_intent_id or tr("—"),
            "requests": booking.special_requests or tr("None"),
            "cancelled": format_datetime(booking.cancelled_at),
            "reason": booking.cancellation_reason or "",
            "created": format_datetime(booking.created_at),
            "updated": format_datetime(booking.updated_at),
        }
        for key, text in texts.items():
            self.values[key].setText(text)
        status = self.values["status"]
        payment = self.values["payment"]
        assert isinstance(status, StatusBadge)  # noqa: S101 - built above
        assert isinstance(payment, StatusBadge)  # noqa: S101
        status.set_status(booking.status)
        payment.set_status(booking.payment_status)
        cancelled = booking.cancelled_at is not None or bool(booking.cancellation_reason)
        for key, row in self._rows.items():
            visible = key in COMPACT_ROWS if self._compact else True
            if key in ("cancelled", "reason"):
                visible = visible and cancelled
            self.layout_.setRowVisible(row, visible)

"""Which nearby dates of a destination are taken, and whether the chosen stay collides.

Every database call goes through ``run_op``; the hint only ever sees the rows it delivers.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QCoreApplication, QDate, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QTextCharFormat
from PySide6.QtWidgets import (
    QCalendarWidget,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.records import TakenDates
from desktop.ui.dates import qdate
from desktop.ui.errors import describe
from desktop.ui.formats import date_range
from desktop.ui.ops import run_op
from desktop.ui.session import Session
from desktop.ui.widgets.colors import ERROR_COLOR, MUTED_COLOR, OK_COLOR, paint

HINT_DELAY_MS = 250
MARGIN_DAYS = 30  # how far around the chosen stay the availability hint looks
TAKEN_VISIBLE = 4
TAKEN_ROLE = Qt.ItemDataRole.UserRole + 2  # an availability item's TakenDates
TAKEN_BACKGROUND = "#fde2e2"


def tr(text: str) -> str:
    return QCoreApplication.translate("AvailabilityHint", text)


def overlaps(taken: TakenDates, start: date, end: date) -> bool:
    """Whether [start, end) shares a night with the taken stay (its end day is free)."""
    return taken.start_date < end and start < taken.end_date


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

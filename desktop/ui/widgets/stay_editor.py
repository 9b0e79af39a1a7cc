"""A stay being booked or changed: dates, guests, special requests, the live total and
whether the dates are free."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QObject, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QWidget,
)

from desktop.domain.bookings import (
    StayRequest,
    booking_horizon,
    proposed_end,
    stay_date_problems,
    total_price,
)
from desktop.domain.records import DestinationRow
from desktop.domain.validation import TEXT_MAX
from desktop.ui.dates import pydate, qdate, today
from desktop.ui.formats import format_money, guests_text, nights_text
from desktop.ui.session import Session
from desktop.ui.widgets.availability import AvailabilityHint
from desktop.ui.widgets.count_box import CountBox
from desktop.ui.widgets.date_edit import date_edit
from desktop.ui.widgets.forms import FieldRow, Form, set_buddy
from desktop.ui.widgets.labels import note_label


def tr(text: str) -> str:
    return QCoreApplication.translate("StayEditor", text)


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
        self._booked: StayRequest | None = None  # the stay as booked, when a booking changes
        self._programmatic = False
        self._total_label = total_label or tr("Total")

        self.start_date = date_edit("startDate")
        self.start_row = FieldRow(self.start_date)
        self.end_date = date_edit("endDate")
        self.nights = note_label("nights")
        self.end_row = FieldRow(self.end_date, self.nights)
        # Any number may be typed (0, -3, 9 over the limit): the form says what is wrong.
        self.guests = CountBox()
        self.guests.setObjectName("guests")
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
        self.end_date.set_counting_from(
            lambda: pydate(self.start_date.date()), tr("the start date")
        )

        first = today()  # the server's: a workstation's clock may be a day off
        self._programmatic = True
        self.start_date.setMinimumDate(qdate(first))
        self.start_date.setMaximumDate(qdate(booking_horizon(first)))
        self.start_date.setDate(qdate(first))
        self.end_date.setMinimumDate(qdate(first + timedelta(days=1)))
        self.end_date.setDate(qdate(first + timedelta(days=1)))
        self._programmatic = False
        self._nights = 1

        self.start_date.dateChanged.connect(self._start_changed)
        self.end_date.dateChanged.connect(self._end_changed)
        self.guests.textChanged.connect(lambda _text: self._update())
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
        form.add("special_requests", tr("Special &requests"), self.requests, required=False)
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

    def set_booked(self, start: date, end: date, guests: int) -> None:
        """The stay as booked (changing a booking): a start under way may stay as it is."""
        self._booked = StayRequest(start, end, guests)
        self._update()

    def set_destination(self, destination: DestinationRow | None, *, propose_end: bool) -> None:
        """A destination chosen: guests bounded by it, the end proposed from its duration."""
        self._destination = destination
        if destination is not None:
            # Never lower the guests behind the person's back: too many is said inline.
            self.guests.set_limit(destination.max_guests)
            self.guests_limit.setText(tr("at most {0}").format(destination.max_guests))
            if propose_end and not self._end_touched:
                start = pydate(self.start_date.date())
                self._set_end(proposed_end(start, max(destination.duration, 1)))
        else:
            self.guests.set_limit(None)
            self.guests_limit.setText(tr("choose the destination first"))
        self.hint.set_destination(destination.id if destination is not None else None)
        self._update()

    def fill(self, start: date, end: date, guests: int, requests: str | None) -> None:
        """Show a booking's stay as it is (changing a booking, or after a reload)."""
        self._programmatic = True
        if qdate(start) < self.start_date.minimumDate():
            self.start_date.setMinimumDate(qdate(start))
        if qdate(start) > self.start_date.maximumDate():
            self.start_date.setMaximumDate(qdate(start))
        self.start_date.setDate(qdate(start))
        self.end_date.setMinimumDate(qdate(start + timedelta(days=1)))
        self.end_date.setDate(qdate(end))
        self.guests.setValue(guests)
        self.requests.setPlainText(requests or "")
        self._programmatic = False
        self._end_touched = True
        self._nights = (end - start).days
        self._update()

    def problems(self) -> dict[str, str]:
        start, end, guests, requests = self.stay()
        destination = self._destination
        # The domain's date rules, in its words, judged by the server's today.
        dates = stay_date_problems(
            start,
            end,
            today=today(),
            duration_days=destination.duration if destination is not None else None,
            destination_name=destination.name if destination is not None else "",
            booked=self._booked,
        )
        problems: dict[str, str] = {}
        if "start_date" in dates:
            problems["start_date"] = tr("The start date {0}").format(dates["start_date"])
        if "end_date" in dates:
            problems["end_date"] = tr("The end date {0}").format(dates["end_date"])
        if self.guests.is_empty():
            problems["guests"] = tr("Type how many guests are travelling.")
        elif guests < 1:
            problems["guests"] = tr(
                "{0} guests cannot be booked: at least 1 travels. Type how many are travelling."
            ).format(QLocale().toString(guests))
        elif destination is not None and guests > destination.max_guests:
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
        self._set_end(proposed_end(start, nights))
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
        elif guests < 1 or self.guests.is_empty():
            self.total.setText(tr("—"))
            self.breakdown.setText(tr("Type how many guests are travelling."))
        else:
            self.total.setText(format_money(total_price(destination.price, guests)))
            self.breakdown.setText(
                tr("{0} × {1} per person").format(  # noqa: RUF001 - a multiplication sign
                    guests_text(guests), format_money(destination.price)
                )
            )
        self.hint.set_stay(start, end)
        self.changed.emit()

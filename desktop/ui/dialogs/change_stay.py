"""Changing a booking's stay: new dates, guests or requests, at the destination's current price.

A change refused because another workstation saved the booking meanwhile opens
the conflict dialog; a change that overlaps another booking looks at
availability again.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QWidget

from desktop.domain.errors import BackOfficeError, Conflict
from desktop.domain.records import BookingRow, DestinationRow
from desktop.services.bookings import StayChange
from desktop.ui.dates import today
from desktop.ui.dialogs.booking_action import BookingActionDialog
from desktop.ui.dialogs.edited_record import EditedRecord
from desktop.ui.formats import date_range, format_money, guests_text
from desktop.ui.ops import run_op
from desktop.ui.record_fields import Field, show_choice, show_date, show_text
from desktop.ui.session import Session
from desktop.ui.widgets.labels import note_label, title_label
from desktop.ui.widgets.stay_editor import StayEditor


def tr(text: str) -> str:
    return QCoreApplication.translate("BookingActions", text)


def _stay_line(booking: BookingRow) -> str:
    return tr("{0}  ·  {1}  ·  now {2}, {3}, {4}").format(
        booking.customer_name,
        booking.destination_name,
        date_range(booking.start_date, booking.end_date),
        guests_text(booking.guests),
        format_money(booking.total_price),
    )


def stay_fields() -> list[Field]:
    """A booking's stay as the conflict dialog shows it; the status for context."""
    return [
        Field("start_date", tr("Start date"), show_date),
        Field("end_date", tr("End date"), show_date),
        Field("guests", tr("Guests"), show_text),
        Field("special_requests", tr("Special requests"), show_text),
        Field("status", tr("Status"), show_choice({}), choosable=False),
    ]


def stay_values(booking: BookingRow) -> dict[str, Any]:
    return {
        "start_date": booking.start_date,
        "end_date": booking.end_date,
        "guests": booking.guests,
        "special_requests": booking.special_requests or None,
        "status": booking.status,
    }


class ChangeStayDialog(BookingActionDialog):
    """New dates, guests or requests; the price follows the destination's current price."""

    def __init__(self, session: Session, booking: BookingRow, parent: QWidget | None = None):
        super().__init__(session, booking, parent)
        self.setObjectName("changeStayDialog")
        self.setWindowTitle(tr("Change booking #{0}").format(booking.id))
        self.setMinimumWidth(600)
        self.title = title_label(tr("Change booking #{0}").format(booking.id))
        self.layout_.addWidget(self.title)
        self.current = note_label("currentStay")
        self.current.setWordWrap(True)
        self.layout_.addWidget(self.current)
        self.layout_.addLayout(self.form_layout)
        self.stay = StayEditor(
            session,
            self,
            except_booking_id=booking.id,
            total_label=tr("New total"),
            no_destination_text=tr("Loading the destination's current price…"),
        )
        self.previous_total = note_label("previousTotal")
        total_layout = self.stay.total_row.layout()
        if isinstance(total_layout, QHBoxLayout):
            total_layout.insertWidget(2, self.previous_total)  # before the stretch
        self.stay.add_rows(self.form, self.form_layout)
        self.stay.changed.connect(self._show_difference)
        self.record = EditedRecord(
            self,
            table="bookings",
            noun=tr("booking"),
            fields=stay_fields(),
            bar=self.bar,
            fetch=lambda ident: session.office.bookings.get(session.actor, ident),
            row_values=stay_values,
            form_values=self.form_values,
            fill=self._fill_values,
            adopt=self._adopt,
            row=booking,
            connect_bar=False,  # Reload is the dialog's own (it says what it shows)
        )
        self.bar.compare_requested.connect(self.record.compare)
        self.record.state_changed.connect(self.form.revalidate)
        self.record.reloaded.connect(self._reloaded)
        self.record.saved_after_loss.connect(self._saved_after_loss)
        self._finish_layout()
        self.save_button.setText(tr("&Save changes"))
        self.save_button.setObjectName("saveChanges")
        chain: list[QWidget] = [
            *self.stay.tab_chain(),
            self.bar.reload_button,
            self.bar.compare_button,
            self.save_button,
            self.cancel_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self._show_booking(booking, reloaded=False)
        self.form.touch_all()  # what keeps the booking from changing (its status) shows at once
        self.form.revalidate()
        self.stay.start_date.setFocus()
        self._load_destination()

    def _show_booking(self, booking: BookingRow, *, reloaded: bool) -> None:
        self.current.setText(_stay_line(booking))
        self.stay.set_earliest(min(today(), booking.start_date))
        self.stay.set_booked(booking.start_date, booking.end_date, booking.guests)
        self.stay.fill(
            booking.start_date, booking.end_date, booking.guests, booking.special_requests
        )
        self._show_difference()

    # -- the booking as others change it -------------------------------------------

    def form_values(self) -> dict[str, Any]:
        start, end, guests, requests = self.stay.stay()
        return {
            "start_date": start,
            "end_date": end,
            "guests": guests,
            "special_requests": requests.strip() or None,
            "status": self.booking.status,
        }

    def _fill_values(self, values: Mapping[str, Any]) -> None:
        self.stay.fill(
            values["start_date"], values["end_date"], values["guests"], values["special_requests"]
        )
        self._show_difference()

    def _has_typed(self) -> bool:
        """Anything that differs from the booking as it is saved."""
        return self.form_values() != stay_values(self.booking)

    def _discard_question(self) -> str:
        return tr("Discard your changes to booking #{0}?").format(self.booking.id)

    def _adopt(self, booking: BookingRow) -> None:
        """The stay's edits are over this version now."""
        self.booking = booking
        self.stay.set_booked(booking.start_date, booking.end_date, booking.guests)
        self.current.setText(_stay_line(booking))
        self._show_difference()
        self.form.revalidate()

    def _start_watching(self) -> None:
        self.record.start_watching()

    def _hold(self, busy: bool) -> None:
        self.record.saving(busy)

    def _took(self, booking: BookingRow) -> None:
        self.record.saved(booking)
        super()._took(booking)

    def _refusal_taken(self, exc: BaseException) -> bool:
        return self.record.refused(exc, resave=self._submit)

    def _saved_after_loss(self, booking: BookingRow) -> None:
        """The change whose connection died did land: say so, tell the list, stay open."""
        self.bar.show_problem(
            tr("It was saved: booking #{0} holds your change.").format(booking.id), error=False
        )
        self.save_button.setVisible(False)
        self.cancel_button.setText(tr("Close"))
        self.cancel_button.setDefault(True)
        self.saved.emit(booking)

    def reload(self) -> None:
        self.record.reload()

    def _reloaded(self, booking: BookingRow) -> None:
        self.bar.show_problem(
            tr("Reloaded: this is booking #{0} as it is now.").format(booking.id), error=False
        )
        self.stay.hint.refresh()
        self.form.revalidate()

    def _landed_test(self) -> Callable[[BookingRow], bool]:
        return lambda _booking: False  # the EditedRecord compares the stay itself

    def _load_destination(self) -> None:
        office, actor = self.session.office, self.session.actor
        destination_id = self.booking.destination_id

        def done(destination: DestinationRow) -> None:
            self.stay.set_destination(destination, propose_end=False)
            if not destination.active:
                self.bar.show_problem(
                    tr("{0} is no longer open for booking, so this stay cannot be changed.").format(
                        destination.name
                    )
                )
            self.form.revalidate()

        def failed(exc: BaseException) -> None:
            self.stay.breakdown.setText("")
            self.bar.refusal(exc)

        run_op(
            lambda: office.destinations.get(actor, destination_id),
            done,
            parent=self,
            on_failed=failed,
        )

    def _show_difference(self) -> None:
        destination = self.stay.destination
        if destination is None:
            self.previous_total.setText("")
            return
        self.previous_total.setText(tr("(was {0})").format(format_money(self.booking.total_price)))

    def _problems(self) -> Mapping[str, str]:
        problems: dict[str, str] = dict(self._status_problem(tr("changed")))
        problems.update(self.record.problems())
        if self.stay.destination is None:
            problems["destination"] = tr("The destination's price is still loading.")
        problems.update(self.stay.problems())
        return problems

    def _save_work(self) -> Callable[[], BookingRow]:
        start, end, guests, requests = self.stay.stay()
        change = StayChange(start, end, guests, requests.strip() or None)
        office, actor, booking = self.session.office, self.session.actor, self.booking
        return lambda: office.bookings.change_stay(actor, booking.id, booking.version, change)

    def _after_conflict(self, exc: BackOfficeError) -> None:
        if isinstance(exc, Conflict):
            self.stay.hint.refresh()

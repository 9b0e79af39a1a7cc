"""The counter's new booking: who, where, when, how many, what it costs, whether it is free.

A save whose connection died may or may not have made the booking: the form's
request token finds out, once the database answers, and the clerk is told which.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import (
    BackOfficeError,
    Conflict,
    DatabaseUnavailable,
)
from desktop.domain.listing import DestinationFilter, PageRequest, PersonFilter, Sort
from desktop.domain.permissions import Permission
from desktop.domain.records import BookingRow, DestinationRow, PersonRow
from desktop.services.bookings import NewBooking
from desktop.ui.dialogs import open_dialog
from desktop.ui.dialogs.form_dialog import FormDialog
from desktop.ui.dialogs.new_customer import NewCustomerDialog
from desktop.ui.errors import describe, show_error
from desktop.ui.formats import days_text, format_money, guests_text
from desktop.ui.ops import run_op
from desktop.ui.session import Session
from desktop.ui.widgets.colors import ERROR_COLOR, MUTED_COLOR, OK_COLOR, paint
from desktop.ui.widgets.forms import FieldMessage, Form, set_buddy
from desktop.ui.widgets.labels import title_label
from desktop.ui.widgets.record_watch import OutcomeCheck
from desktop.ui.widgets.search_picker import SearchPicker
from desktop.ui.widgets.stay_editor import StayEditor

CUSTOMER_RESULTS = 20
DESTINATION_RESULTS = 50
CATALOGUE_PAGE = 500


def tr(text: str) -> str:
    return QCoreApplication.translate("NewBooking", text)


def destination_facts(destination: DestinationRow) -> str:
    return tr("{0} per person · {1} · up to {2}").format(
        format_money(destination.price),
        days_text(destination.duration),
        guests_text(destination.max_guests),
    )


def describe_customer(person: PersonRow) -> tuple[str, str]:
    return person.name, "  ·  ".join(part for part in (person.email, person.phone) if part)


def describe_destination(destination: DestinationRow) -> tuple[str, str]:
    place = ", ".join(part for part in (destination.city, destination.country) if part)
    return destination.name, f"{place}  ·  {destination_facts(destination)}"


def _matches(destination: DestinationRow, needle: str) -> bool:
    return any(
        needle in part.casefold()
        for part in (destination.name, destination.city, destination.country)
    )


class NewBookingDialog(FormDialog[BookingRow]):
    """Pick or add the customer, pick the destination, set the stay, save once."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("newBookingDialog")
        self.setWindowTitle(tr("New booking"))
        self.setMinimumWidth(680)
        # One token per form: a double click, or Save again after a lost connection,
        # returns the booking the first attempt made instead of making a second one.
        self.request_token = uuid.uuid4()
        self._catalogue: tuple[DestinationRow, ...] | None = None
        self.booking: BookingRow | None = None  # once saved
        self.customer_dialog: NewCustomerDialog | None = None
        self.save_check = OutcomeCheck(self)  # after a lost connection: was it made?
        self.save_check.landed.connect(self._made_after_loss)
        self.save_check.not_landed.connect(self._not_made_after_loss)
        self.save_check.failed.connect(self._check_failed)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(title_label(tr("New booking")))
        form_layout = QFormLayout()
        form_layout.setHorizontalSpacing(14)
        form_layout.setVerticalSpacing(6)
        form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(form_layout)

        self.customer = SearchPicker(
            "customer",
            placeholder=tr("Search by name, e-mail or phone…"),
            query=self._customer_query,
            describe=describe_customer,
            no_match=lambda text: (
                tr("No customer matches “{0}”.").format(text)
                + (
                    tr(" Add them with New customer…")
                    if session.can(Permission.MANAGE_CUSTOMERS)
                    else ""
                )
            ),
            change_text=tr("C&hange…"),
        )
        self.new_customer_button = QPushButton(tr("New c&ustomer…"))
        self.new_customer_button.setObjectName("newCustomer")
        self.new_customer_button.setVisible(session.can(Permission.MANAGE_CUSTOMERS))
        self.customer.add_button(self.new_customer_button)
        self.destination = SearchPicker(
            "destination",
            placeholder=tr("Search by name, place or theme, or pick below…"),
            query=self._destination_query,
            describe=describe_destination,
            no_match=lambda text: tr("No open destination matches “{0}”.").format(text),
            browse=True,
            change_text=tr("Ch&ange…"),
        )
        self.stay = StayEditor(session, self)

        self.buttons = self._ok_cancel_buttons(tr("Save &booking"), "saveBooking")

        self.form = Form(form_layout, self.save_button, self._problems, self)
        self.form.add("customer", tr("&Customer"), self.customer, required=True)
        self.customer.set_label(set_buddy(form_layout, self.customer, self.customer.search))
        self.form.add("destination", tr("&Destination"), self.destination, required=True)
        self.destination.set_label(
            set_buddy(form_layout, self.destination, self.destination.search)
        )
        self.stay.add_rows(self.form, form_layout)
        self.message = FieldMessage()
        self.message.setObjectName("bookingMessage")
        paint(self.message, ERROR_COLOR)
        self.form.general_message(self.message)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        # Once the button is in the dialog (before, the dialog cannot take note): Enter
        # saves, never the first button of the focus chain ("New customer…").
        self.save_button.setDefault(True)

        self.new_customer_button.clicked.connect(self._new_customer)
        self.customer.picked.connect(lambda _row: self.destination.setFocus())
        self.destination.chosen_changed.connect(self._destination_chosen)
        for picker in (self.customer, self.destination):
            # A result list came or went: fit the dialog to what it shows now.
            picker.chosen_changed.connect(lambda _row: self.fit(shrink=True))
        self.destination.picked.connect(lambda _row: self.stay.start_date.setFocus())
        self._set_tab_order()
        self.form.revalidate()
        self.customer.search.setFocus()
        self._load_catalogue()

    # -- building ------------------------------------------------------------------

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.customer.search,
            self.customer.results,
            self.new_customer_button,
            self.customer.change_button,
            self.destination.search,
            self.destination.results,
            self.destination.change_button,
            *self.stay.tab_chain(),
            self.save_button,
            self.cancel_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # -- searching -----------------------------------------------------------------

    def _customer_query(self, text: str) -> Callable[[], Sequence[PersonRow]]:
        office, actor = self.session.office, self.session.actor
        request = PageRequest(Sort("name"), limit=CUSTOMER_RESULTS)
        return lambda: office.customers.page(actor, PersonFilter(text=text), request).rows

    def _destination_query(self, text: str) -> Callable[[], Sequence[DestinationRow]]:
        """Names, cities and countries matched here as typed; the rest by full-text search."""
        office, actor = self.session.office, self.session.actor
        catalogue = self._catalogue  # an immutable snapshot the worker may read
        request = PageRequest(Sort("name"), limit=DESTINATION_RESULTS)

        def work() -> Sequence[DestinationRow]:
            if not text:
                if catalogue is not None:
                    return catalogue
                return office.destinations.page(actor, DestinationFilter(active=True), request).rows
            needle = text.casefold()
            local = [d for d in catalogue or () if _matches(d, needle)]
            found = office.destinations.page(
                actor, DestinationFilter(text=text, active=True), request
            ).rows
            listed = {d.id for d in local}
            return [*local, *(d for d in found if d.id not in listed)]

        return work

    def _load_catalogue(self) -> None:
        """Every open destination by name: browsing, and matching names as they are typed."""
        office, actor = self.session.office, self.session.actor
        self.destination.show_status(tr("Loading destinations…"))

        def fetch() -> tuple[DestinationRow, ...]:
            rows: list[DestinationRow] = []
            request = PageRequest(Sort("name"), limit=CATALOGUE_PAGE)
            while True:
                page = office.destinations.page(actor, DestinationFilter(active=True), request)
                rows.extend(page.rows)
                if page.next is None:
                    return tuple(rows)
                request = PageRequest(Sort("name"), after=page.next, limit=CATALOGUE_PAGE)

        def done(rows: tuple[DestinationRow, ...]) -> None:
            self._catalogue = rows
            if not rows:
                self.destination.show_status(tr("No destination is open for booking."))
                return
            self.destination.search_now()

        def failed(exc: BaseException) -> None:
            self.destination.show_status(describe(exc)[1], error=True)

        run_op(fetch, done, parent=self, on_failed=failed)

    def _destination_chosen(self, destination: DestinationRow | None) -> None:
        self.stay.set_destination(destination, propose_end=True)

    def _new_customer(self) -> None:
        dialog = NewCustomerDialog(self.session, self.customer.search.text(), self)
        dialog.created.connect(self._customer_created)
        self.customer_dialog = dialog
        open_dialog(dialog)

    def _customer_created(self, person: PersonRow) -> None:
        self.customer.set_chosen(person)
        self.destination.setFocus()

    # -- saving --------------------------------------------------------------------

    def _discard_question(self) -> str:
        return tr("Discard the new booking?")

    def _problems(self) -> Mapping[str, str]:
        problems: dict[str, str] = {}
        if self.save_check.active:
            problems["booking"] = tr("Checking whether the booking was made.")
        if self.booking is not None:
            problems["booking"] = tr("Booking #{0} is made.").format(self.booking.id)
        if self.customer.chosen is None:
            problems["customer"] = tr(
                "Choose the customer: search by name, e-mail or phone, or add a new one."
            )
        if self.destination.chosen is None:
            problems["destination"] = tr("Choose a destination: search, or pick one below.")
        problems.update(self.stay.problems())
        return problems

    def _save_work(self) -> Callable[[], BookingRow]:
        customer: PersonRow = self.customer.chosen
        destination: DestinationRow = self.destination.chosen
        start, end, guests, requests = self.stay.stay()
        request = NewBooking(
            customer_id=customer.id,
            destination_id=destination.id,
            start_date=start,
            end_date=end,
            guests=guests,
            special_requests=requests.strip() or None,
            request_token=self.request_token,
        )
        office, actor = self.session.office, self.session.actor
        return lambda: office.bookings.create(actor, request)

    def _while_saving(self, busy: bool) -> None:
        if busy:
            self._say("")

    def _took(self, booking: BookingRow) -> None:
        self.booking = booking
        super()._took(booking)

    def _refused(self, exc: BaseException) -> None:
        """Say why inline; everything typed stays as it was."""
        super()._refused(exc)
        self.save_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _not_saved(self, exc: BaseException) -> None:
        """Why, under the form; everything typed stays as it was."""
        if isinstance(exc, Conflict):
            self.form.show_general(exc.message)
            self.stay.hint.refresh()
        elif isinstance(exc, DatabaseUnavailable):
            self._check_outcome()
        elif isinstance(exc, BackOfficeError):
            self.form.show_general(describe(exc)[1])
        else:
            self.form.show_general(tr("The booking was not saved. Nothing you typed was lost."))
            show_error(self, exc)

    # -- a save whose connection died ------------------------------------------------

    def _check_outcome(self) -> None:
        """Find the booking by the form's request token once the database answers."""
        office, actor, token = self.session.office, self.session.actor, self.request_token
        self._say(
            tr(
                "The connection was lost while saving; checking whether the booking was "
                "made… What you typed is kept."
            ),
            MUTED_COLOR,
        )
        self.save_check.start(
            lambda: office.bookings.find_by_request_token(actor, token),
            lambda booking: booking is not None,
        )
        self.form.revalidate()

    def _made_after_loss(self, booking: BookingRow) -> None:
        """It was made: the same as a save that answered, said here before the dialog goes."""
        self.booking = booking
        self._say(tr("It was saved: booking #{0}.").format(booking.id), OK_COLOR)
        self.save_button.setVisible(False)
        self.cancel_button.setText(tr("Close"))
        self.cancel_button.setDefault(True)
        self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.form.revalidate()
        self.saved.emit(booking)

    def _not_made_after_loss(self, _none: object) -> None:
        # The same token goes with the next Save: a save that did land after all is
        # returned, never made twice.
        self.form.revalidate()
        self._say(tr("It was not saved. What you typed is still here: press Save again."))
        self.save_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _check_failed(self, exc: BaseException) -> None:
        self.form.revalidate()
        self._say(
            tr("{0} What you typed is still here: press Save again.").format(describe(exc)[1])
        )

    def _say(self, text: str, color: str = ERROR_COLOR) -> None:
        self.form.show_general(text)
        paint(self.message, color)

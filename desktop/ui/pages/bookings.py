"""The Bookings page: every booking, filtered and sorted by the database."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QDate
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit

from desktop.domain.enums import BookingStatus, PaymentStatus
from desktop.domain.listing import (
    BOOKINGS_DEFAULT_SORT,
    BookingFilter,
    Page,
    PageRequest,
    RowCount,
    Sort,
)
from desktop.domain.permissions import Permission
from desktop.domain.records import BookingRow
from desktop.ui.dates import pydate, today
from desktop.ui.dialogs import open_dialog
from desktop.ui.dialogs.booking_action import (
    change_blocker,
    completion_blocker,
    confirm_blocker,
    review_blocker,
)
from desktop.ui.pages.base import ListPage, tr
from desktop.ui.resources import icon
from desktop.ui.table_model import Column, ColumnKind
from desktop.ui.widgets.destination_filter import DestinationFilterBox

K = ColumnKind


class BookingsPage(ListPage[BookingRow, BookingFilter]):
    title = "Bookings"
    list_name = "bookings"
    icon_name = "bookings"

    def live_tables(self) -> frozenset[str]:
        return frozenset({"bookings", "users", "destinations"})

    def columns(self) -> Sequence[Column[BookingRow]]:
        return [
            Column("id", tr("Booking"), lambda b: f"#{b.id}"),
            Column("customer_name", tr("Customer"), lambda b: b.customer_name),
            Column("destination_name", tr("Destination"), lambda b: b.destination_name),
            Column("start_date", tr("Start"), lambda b: b.start_date, K.DATE),
            Column("end_date", tr("End"), lambda b: b.end_date, K.DATE),
            Column("guests", tr("Guests"), lambda b: b.guests, K.NUMBER),
            Column("total_price", tr("Total"), lambda b: b.total_price, K.MONEY),
            Column("status", tr("Status"), lambda b: b.status, K.BADGE),
            Column("payment_status", tr("Payment"), lambda b: b.payment_status, K.BADGE),
            Column("created_at", tr("Created"), lambda b: b.created_at, K.DATETIME),
        ]

    def default_sort(self) -> Sort:
        return BOOKINGS_DEFAULT_SORT

    def column_widths(self) -> dict[str, int]:
        return {
            # Every column shows whole in a 1280-pixel window, "Created" taking the rest
            # (about 140 pixels: "12/28/2026 12:04 PM" takes some 130 in the usual fonts).
            "id": 72,
            "customer_name": 144,
            "destination_name": 160,
            "start_date": 96,
            "end_date": 96,
            "guests": 64,
            "total_price": 92,
            "status": 100,
            "payment_status": 96,
        }

    def nouns(self) -> tuple[str, str]:
        return tr("booking"), tr("bookings")

    def search_hint(self) -> str:
        return tr("Search by booking number, customer or destination (Ctrl+F)")

    def empty_text(self, filtered: bool) -> str:
        if filtered:
            return tr("No bookings match these filters. Change or clear them to see more.")
        if self.session.can(Permission.MANAGE_BOOKINGS):
            return tr("No bookings yet. Press Ctrl+N to make the first one.")
        return tr("No bookings yet.")

    def build_filters(self) -> None:
        self.status = QComboBox()
        self.status.setObjectName("statusFilter")
        self.status.addItem(tr("All statuses"), None)
        for status in BookingStatus:
            self.status.addItem(status.value.capitalize(), status)
        self.add_filter(self.status)
        self.payment = QComboBox()
        self.payment.setObjectName("paymentFilter")
        self.payment.addItem(tr("All payments"), None)
        for payment in PaymentStatus:
            self.payment.addItem(payment.value.capitalize(), payment)
        self.add_filter(self.payment)
        self.destination = DestinationFilterBox(self.session)
        self.destination.setMinimumWidth(180)
        self.add_filter(self.destination)
        self.use_dates = QCheckBox(tr("Staying"))
        self.use_dates.setObjectName("dateFilter")
        first = QDate.currentDate()
        self.stay_from = QDateEdit(first)
        self.stay_to = QDateEdit(first.addMonths(1))
        for edit in (self.stay_from, self.stay_to):
            edit.setCalendarPopup(True)
            edit.setEnabled(False)
            edit.dateChanged.connect(self._dates_changed)
        self.use_dates.toggled.connect(self._dates_toggled)
        self.filter_bar.addWidget(self.use_dates)
        self.filter_bar.addWidget(self.stay_from)
        self.filter_bar.addWidget(self.stay_to)
        self.model.reset_done.connect(self.destination.load)  # the list's rows first

    def _dates_changed(self, _date: QDate) -> None:
        if self.use_dates.isChecked():
            self.requery()

    def _dates_toggled(self, on: bool) -> None:
        self.stay_from.setEnabled(on)
        self.stay_to.setEnabled(on)
        self.requery()

    def build_actions(self) -> None:
        can_manage = self.session.can(Permission.MANAGE_BOOKINGS)
        self.new_action = self.add_action(
            tr("&New booking…"),
            self.new_booking,
            icon=icon("new-booking"),
            shortcut=QKeySequence.StandardKey.New,
            name="newBooking",
        )
        self.add_open_action("Booking")
        self.confirm_action = self.add_action(
            tr("&Confirm"),
            self.confirm,
            icon=icon("confirm"),
            needs_row=True,
            name="confirmBooking",
        )
        self.change_action = self.add_action(
            tr("Change &dates or guests…"),
            self.change_stay,
            icon=icon("edit"),
            needs_row=True,
            name="changeBooking",
        )
        self.cancel_action = self.add_action(
            tr("C&ancel booking…"),
            self.cancel,
            icon=icon("cancel"),
            needs_row=True,
            name="cancelBooking",
        )
        self.complete_action = self.add_action(
            tr("Co&mplete"),
            self.complete,
            icon=icon("complete"),
            needs_row=True,
            name="completeBooking",
        )
        self.payment_action = self.add_action(
            tr("Record &payment…"),
            self.record_payment,
            icon=icon("payment"),
            needs_row=True,
            name="recordPayment",
        )
        for action in self.page_actions:
            if action is not self.open_action:
                action.setVisible(can_manage)
        self.review_action = self.add_action(
            tr("Record &review…"),
            self.record_review,
            icon=icon("reviews"),
            needs_row=True,
            name="recordReview",
        )
        self.review_action.setVisible(self.session.can(Permission.RECORD_REVIEWS))
        self.update_actions()

    def update_actions(self) -> None:
        """What the selected booking's status and dates allow; the others say why not."""
        row = self.selected()
        if row is None:
            return  # every action here needs a row: the page says to select one
        blockers = {
            self.confirm_action: confirm_blocker(row),
            self.change_action: change_blocker(row),
            self.cancel_action: change_blocker(row),
            self.complete_action: completion_blocker(row, today()),
            self.review_action: review_blocker(row),
        }
        for action, why_not in blockers.items():
            self.set_action(action, not why_not, why_not)

    def current_filter(self) -> BookingFilter:
        # Qt hands a str enum back as a plain str: make it the enum again.
        status = BookingStatus(self.status.currentData()) if self.status.currentData() else None
        payment = PaymentStatus(self.payment.currentData()) if self.payment.currentData() else None
        use_dates = self.use_dates.isChecked()
        return BookingFilter(
            text=self.search.text(),
            statuses=frozenset({status}) if status else frozenset(),
            payment_statuses=frozenset({payment}) if payment else frozenset(),
            destination_id=self.destination.currentData(),
            stay_from=pydate(self.stay_from.date()) if use_dates else None,
            stay_to=pydate(self.stay_to.date()) if use_dates else None,
        )

    def fetch_page(self, f: BookingFilter, request: PageRequest) -> Page[BookingRow]:
        return self.session.office.bookings.page(self.session.actor, f, request)

    def count_rows(self, f: BookingFilter) -> RowCount:
        return self.session.office.bookings.count(self.session.actor, f)

    # -- actions -------------------------------------------------------------------

    def open_row(self, row: BookingRow) -> None:
        from desktop.ui.dialogs.booking_details import BookingDetailsDialog

        dialog = BookingDetailsDialog(self.session, row, self)
        dialog.saved.connect(self.row_saved)
        open_dialog(dialog)

    def new_booking(self) -> None:
        from desktop.ui.dialogs.new_booking import NewBookingDialog

        dialog = NewBookingDialog(self.session, self)
        dialog.saved.connect(lambda _row: self.refresh())
        open_dialog(dialog)

    def confirm(self) -> None:
        row = self.selected()
        if row is None:
            return
        office, actor = self.session.office, self.session.actor
        self.run(lambda: office.bookings.confirm(actor, row.id, row.version), self.row_saved)

    def complete(self) -> None:
        row = self.selected()
        if row is None:
            return
        office, actor = self.session.office, self.session.actor
        self.run(lambda: office.bookings.complete(actor, row.id, row.version), self.row_saved)

    def change_stay(self) -> None:
        from desktop.ui.dialogs.change_stay import ChangeStayDialog

        self._dialog(ChangeStayDialog)

    def cancel(self) -> None:
        from desktop.ui.dialogs.cancel_booking import CancelBookingDialog

        self._dialog(CancelBookingDialog)

    def record_payment(self) -> None:
        from desktop.ui.dialogs.payment import PaymentDialog

        self._dialog(PaymentDialog)

    def record_review(self) -> None:
        """The customer's review of this completed stay (customer and stay filled in)."""
        from desktop.ui.dialogs.record_review import RecordReviewDialog, review_news

        row = self.selected()
        if row is None:
            return
        dialog = RecordReviewDialog(self.session, self, booking=row)
        dialog.saved.connect(lambda recorded: self.tell(review_news(recorded)))
        open_dialog(dialog)

    def _dialog(self, dialog_class: type) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = dialog_class(self.session, row, self)
        dialog.saved.connect(self.row_saved)
        open_dialog(dialog)

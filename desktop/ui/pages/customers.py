"""The Customers page: the people who book, found by name, e-mail or phone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication

from desktop.domain.listing import Page, PageRequest, PersonFilter, RowCount
from desktop.domain.permissions import Permission
from desktop.domain.records import PersonRow
from desktop.ui.dialogs import open_dialog
from desktop.ui.pages.people import PeoplePage
from desktop.ui.resources import icon
from desktop.ui.table_model import Column, ColumnKind

K = ColumnKind


def tr(text: str) -> str:
    return QCoreApplication.translate("Customers", text)


def _since(person: PersonRow) -> date | None:
    """The day the record was created, on this computer's calendar."""
    return person.created_at.astimezone().date() if person.created_at else None


class CustomersPage(PeoplePage):
    title = "Customers"
    list_name = "customers"
    icon_name = "customers"

    def column_widths(self) -> dict[str, int]:
        return {"name": 240, "email": 280, "phone": 180}

    def columns(self) -> Sequence[Column[PersonRow]]:
        return [
            Column("name", tr("Name"), lambda p: p.name),
            Column("email", tr("E-mail"), lambda p: p.email),
            Column("phone", tr("Phone"), lambda p: p.phone or ""),
            Column("created_at", tr("Customer since"), _since, K.DATE),
        ]

    def nouns(self) -> tuple[str, str]:
        return tr("customer"), tr("customers")

    def current_filter(self) -> PersonFilter:
        return PersonFilter(text=self.search.text())

    def fetch_page(self, f: PersonFilter, request: PageRequest) -> Page[PersonRow]:
        return self.session.office.customers.page(self.session.actor, f, request)

    def count_rows(self, f: PersonFilter) -> RowCount:
        return self.session.office.customers.count(self.session.actor, f)

    # -- actions -------------------------------------------------------------------

    def build_actions(self) -> None:
        self.add_record_actions(
            "Customer",
            tr("&New customer…"),
            self.new_customer,
            can_manage=self.session.can(Permission.MANAGE_CUSTOMERS),
        )
        self.bookings_action = self.add_action(
            tr("&Bookings of this customer"),
            self.show_bookings,
            icon=icon("bookings"),
            needs_row=True,
            name="customerBookings",
        )
        self.bookings_action.setVisible(self.session.can(Permission.VIEW_BOOKINGS))
        self.update_actions()

    def update_actions(self) -> None:
        row = self.selected()
        self.edit_action.setEnabled(row is not None)
        self.open_action.setEnabled(row is not None)
        self.bookings_action.setEnabled(row is not None and self._bookings_page() is not None)

    def open_row(self, row: PersonRow) -> None:
        from desktop.ui.dialogs.customer_editor import CustomerEditor

        dialog = CustomerEditor(self.session, row, self)
        dialog.saved.connect(self.row_saved)
        open_dialog(dialog)

    def new_customer(self) -> None:
        from desktop.ui.dialogs.customer_editor import CustomerEditor

        dialog = CustomerEditor(self.session, None, self)
        dialog.saved.connect(self._created)
        open_dialog(dialog)

    def _created(self, row: PersonRow) -> None:
        self.tell(tr("{0} was added as a customer.").format(row.name))
        self.reload_selecting(row.id)  # the new row shows selected: the actions are for it

    def _bookings_page(self) -> Any:
        """The window's Bookings page, when this page sits in a window that has one."""
        pages = getattr(self.window(), "pages", None)
        return pages.get("bookings") if isinstance(pages, dict) else None

    def show_bookings(self) -> None:
        """Switch to the Bookings page, searching for this customer's e-mail (it is unique)."""
        row = self.selected()
        bookings = self._bookings_page()
        show_page = getattr(self.window(), "show_page", None)
        if row is None or bookings is None or show_page is None:
            return
        bookings.search.blockSignals(True)  # one query below, not another after a typing pause
        bookings.search.setText(row.email)
        bookings.search.blockSignals(False)
        show_page("bookings")
        bookings.requery()

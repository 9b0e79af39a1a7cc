"""The Bookings page over a real database: rows, sorting, filters, the row count."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.enums import BookingStatus
from desktop.domain.permissions import Actor
from desktop.services.bookings import NewBooking
from desktop.services.people import PersonDetails
from desktop.ui.pages.bookings import BookingsPage
from desktop.ui.table_model import ROW_ROLE
from tests.services.conftest import FakeClock, destination_draft
from tests.ui.conftest import make_session, settle


def _book_three(office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock) -> list[int]:
    lagoon = office.destinations.create(admin, destination_draft(name="Lagoon Villas"))
    jungle = office.destinations.create(admin, destination_draft(name="Jungle Lodge"))
    ids = []
    for n, (name, dest) in enumerate(
        [("Ann Lee", lagoon), ("Bob Ray", jungle), ("Cy Hart", lagoon)]
    ):
        customer = office.customers.create(agent, PersonDetails(name, f"c{n}@example.com"))
        start = clock.today() + timedelta(days=10 + 10 * n)
        booking = office.bookings.create(
            agent, NewBooking(customer.id, dest.id, start, start + timedelta(days=5), 1 + n)
        )
        ids.append(booking.id)
    return ids


def _shown_ids(page: BookingsPage) -> list[int]:
    model = page.model
    return [
        model.index(r, 0).data(ROW_ROLE).id
        for r in range(model.rowCount())
        if model.index(r, 0).data(ROW_ROLE) is not None
    ]


def test_lists_newest_first_sorts_by_header_and_filters(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    ids = _book_three(office, admin, agent, clock)
    page = BookingsPage(make_session(office, agent))
    qtbot.addWidget(page)
    page.show()
    page.start()
    settle(qtbot)
    assert _shown_ids(page) == list(reversed(ids))
    assert page.count_label.text() == "3 bookings"

    customer_column = [c.key for c in page.model.columns].index("customer_name")
    page.view.horizontalHeader().setSortIndicator(customer_column, Qt.SortOrder.AscendingOrder)
    settle(qtbot)
    assert [page.model.row(i).customer_name for i in range(3)] == ["Ann Lee", "Bob Ray", "Cy Hart"]

    qtbot.keyClicks(page.search, "jungle")
    qtbot.waitUntil(lambda: _shown_ids(page) == [ids[1]], timeout=5000)
    settle(qtbot)
    assert page.count_label.text() == "1 booking"

    page.search.clear()
    page.status.setCurrentIndex(page.status.findData(BookingStatus.PENDING))
    settle(qtbot)
    assert page.model.failed is None
    assert sorted(_shown_ids(page)) == sorted(ids), "all three are pending"
    page.status.setCurrentIndex(page.status.findData(BookingStatus.CONFIRMED))
    settle(qtbot)
    assert page.model.failed is None
    assert _shown_ids(page) == []
    assert not page._debounce.isActive(), "a filter change runs the pending search at once"

"""The Audit log page over a real database: the trail, its filters, one entry's diff."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.errors import AuthenticationFailed, PermissionDenied
from desktop.domain.listing import AuditFilter, PageRequest, Sort
from desktop.domain.permissions import Actor
from desktop.domain.records import AuditRow
from desktop.services.bookings import NewBooking, StayChange
from desktop.services.people import PersonDetails
from desktop.ui.dialogs.audit_entry import (
    ADDED,
    ADDED_COLOR,
    AFTER,
    BEFORE,
    CHANGE_ROLE,
    REMOVED,
    REMOVED_COLOR,
    AuditEntryDialog,
)
from desktop.ui.formats import format_money, long_date, long_datetime
from desktop.ui.main_window import PAGES, MainWindow
from desktop.ui.pages.audit import AuditPage
from tests.services.conftest import FakeClock, destination_draft
from tests.ui.conftest import make_session, settle


def _history(office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock) -> dict[str, int]:
    """A destination repriced, a booking moved, a failed sign-in: the trail to read."""
    lagoon = office.destinations.create(admin, destination_draft(name="Lagoon Villas"))
    office.destinations.update(
        admin,
        lagoon.id,
        lagoon.version,
        replace(destination_draft(name="Lagoon Villas"), price=Decimal("1350.00")),
    )
    customer = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    start = clock.today() + timedelta(days=20)
    booking = office.bookings.create(
        agent, NewBooking(customer.id, lagoon.id, start, start + timedelta(days=5), 2)
    )
    office.bookings.change_stay(
        agent,
        booking.id,
        booking.version,
        StayChange(start + timedelta(days=1), start + timedelta(days=8), 3, "Late arrival"),
    )
    with pytest.raises(AuthenticationFailed):
        office.auth.sign_in("nobody@office.example", "wrong password!")
    return {"destination": lagoon.id, "booking": booking.id, "customer": customer.id}


def _open_page(qtbot: QtBot, office: BackOffice, actor: Actor) -> AuditPage:
    page = AuditPage(make_session(office, actor))
    qtbot.addWidget(page)
    page.resize(1200, 500)
    page.show()
    page.start()
    settle(qtbot)
    return page


def _entries(page: AuditPage) -> list[AuditRow]:
    return page.model.rows()


def _actions(page: AuditPage) -> list[str]:
    return [e.action for e in _entries(page)]


def _cell(page: AuditPage, position: int, key: str) -> str:
    column = [c.key for c in page.model.columns].index(key)
    return str(page.model.index(position, column).data())


def _open_entry(qtbot: QtBot, page: AuditPage, action: str) -> AuditEntryDialog:
    position = _actions(page).index(action)
    page.view.setCurrentIndex(page.model.index(position, 0))
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    dialogs = [d for d in page.findChildren(AuditEntryDialog) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def _row_of(dialog: AuditEntryDialog, label: str) -> int:
    return [r[0] for r in dialog.rows()].index(label)


def test_lists_the_trail_newest_first_with_who_what_and_where(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    ids = _history(office, admin, agent, clock)
    page = _open_page(qtbot, office, admin)
    entries = _entries(page)
    stored = office.audit.page(admin, AuditFilter(), PageRequest(Sort("id"), limit=1000)).rows
    assert len(entries) == len(stored)
    assert page.count_label.text() == f"{len(stored)} entries"
    assert [e.id for e in entries] == sorted((e.id for e in stored), reverse=True)
    assert entries[0].action == "auth.sign_in_failed"
    assert _cell(page, 0, "user_id") == "—"
    assert _cell(page, 1, "user_id") == "Alex Agent"
    assert _cell(page, 1, "action") == "Booking changed"
    assert _cell(page, 1, "resource_type") == f"Booking #{ids['booking']}"
    assert _cell(page, 0, "resource_type") == "Person"  # a failed sign-in names nobody
    assert _cell(page, 1, "ip_address") == "10.20.30.40"
    assert _cell(page, 1, "user_agent") == "ExoticTravelBackOffice/test"


def test_filters_narrow_the_trail(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    ids = _history(office, admin, agent, clock)
    page = _open_page(qtbot, office, admin)
    everything = len(_entries(page))
    assert page.action.findData("destination.update") >= 0  # filled from the trail
    assert page.who is not None
    assert page.who.findText("Alex Agent") >= 0

    page.action.setCurrentIndex(page.action.findData("destination.update"))
    settle(qtbot)
    assert _actions(page) == ["destination.update"]
    assert page.count_label.text() == "1 entry"

    page.action.setCurrentIndex(page.action.findData(""))
    page.resource_type.setCurrentIndex(page.resource_type.findData("booking"))
    settle(qtbot)
    assert _actions(page) == ["booking.change", "booking.create"]

    page.resource_type.setCurrentIndex(page.resource_type.findData(""))
    page.who.setCurrentIndex(page.who.findText("Alex Agent"))
    settle(qtbot)
    assert sorted(_actions(page)) == ["booking.change", "booking.create", "customer.create"]

    page.who.setCurrentIndex(0)
    page.use_dates.setChecked(True)  # the last week, up to today
    settle(qtbot)
    assert len(_entries(page)) == everything
    page.until.setDate(QDate.currentDate().addDays(-1))
    settle(qtbot)
    assert _entries(page) == []
    assert page.count_label.text() == "0 entries"

    page.use_dates.setChecked(False)
    page.resource_type.setCurrentIndex(page.resource_type.findData("user"))
    settle(qtbot)
    qtbot.keyClicks(page.resource_id, f"x{ids['customer']}")  # only digits are taken
    assert page.resource_id.text() == str(ids["customer"])
    qtbot.waitUntil(lambda: _actions(page) == ["customer.create"], timeout=5000)
    settle(qtbot)


def test_an_entry_shows_before_and_after_with_the_changes_marked(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    _history(office, admin, agent, clock)
    page = _open_page(qtbot, office, admin)

    dialog = _open_entry(qtbot, page, "booking.change")
    entry = dialog.entry
    assert entry.old_values is not None
    assert entry.new_values is not None
    assert dialog.who.text() == f"Alex Agent (#{agent.id})"
    assert dialog.where.text() == "10.20.30.40"
    assert dialog.agent.text() == "ExoticTravelBackOffice/test"
    assert dialog.when.text() == long_datetime(entry.created_at)  # "Mon 7 Dec 2026, 15:04"
    start = clock.today() + timedelta(days=20)
    rows = {r[0]: r[1:] for r in dialog.rows()}
    # A dialog says dates in full, as every dialog does.
    assert rows["Start date"] == (long_date(start), long_date(start + timedelta(days=1)))
    assert rows["End date"] == (
        long_date(start + timedelta(days=5)),
        long_date(start + timedelta(days=8)),
    )
    assert rows["Guests"] == ("2", "3")
    assert rows["Total price"] == (
        format_money(Decimal(entry.old_values["total_price"])),
        format_money(Decimal(entry.new_values["total_price"])),
    )
    assert rows["Special requests"] == ("—", "Late arrival")
    guests = _row_of(dialog, "Guests")
    before, after = dialog.table.item(guests, BEFORE), dialog.table.item(guests, AFTER)
    assert before is not None
    assert after is not None
    assert before.data(CHANGE_ROLE) == REMOVED
    assert before.background().color() == REMOVED_COLOR
    assert after.data(CHANGE_ROLE) == ADDED
    assert after.background().color() == ADDED_COLOR
    dialog.reject()

    dialog = _open_entry(qtbot, page, "destination.update")
    price = ("Price per person", format_money(Decimal(1200)), format_money(Decimal(1350)))
    assert dialog.rows() == [price]
    dialog.reject()

    dialog = _open_entry(qtbot, page, "destination.create")
    features = _row_of(dialog, "Features")
    assert dialog.rows()[features] == ("Features", "", "snorkelling, spa")
    item = dialog.table.item(features, AFTER)
    assert item is not None
    assert item.data(CHANGE_ROLE) == ADDED
    dialog.reject()

    dialog = _open_entry(qtbot, page, "auth.sign_in_failed")
    assert dialog.who.text().startswith("—")
    assert dialog.rows() == [("E-mail", "", "nobody@office.example")]
    dialog.reject()


def test_moderators_read_the_trail_without_the_staff_filter(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, moderator: Actor
) -> None:
    page = _open_page(qtbot, office, moderator)
    assert page.who is None
    assert "staff.create" in _actions(page)
    assert page.problem_label.text() == ""


def test_counter_agents_have_no_audit_log(qtbot: QtBot, office: BackOffice, agent: Actor) -> None:
    with pytest.raises(PermissionDenied):
        office.audit.page(agent, AuditFilter(), PageRequest(Sort("created_at", True)))
    with pytest.raises(PermissionDenied):
        office.audit.actions(agent)
    session = make_session(office, agent)
    audit_spec = next(spec for spec in PAGES if spec.key == "audit")
    assert not session.can(audit_spec.permission)

    window = MainWindow(session)
    qtbot.addWidget(window)
    settle(qtbot)
    assert "audit" not in window.pages
    assert "staff" not in window.pages
    window.close()


def test_an_entry_says_its_action_in_the_words_the_list_uses(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    ids = _history(office, admin, agent, clock)
    page = _open_page(qtbot, office, admin)

    for action in ("booking.change", "auth.sign_in_failed", "destination.update"):
        position = _actions(page).index(action)
        listed = _cell(page, position, "action")
        dialog = _open_entry(qtbot, page, action)
        heading = dialog.heading.text()
        assert heading.startswith(listed), (heading, listed)
        assert listed in dialog.windowTitle()
        assert action not in heading
        assert action not in dialog.windowTitle()
        assert dialog.heading.toolTip().startswith(f"Recorded as {action}")  # the code, on demand
        dialog.reject()

    dialog = _open_entry(qtbot, page, "booking.change")
    assert dialog.heading.text() == f"Booking changed — Booking #{ids['booking']}"
    dialog.reject()
    dialog = _open_entry(qtbot, page, "auth.sign_in_failed")
    assert dialog.heading.text() == "Failed sign-in — Person"
    assert dialog.windowTitle().startswith(f"Audit entry #{dialog.entry.id} — Failed sign-in")
    dialog.reject()


def test_stored_pictures_read_as_words_in_an_entry(qtbot: QtBot) -> None:
    digest = "ab" * 32
    entry = AuditRow(
        id=7,
        user_id=None,
        actor_name=None,
        action="destination.update",
        resource_type="destination",
        resource_id=3,
        old_values={"images": ["/home/ann/villa.jpg"]},
        new_values={"images": [f"db-image:{digest}", "https://example.com/a.jpg"]},
        ip_address=None,
        user_agent=None,
        created_at=None,
    )
    dialog = AuditEntryDialog(entry)
    qtbot.addWidget(dialog)
    assert dialog.rows() == [
        (
            "Images",
            "/home/ann/villa.jpg",
            f"picture stored in the database ({digest[:12]}…), https://example.com/a.jpg",
        )
    ]
    assert dialog.heading.text() == "Destination changed — Destination #3"


def test_another_clients_action_shows_as_recorded(qtbot: QtBot) -> None:
    entry = AuditRow(
        id=8,
        user_id=None,
        actor_name=None,
        action="web.checkout",
        resource_type="cart",
        resource_id=None,
        old_values=None,
        new_values=None,
        ip_address=None,
        user_agent=None,
        created_at=None,
    )
    dialog = AuditEntryDialog(entry)
    qtbot.addWidget(dialog)
    assert dialog.heading.text() == "web.checkout — cart"

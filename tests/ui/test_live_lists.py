"""Two workstations on one database: what A commits, B's open list shows within a second."""

from __future__ import annotations

import time
from datetime import timedelta

from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.enums import BookingStatus
from desktop.domain.permissions import Actor
from desktop.services.bookings import NewBooking, StayChange
from desktop.services.people import PersonDetails
from desktop.ui.live import LiveUpdates
from desktop.ui.pages.bookings import BookingsPage
from tests.services.conftest import FakeClock, destination_draft
from tests.ui.conftest import SECOND_MS, make_session, settle


def _listening_page(
    qtbot: QtBot, office: BackOffice, actor: Actor
) -> tuple[BookingsPage, LiveUpdates]:
    page = BookingsPage(make_session(office, actor))
    qtbot.addWidget(page)
    live = LiveUpdates(office, page)
    page.attach_live(live)
    connected: list[bool] = []
    live.connection_changed.connect(connected.append)
    live.start()
    qtbot.waitUntil(lambda: connected == [True], timeout=10 * SECOND_MS)
    page.resize(1200, 600)
    page.show()
    page.start()
    settle(qtbot)
    return page, live


def _ids(page: BookingsPage) -> list[int]:
    return [row.id for row in page.model.rows()]


def test_a_booking_made_changed_and_cancelled_in_a_shows_in_b_within_a_second(
    qtbot: QtBot,
    office: BackOffice,
    office_b: BackOffice,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
) -> None:
    dest = office.destinations.create(admin, destination_draft())
    ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    page, live = _listening_page(qtbot, office_b, agent)
    page.status.setCurrentIndex(page.status.findData(BookingStatus.PENDING))
    settle(qtbot)
    assert _ids(page) == []

    start = clock.today() + timedelta(days=9)
    made = office.bookings.create(
        agent, NewBooking(ann.id, dest.id, start, start + timedelta(days=7), 2)
    )
    committed = time.monotonic()
    qtbot.waitUntil(lambda: _ids(page) == [made.id], timeout=SECOND_MS)
    assert time.monotonic() - committed < 1.0

    changed = office.bookings.change_stay(
        agent, made.id, made.version, StayChange(made.start_date, made.end_date, 3, None)
    )
    qtbot.waitUntil(
        lambda: bool(page.model.rows()) and page.model.rows()[0].guests == 3, timeout=SECOND_MS
    )
    assert page.model.rows()[0].total_price == changed.total_price

    office.bookings.cancel(agent, changed.id, changed.version, "Plans changed")
    qtbot.waitUntil(lambda: _ids(page) == [], timeout=SECOND_MS)
    live.stop()


def test_new_rows_above_a_scrolled_list_wait_behind_the_show_bar(
    qtbot: QtBot,
    office: BackOffice,
    office_b: BackOffice,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
) -> None:
    dest = office.destinations.create(admin, destination_draft())
    ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    start = clock.today() + timedelta(days=3)
    for n in range(60):
        day = start + timedelta(days=3 * n)
        office.bookings.create(agent, NewBooking(ann.id, dest.id, day, day + timedelta(days=2), 1))
    page, live = _listening_page(qtbot, office_b, agent)
    page.view.scrollToBottom()
    settle(qtbot)
    first_seen = page.view.rowAt(0)
    assert first_seen > 0
    looking_at = page.model.row(first_seen)

    late = start + timedelta(days=400)
    newest = office.bookings.create(
        agent, NewBooking(ann.id, dest.id, late, late + timedelta(days=2), 1)
    )
    qtbot.waitUntil(page.news.isVisible, timeout=SECOND_MS)
    assert "1 new booking" in page.news.label.text()
    assert page.model.row(first_seen) == looking_at, "nothing moved under the person's eyes"
    assert newest.id not in _ids(page)

    page.news.button.click()
    settle(qtbot)
    assert _ids(page)[0] == newest.id
    assert page.news.isHidden()
    live.stop()


def test_saving_pauses_while_offline_and_forms_keep_what_was_typed(
    qtbot: QtBot, office: BackOffice, agent: Actor
) -> None:
    from desktop.ui.dialogs.customer_editor import CustomerEditor
    from desktop.ui.live import connection

    page, live = _listening_page(qtbot, office, agent)
    editor = CustomerEditor(make_session(office, agent), None, page)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.keyClicks(editor.name, "Ann Lee")
    qtbot.keyClicks(editor.email, "ann@example.com")
    qtbot.waitUntil(editor.save_button.isEnabled)

    connection().set_online(False)
    assert not editor.save_button.isEnabled()
    assert "Saving is paused" in editor.save_button.toolTip()
    assert not page.new_action.isEnabled()
    assert editor.name.text() == "Ann Lee"

    connection().set_online(True)
    assert editor.save_button.isEnabled()
    assert page.new_action.isEnabled()
    live.stop()

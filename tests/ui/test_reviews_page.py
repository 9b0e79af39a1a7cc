"""The Reviews page over a real database: filters, moderation, helpful votes, reading one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.listing import PageRequest, ReviewFilter, Sort
from desktop.domain.permissions import Actor
from desktop.domain.records import DestinationRow
from desktop.services.bookings import NewBooking
from desktop.services.people import PersonDetails
from desktop.services.reviews import NewReview
from desktop.ui.dialogs.review_view import ReviewDialog
from desktop.ui.formats import long_datetime
from desktop.ui.pages.reviews import ReviewsPage
from tests.factories import let_days_pass
from tests.services.conftest import FakeClock, destination_draft
from tests.ui.conftest import make_session, settle


@dataclass
class Stays:
    lagoon: DestinationRow
    jungle: DestinationRow


def _reviewed_stays(office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock) -> Stays:
    """Four completed stays, each reviewed: three of Lagoon Villas (5, 4, 2), one of Jungle."""
    lagoon = office.destinations.create(admin, destination_draft())
    jungle = office.destinations.create(admin, destination_draft(name="Jungle Lodge"))
    ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    bob = office.customers.create(agent, PersonDetails("Bob Ray", "bob@example.com"))
    cy = office.customers.create(agent, PersonDetails("Cy Hart", "cy@example.com"))
    plan = [
        (ann, lagoon, 10, 5, "Perfect house reef.\nWe would come back tomorrow."),
        (bob, lagoon, 20, 4, "Lovely staff"),
        (cy, lagoon, 30, 2, "Too windy for us"),
        (ann, jungle, 10, 3, "Rainy but fun"),
    ]
    bookings = []
    for customer, dest, offset, _rating, _comment in plan:
        start = clock.today() + timedelta(days=offset)
        booking = office.bookings.create(
            agent, NewBooking(customer.id, dest.id, start, start + timedelta(days=5), 2)
        )
        bookings.append(office.bookings.confirm(agent, booking.id, booking.version))
    let_days_pass(office.engine, 40)  # "today" is the server's: the stays move into the past
    for booking, (customer, _dest, _offset, rating, comment) in zip(bookings, plan, strict=True):
        ended = office.bookings.get(agent, booking.id)
        done = office.bookings.complete(agent, ended.id, ended.version)
        office.reviews.create(agent, NewReview(customer.id, done.id, rating, comment))
    return Stays(
        office.destinations.get(admin, lagoon.id), office.destinations.get(admin, jungle.id)
    )


def _open_page(qtbot: QtBot, office: BackOffice, actor: Actor) -> ReviewsPage:
    page = ReviewsPage(make_session(office, actor))
    qtbot.addWidget(page)
    page.resize(1200, 500)
    page.show()
    page.start()
    settle(qtbot)
    return page


def _comments(page: ReviewsPage) -> list[str | None]:
    return [row.comment for row in page.model.rows()]


def _wait_comments(qtbot: QtBot, page: ReviewsPage, expected: list[str]) -> None:
    qtbot.waitUntil(
        lambda: _comments(page) == expected and not page.model.is_loading(), timeout=5000
    )
    settle(qtbot)


def _select(qtbot: QtBot, page: ReviewsPage, comment: str) -> None:
    index = page.model.index(_comments(page).index(comment), 0)
    qtbot.mouseClick(
        page.view.viewport(), Qt.MouseButton.LeftButton, pos=page.view.visualRect(index).center()
    )
    assert page.selected().comment == comment


PERFECT = "Perfect house reef.\nWe would come back tomorrow."
ALL_NEWEST_FIRST = ["Rainy but fun", "Too windy for us", "Lovely staff", PERFECT]


def test_lists_filters_and_sorts(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    stays = _reviewed_stays(office, admin, agent, clock)
    page = _open_page(qtbot, office, agent)
    assert _comments(page) == ALL_NEWEST_FIRST
    assert page.count_label.text() == "4 reviews"
    columns = [c.key for c in page.model.columns]
    row = _comments(page).index(PERFECT)
    assert page.model.index(row, columns.index("rating")).data() == "★★★★★"
    assert page.model.index(row, columns.index("comment")).data() == "Perfect house reef. …"
    assert page.model.index(row, columns.index("destination_name")).data() == "Lagoon Villas"
    assert page.model.index(row, columns.index("customer_name")).data() == "Ann Lee"
    assert page.model.index(row, columns.index("booking_id")).data().startswith("#")

    page.rating.setCurrentIndex(page.rating.findData(4))
    _wait_comments(qtbot, page, ["Lovely staff"])
    page.rating.setCurrentIndex(0)
    _wait_comments(qtbot, page, ALL_NEWEST_FIRST)

    qtbot.waitUntil(lambda: page.destination.count() == 3, timeout=3000)
    page.destination.setCurrentIndex(page.destination.findData(stays.jungle.id))
    _wait_comments(qtbot, page, ["Rainy but fun"])
    page.destination.setCurrentIndex(0)
    _wait_comments(qtbot, page, ALL_NEWEST_FIRST)

    qtbot.keyClicks(page.search, "REEF")  # a part of the comment, whatever the case
    _wait_comments(qtbot, page, [PERFECT])
    assert page.count_label.text() == "1 review"
    page.search.clear()
    _wait_comments(qtbot, page, ALL_NEWEST_FIRST)

    header = page.view.horizontalHeader()
    header.setSortIndicator(columns.index("rating"), Qt.SortOrder.AscendingOrder)
    _wait_comments(qtbot, page, ["Too windy for us", "Rainy but fun", "Lovely staff", PERFECT])
    # The comment column cannot be sorted by: a click leaves the order (and the arrow) alone.
    header.setSortIndicator(columns.index("comment"), Qt.SortOrder.AscendingOrder)
    settle(qtbot)
    assert header.sortIndicatorSection() == columns.index("rating")
    assert _comments(page) == ["Too windy for us", "Rainy but fun", "Lovely staff", PERFECT]


def test_moderator_deletes_a_review_and_sees_the_new_rating(
    qtbot: QtBot,
    office: BackOffice,
    admin: Actor,
    agent: Actor,
    moderator: Actor,
    clock: FakeClock,
) -> None:
    stays = _reviewed_stays(office, admin, agent, clock)
    assert stays.lagoon.rating == Decimal("3.67")
    page = _open_page(qtbot, office, moderator)
    assert page.delete_action.isVisible()
    _select(qtbot, page, "Too windy for us")
    page.delete_action.trigger()
    box = page.findChild(QMessageBox, "confirmDelete")
    assert box is not None
    qtbot.waitUntil(box.isVisible, timeout=2000)
    assert "Cy Hart's 2-star review of Lagoon Villas" in box.text()
    qtbot.mouseClick(box.findChild(QPushButton, "confirmDeleteButton"), Qt.MouseButton.LeftButton)

    expected = "Review deleted. Lagoon Villas is now rated 4.50 from 2 reviews."
    qtbot.waitUntil(lambda: page.notice.text() == expected, timeout=5000)
    _wait_comments(qtbot, page, ["Rainy but fun", "Lovely staff", PERFECT])
    assert page.count_label.text() == "3 reviews"
    lagoon = office.destinations.get(admin, stays.lagoon.id)
    assert (lagoon.rating, lagoon.review_count) == (Decimal("4.50"), 2)


def test_cancelling_the_confirmation_keeps_the_review(
    qtbot: QtBot,
    office: BackOffice,
    admin: Actor,
    agent: Actor,
    moderator: Actor,
    clock: FakeClock,
) -> None:
    _reviewed_stays(office, admin, agent, clock)
    page = _open_page(qtbot, office, moderator)
    _select(qtbot, page, "Lovely staff")
    page.delete_action.trigger()
    box = page.findChild(QMessageBox, "confirmDelete")
    assert box is not None
    qtbot.waitUntil(box.isVisible, timeout=2000)
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert office.reviews.count(moderator, ReviewFilter()).value == 4
    assert page.notice.text() == ""


def test_agents_mark_helpful_but_cannot_delete(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    _reviewed_stays(office, admin, agent, clock)
    page = _open_page(qtbot, office, agent)
    assert not page.delete_action.isVisible()
    assert page.helpful_action.isVisible()
    _select(qtbot, page, "Lovely staff")
    page.helpful_action.trigger()
    settle(qtbot)
    row = _comments(page).index("Lovely staff")
    helpful = [c.key for c in page.model.columns].index("helpful_count")
    qtbot.waitUntil(lambda: page.model.index(row, helpful).data() == "1", timeout=3000)
    review = page.model.row(row)
    assert "1 person found this review of Lagoon Villas helpful" in page.notice.text()

    # One vote per person: the action says so at once, instead of a refusal after a click.
    assert review.voted_by_me
    assert not page.helpful_action.isEnabled()
    assert page.helpful_action.toolTip() == "You marked this review helpful already."
    page.helpful_action.trigger()
    settle(qtbot)
    assert page.findChild(QMessageBox, "errorDialog") is None
    assert office.reviews.get(agent, review.id).helpful_count == 1
    # Another review, not voted for yet, can be marked; the vote is the agent's own.
    _select(qtbot, page, "Too windy for us")
    assert page.helpful_action.isEnabled()
    _select(qtbot, page, "Lovely staff")
    assert not page.helpful_action.isEnabled()


def test_a_vote_given_elsewhere_shows_when_the_list_is_opened(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    _reviewed_stays(office, admin, agent, clock)
    lovely = next(
        r
        for r in office.reviews.page(agent, ReviewFilter(), PageRequest(Sort("id"))).rows
        if r.comment == "Lovely staff"
    )
    office.reviews.mark_helpful(admin, lovely.id)  # someone else's vote: not the agent's
    office.reviews.mark_helpful(agent, lovely.id)  # the agent's, on another workstation
    page = _open_page(qtbot, office, agent)
    _select(qtbot, page, "Lovely staff")
    assert not page.helpful_action.isEnabled()
    assert page.helpful_action.toolTip() == "You marked this review helpful already."

    mine = _open_page(qtbot, office, admin)
    _select(qtbot, mine, "Perfect house reef.\nWe would come back tomorrow.")
    assert mine.helpful_action.isEnabled()  # the admin voted for another review only


def test_enter_opens_the_whole_review(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    _reviewed_stays(office, admin, agent, clock)
    page = _open_page(qtbot, office, agent)
    _select(qtbot, page, PERFECT)
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.findChild(ReviewDialog) is not None, timeout=2000)
    dialog = page.findChild(ReviewDialog)
    assert dialog is not None
    assert dialog.comment.toPlainText() == PERFECT
    assert dialog.comment.isReadOnly()
    assert "Lagoon Villas" in dialog.windowTitle()
    written = page.selected().created_at
    assert written is not None
    assert dialog.written.text() == long_datetime(written)  # "Mon 7 Dec 2026, 15:04"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.findChild(ReviewDialog) is None, timeout=2000)

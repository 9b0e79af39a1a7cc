"""Recording a review in the window: from the Reviews page and from a completed booking.

A person searches the customer, picks a completed stay without a review,
clicks or types the stars, writes the comment and saves; the destination's
rating follows at once, in the list and in an open editor.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.enums import BookingStatus
from desktop.domain.listing import ReviewFilter
from desktop.domain.permissions import Actor
from desktop.domain.records import BookingRow, DestinationRow, PersonRow
from desktop.services.bookings import NewBooking
from desktop.services.people import PersonDetails
from desktop.services.reviews import NewReview
from desktop.ui.dialogs.destination_editor import DestinationEditor
from desktop.ui.dialogs.record_review import RecordReviewDialog
from desktop.ui.live import LiveUpdates, set_current_live
from desktop.ui.pages.bookings import BookingsPage
from desktop.ui.pages.destinations import DestinationsPage
from desktop.ui.pages.reviews import ReviewsPage
from desktop.ui.widgets.star_rating import StarRating
from tests.factories import let_days_pass
from tests.services.conftest import FakeClock, destination_draft
from tests.ui.conftest import SECOND_MS, make_session, settle


@dataclass
class Stays:
    lagoon: DestinationRow
    ann: PersonRow
    reviewed: BookingRow  # completed, reviewed (5 stars)
    open_stay: BookingRow  # completed, no review yet
    pending: BookingRow  # not stayed yet


def _stays(office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock) -> Stays:
    lagoon = office.destinations.create(admin, destination_draft())
    ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    office.customers.create(agent, PersonDetails("Bob Ray", "bob@example.com"))
    made = []
    for offset in (10, 20):
        start = clock.today() + timedelta(days=offset)
        booking = office.bookings.create(
            agent, NewBooking(ann.id, lagoon.id, start, start + timedelta(days=5), 2)
        )
        made.append(office.bookings.confirm(agent, booking.id, booking.version))
    let_days_pass(office.engine, 40)  # both stays are over ("today" is the server's)
    made = [office.bookings.get(agent, b.id) for b in made]
    done = [office.bookings.complete(agent, b.id, b.version) for b in made]
    office.reviews.create(agent, NewReview(ann.id, done[0].id, 5, "Perfect house reef"))
    start = clock.today() + timedelta(days=30)
    pending = office.bookings.create(
        agent, NewBooking(ann.id, lagoon.id, start, start + timedelta(days=3), 1)
    )
    return Stays(office.destinations.get(admin, lagoon.id), ann, done[0], done[1], pending)


def _dialog(qtbot: QtBot, parent: QWidget) -> RecordReviewDialog:
    def shown() -> list[RecordReviewDialog]:
        return [d for d in parent.findChildren(RecordReviewDialog) if d.isVisible()]

    qtbot.waitUntil(lambda: len(shown()) == 1, timeout=3000)
    return shown()[0]


def _click_star(qtbot: QtBot, rating: StarRating, star: int) -> None:
    qtbot.mouseClick(
        rating, Qt.MouseButton.LeftButton, pos=rating.star_rect(star).center().toPoint()
    )


def _stay_ids(dialog: RecordReviewDialog) -> list[int]:
    return [
        dialog.stay.itemData(i, Qt.ItemDataRole.UserRole + 1).id for i in range(dialog.stay.count())
    ]


def _pick_customer(qtbot: QtBot, dialog: RecordReviewDialog, text: str) -> None:
    assert dialog.customer is not None
    qtbot.keyClicks(dialog.customer.search, text)
    qtbot.waitUntil(lambda: dialog.customer.results.count() > 0, timeout=5000)  # type: ignore[union-attr]
    qtbot.keyClick(dialog.customer.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.customer.chosen is not None, timeout=5000)  # type: ignore[union-attr]
    settle(qtbot)


def _open_reviews(qtbot: QtBot, office: BackOffice, actor: Actor) -> ReviewsPage:
    page = ReviewsPage(make_session(office, actor))
    qtbot.addWidget(page)
    page.resize(1200, 500)
    page.show()
    page.start()
    settle(qtbot)
    return page


def test_the_reviews_page_records_a_review_of_a_stay_picked_by_customer(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    stays = _stays(office, admin, agent, clock)
    page = _open_reviews(qtbot, office, agent)
    assert page.record_action.isVisible()
    assert page.record_action.isEnabled()
    page.record_action.trigger()
    dialog = _dialog(qtbot, page)
    assert not dialog.save_button.isEnabled()
    assert dialog.form.message("customer") == ""  # nothing said before anything is touched

    _pick_customer(qtbot, dialog, "Ann")
    # Only the completed stay without a review: not the reviewed one, not the pending one.
    assert _stay_ids(dialog) == [stays.open_stay.id]
    assert "Lagoon Villas" in dialog.stay.currentText()
    assert f"booking #{stays.open_stay.id}" in dialog.stay.currentText()
    assert not dialog.save_button.isEnabled()  # no stars yet

    _click_star(qtbot, dialog.rating, 4)
    assert dialog.rating.value() == 4
    assert dialog.rating_caption.text() == "4 of 5 stars: Very good"
    dialog.comment.setFocus()
    qtbot.keyClicks(dialog.comment, "Lovely staff, windy evenings")
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=2000)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    expected = (
        "Review recorded: 4 stars from Ann Lee. Lagoon Villas is now rated 4.50 from 2 reviews."
    )
    qtbot.waitUntil(lambda: page.notice.text() == expected, timeout=5000)
    qtbot.waitUntil(
        lambda: "Lovely staff, windy evenings" in [r.comment for r in page.model.rows()],
        timeout=5000,
    )
    settle(qtbot)
    saved = office.reviews.page(agent, ReviewFilter(booking_id=stays.open_stay.id), _all()).rows
    assert [(r.rating, r.comment) for r in saved] == [(4, "Lovely staff, windy evenings")]
    lagoon = office.destinations.get(admin, stays.lagoon.id)
    assert (lagoon.rating, lagoon.review_count) == (Decimal("4.50"), 2)


def _all():  # type: ignore[no-untyped-def]
    from desktop.domain.listing import PageRequest, Sort

    return PageRequest(Sort("id"), limit=100)


def test_stars_are_chosen_with_the_keyboard(qtbot: QtBot, office: BackOffice, agent: Actor) -> None:
    dialog = RecordReviewDialog(make_session(office, agent))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.rating.setFocus()
    qtbot.keyClick(dialog.rating, Qt.Key.Key_3)
    assert dialog.rating.value() == 3
    qtbot.keyClick(dialog.rating, Qt.Key.Key_Right)
    assert dialog.rating.value() == 4
    qtbot.keyClick(dialog.rating, Qt.Key.Key_Right)
    qtbot.keyClick(dialog.rating, Qt.Key.Key_Right)
    assert dialog.rating.value() == 5  # five is the most
    qtbot.keyClick(dialog.rating, Qt.Key.Key_Home)
    assert dialog.rating.value() == 1
    qtbot.keyClick(dialog.rating, Qt.Key.Key_Left)
    assert dialog.rating.value() == 1  # one is the least
    qtbot.keyClick(dialog.rating, Qt.Key.Key_End)
    assert dialog.rating.value() == 5
    assert dialog.rating_caption.text() == "5 of 5 stars: Excellent"
    qtbot.keyClick(dialog.rating, Qt.Key.Key_Delete)
    assert dialog.rating.value() == 0
    assert dialog.rating_caption.text() == "No stars chosen"
    dialog.form.touch_all()
    dialog.form.revalidate()
    assert dialog.form.message("rating").startswith("Choose 1 to 5 stars")
    settle(qtbot)


def _open_bookings(qtbot: QtBot, office: BackOffice, actor: Actor) -> BookingsPage:
    page = BookingsPage(make_session(office, actor))
    qtbot.addWidget(page)
    page.resize(1280, 600)
    page.show()
    page.start()
    settle(qtbot)
    return page


def _select_booking(qtbot: QtBot, page: BookingsPage, booking_id: int) -> None:
    row = [b.id for b in page.model.rows()].index(booking_id)
    index = page.model.index(row, 0)
    qtbot.mouseClick(
        page.view.viewport(), Qt.MouseButton.LeftButton, pos=page.view.visualRect(index).center()
    )
    assert page.selected() is not None
    assert page.selected().id == booking_id


def test_a_completed_booking_records_its_review_with_customer_and_stay_filled_in(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    stays = _stays(office, admin, agent, clock)
    page = _open_bookings(qtbot, office, agent)
    assert page.review_action.isVisible()
    _select_booking(qtbot, page, stays.pending.id)
    assert not page.review_action.isEnabled()  # not stayed yet
    _select_booking(qtbot, page, stays.open_stay.id)
    assert page.selected().status is BookingStatus.COMPLETED
    assert page.review_action.isEnabled()

    page.review_action.trigger()
    dialog = _dialog(qtbot, page)
    assert dialog.customer is None  # no search: the booking says who
    assert dialog.customer_label is not None
    assert dialog.customer_label.text() == "Ann Lee"
    qtbot.waitUntil(lambda: dialog.chosen_stay() is not None, timeout=5000)
    assert dialog.chosen_stay().id == stays.open_stay.id
    assert dialog.rating.hasFocus()
    qtbot.keyClick(dialog.rating, Qt.Key.Key_2)
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=2000)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "Review recorded: 2 stars from Ann Lee" in page.notice.text(), timeout=5000
    )
    assert "Lagoon Villas is now rated 3.50 from 2 reviews." in page.notice.text()
    settle(qtbot)


def test_a_booking_reviewed_already_says_so_and_does_not_save(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    stays = _stays(office, admin, agent, clock)
    page = _open_bookings(qtbot, office, agent)
    _select_booking(qtbot, page, stays.reviewed.id)
    page.review_action.trigger()
    dialog = _dialog(qtbot, page)
    qtbot.waitUntil(dialog.stay_note.isVisible, timeout=5000)
    settle(qtbot)
    assert dialog.stay_note.text().startswith(
        f"Booking #{stays.reviewed.id} has been reviewed already"
    )
    assert dialog.chosen_stay() is None  # another stay is never taken unasked
    assert _stay_ids(dialog) == [stays.open_stay.id]  # it can be chosen on purpose
    qtbot.keyClick(dialog.rating, Qt.Key.Key_5)
    assert not dialog.save_button.isEnabled()
    dialog.reject()


def test_a_review_made_meanwhile_elsewhere_is_said_under_the_stay_and_nothing_is_lost(
    qtbot: QtBot,
    office: BackOffice,
    office_b: BackOffice,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
) -> None:
    stays = _stays(office, admin, agent, clock)
    page = _open_reviews(qtbot, office, agent)
    page.record_action.trigger()
    dialog = _dialog(qtbot, page)
    _pick_customer(qtbot, dialog, "ann@")
    _click_star(qtbot, dialog.rating, 3)
    dialog.comment.setFocus()
    qtbot.keyClicks(dialog.comment, "Good food")
    # Another workstation records the same stay's review first.
    office_b.reviews.create(agent, NewReview(stays.ann.id, stays.open_stay.id, 1, "Too hot"))
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=2000)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.form.message("booking") != "", timeout=5000)
    assert "already reviewed this stay" in dialog.form.message("booking")
    assert dialog.isVisible()
    assert dialog.comment.toPlainText() == "Good food"
    assert dialog.rating.value() == 3
    dialog.reject()
    settle(qtbot)


def test_customers_without_a_stay_to_review_are_told_so(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    _stays(office, admin, agent, clock)
    page = _open_reviews(qtbot, office, agent)
    page.record_action.trigger()
    dialog = _dialog(qtbot, page)
    _pick_customer(qtbot, dialog, "Bob")
    # Said at once, beside the empty list of stays: nothing to pick is no mystery.
    assert dialog.stay_note.isVisible()
    assert dialog.stay_note.text().startswith("Bob Ray has no completed stay without a review.")
    qtbot.keyClick(dialog.rating, Qt.Key.Key_4)
    dialog.form.touch_all()
    dialog.form.revalidate()
    assert dialog.form.message("booking") == (
        "Bob Ray has no completed stay without a review. Only completed stays can be "
        "reviewed, once each."
    )
    assert not dialog.stay.isEnabled()
    assert not dialog.save_button.isEnabled()
    dialog.reject()


@pytest.fixture
def live(qtbot: QtBot, office: BackOffice) -> Iterator[LiveUpdates]:
    holder = QWidget()
    qtbot.addWidget(holder)
    live = LiveUpdates(office, holder)
    connected: list[bool] = []
    live.connection_changed.connect(connected.append)
    live.start()
    qtbot.waitUntil(lambda: connected == [True], timeout=10 * SECOND_MS)
    set_current_live(live)
    yield live
    set_current_live(None)
    live.stop()


def test_the_new_rating_shows_at_once_in_the_destinations_list_and_an_open_editor(
    qtbot: QtBot,
    office: BackOffice,
    admin: Actor,
    agent: Actor,
    clock: FakeClock,
    live: LiveUpdates,
) -> None:
    stays = _stays(office, admin, agent, clock)
    destinations = DestinationsPage(make_session(office, admin))
    qtbot.addWidget(destinations)
    destinations.attach_live(live)
    destinations.resize(1200, 500)
    destinations.show()
    destinations.start()
    settle(qtbot)
    rating = [c.key for c in destinations.model.columns].index("rating")
    reviews = [c.key for c in destinations.model.columns].index("review_count")
    assert destinations.model.index(0, rating).data() == "5.00 ★"
    editor = DestinationEditor(make_session(office, admin), stays.lagoon, destinations)
    # Not qtbot's to close: it deletes itself when rejected below, and closing it again at
    # teardown failed whenever the deletion had already been delivered.
    editor.show()
    assert "Rated 5.00 ★ from 1 review" in editor.summary.text()

    page = _open_reviews(qtbot, office, agent)
    page.record_action.trigger()
    dialog = _dialog(qtbot, page)
    _pick_customer(qtbot, dialog, "Ann")
    _click_star(qtbot, dialog.rating, 2)
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=2000)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(
        lambda: destinations.model.index(0, reviews).data() == "2", timeout=2 * SECOND_MS
    )
    assert destinations.model.index(0, rating).data() == "3.50 ★"
    qtbot.waitUntil(
        lambda: "Rated 3.50 ★ from 2 reviews" in editor.summary.text(), timeout=2 * SECOND_MS
    )
    assert editor.record.bar.text() == ""  # a rating recount is no one's edit: no notice
    editor.reject()
    settle(qtbot)

"""Change notifications: what one connection commits, a listener hears within a second."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import URL, Engine, text
from sqlalchemy.orm import Session

from desktop.db.notifications import ChangeListener
from desktop.domain.changes import Change
from tests.factories import make_booking, make_destination, make_review, make_user


class Heard:
    def __init__(self) -> None:
        self.changes: queue.Queue[Change] = queue.Queue()
        self.states: queue.Queue[bool] = queue.Queue()

    def next_change(self, timeout: float = 1.0) -> Change:
        return self.changes.get(timeout=timeout)

    def next_state(self, timeout: float = 10.0) -> bool:
        return self.states.get(timeout=timeout)

    def drain(self) -> list[Change]:
        found = []
        while True:
            try:
                found.append(self.changes.get(timeout=0.3))
            except queue.Empty:
                return found


@pytest.fixture
def heard(database_url: URL) -> Iterator[Heard]:
    ears = Heard()
    listener = ChangeListener(
        database_url, ears.changes.put, ears.states.put, retry_pauses=(0.2, 0.5)
    )
    listener.start()
    assert ears.next_state() is True
    yield ears
    listener.stop()


def test_a_committed_insert_is_heard_within_a_second(engine: Engine, heard: Heard) -> None:
    with Session(engine) as session:
        dest_id = make_destination(session).id
        session.commit()
        started = time.monotonic()
    change = heard.next_change(timeout=1.0)
    assert time.monotonic() - started < 1.0
    assert change == Change(table="destinations", op="INSERT", id=dest_id)


def test_a_booking_change_carries_the_ids_a_list_needs(engine: Engine, heard: Heard) -> None:
    with Session(engine) as session:
        booking = make_booking(session)
        ids = (booking.id, booking.destination_id, booking.user_id)
        session.commit()
        heard.drain()
        session.execute(text("UPDATE bookings SET guests = 3 WHERE id = :id"), {"id": ids[0]})
        session.commit()
    change = heard.next_change()
    assert (change.table, change.op, change.id) == ("bookings", "UPDATE", ids[0])
    assert (change.destination_id, change.user_id) == ids[1:]


def test_nothing_is_heard_from_a_rolled_back_transaction(engine: Engine, heard: Heard) -> None:
    with Session(engine) as session:
        make_destination(session)
        session.rollback()
    assert heard.drain() == []


def test_a_bulk_statement_sends_one_notification(engine: Engine, heard: Heard) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO destinations (name, description, country, city, price, duration, "
                "max_guests) SELECT 'D' || n, 'x', 'C', 'Y', 10, 1, 1 "
                "FROM generate_series(1, 500) n"
            )
        )
    changes = heard.drain()
    assert changes == [Change(table="destinations", op="INSERT", bulk=500)]


def test_the_listener_comes_back_after_its_backend_is_terminated(
    engine: Engine, heard: Heard
) -> None:
    with engine.begin() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'exotic-travel listener' AND datname = current_database()"
            )
        ).scalar_one()
    assert killed == 1
    assert heard.next_state() is False
    assert heard.next_state() is True
    with Session(engine) as session:
        dest_id = make_destination(session).id
        session.commit()
    assert heard.next_change().id == dest_id


def test_a_helpful_vote_is_heard_with_the_voter_and_the_reviews_new_count(
    engine: Engine, heard: Heard
) -> None:
    with Session(engine) as session:
        review = make_review(session, destination=make_destination(session), rating=5)
        voter = make_user(session, role="agent")
        ids = (review.id, voter.id)
        session.commit()
        heard.drain()
        session.execute(
            text("INSERT INTO review_helpful_votes (review_id, user_id) VALUES (:r, :u)"),
            {"r": ids[0], "u": ids[1]},
        )
        session.commit()
    changes = heard.drain()
    assert Change(table="review_helpful_votes", op="INSERT", user_id=ids[1]) in changes
    assert any(c.table == "reviews" and c.op == "UPDATE" and c.id == ids[0] for c in changes)


@pytest.mark.parametrize(
    "payload",
    [
        '{"table": "bookings", "op": "UPDATE", "id": "\\u00b2"}',  # a digit int() refuses
        '{"table": "bookings", "op": "UPDATE", "id": 99999999999999999999999}',  # beyond BIGINT
        '{"table": "bookings", "op": "UPDATE", "id": "-3"}',
    ],
)
def test_a_notice_with_an_id_no_row_can_have_carries_no_id(payload: str) -> None:
    """Any client of the database may NOTIFY; the listener must never fail on what it reads."""
    change = Change.from_payload(payload)
    assert change == Change(table="bookings", op="UPDATE")

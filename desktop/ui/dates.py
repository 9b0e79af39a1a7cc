"""Dates between Python and Qt, and what "today" is in the window.

Services and rows speak ``date`` and ``datetime``; Qt's editors and locale speak
``QDate`` and ``QDateTime``. Every conversion goes through here.

"Today" is the database server's date, as the services judge every rule by it: a
workstation whose clock is a day off would otherwise offer a start date the
service refuses, or a Complete it turns down. The window learns the server's
time (``ServerClock.learn``) and tells the time by the workstation's clock plus
the offset between the two.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo

from PySide6.QtCore import QDate, QDateTime, QTime

Clock = Callable[[], datetime]


def qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def qdatetime(value: datetime) -> QDateTime:
    """A moment as the workstation's clock shows it (aware moments in its time zone)."""
    local = value.astimezone() if value.tzinfo else value
    return QDateTime(qdate(local.date()), QTime(local.hour, local.minute, local.second))


def workstation_now() -> datetime:
    """This computer's clock, which may be minutes or days off the server's."""
    return datetime.now(UTC)


class ServerClock:
    """The database server's date and time as the window knows them.

    Read once from the server (when the main window opens, and when the connection
    comes back), kept as the offset from the workstation's clock: the time then
    moves on with the workstation's clock, and the server's date changes at the
    server's midnight. Until the server has answered, it is the workstation's time.
    Thread-safe: workers read it too.
    """

    def __init__(self, workstation: Clock = workstation_now) -> None:
        self._workstation = workstation
        self._lock = threading.Lock()
        self._offset: timedelta | None = None
        self._zone: tzinfo | None = None  # the server's time zone, as its answer came
        self._date_shift = timedelta(0)

    def workstation_now(self) -> datetime:
        """The workstation's clock (the one the offset is kept against)."""
        return self._workstation()

    @property
    def offset(self) -> timedelta | None:
        """How far the server's clock is ahead of the workstation's (None: not known yet)."""
        with self._lock:
            return self._offset

    def learn(
        self, server_now: datetime, server_today: date, *, asked: datetime, answered: datetime
    ) -> None:
        """The server said ``server_now`` (and ``server_today``) between ``asked`` and
        ``answered`` on the workstation's clock."""
        if server_now.tzinfo is None:
            server_now = server_now.replace(tzinfo=UTC)
        midway = asked + (answered - asked) / 2
        with self._lock:
            self._offset = server_now - midway
            self._zone = server_now.tzinfo
            # current_date is in the server's zone, as ``now()`` comes back: normally no shift.
            self._date_shift = server_today - server_now.date()

    def now(self) -> datetime:
        """The server's time now (the workstation's until the server has answered)."""
        with self._lock:
            offset = self._offset or timedelta(0)
        return self._workstation() + offset

    def today(self) -> date:
        """The server's date now: what "today" means for every rule of the services."""
        with self._lock:
            zone, shift, offset = self._zone, self._date_shift, self._offset
        if zone is None or offset is None:
            return self._workstation().astimezone().date()
        return (self._workstation() + offset).astimezone(zone).date() + shift


_clock = ServerClock()


def follow_server_clock(clock: ServerClock | None) -> None:
    """The signed-in window's clock, which ``today()`` follows (None: the workstation's)."""
    global _clock  # noqa: PLW0603 - one signed-in window per application
    _clock = clock if clock is not None else ServerClock()


def today() -> date:
    """Today as the services judge it: the database server's date, once the window knows it."""
    return _clock.today()

"""The unit of work: one session per use case, committed only when the use case succeeds."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from types import TracebackType
from typing import Self

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from desktop.db.repositories.audit import AuditRepository
from desktop.db.repositories.bookings import BookingRepository
from desktop.db.repositories.destinations import DestinationRepository
from desktop.db.repositories.images import ImageRepository
from desktop.db.repositories.people import PeopleRepository
from desktop.db.repositories.reviews import ReviewRepository
from desktop.domain.errors import ConstraintViolated, DatabaseBusy, DatabaseUnavailable

log = logging.getLogger(__name__)

CONNECTION_LOST = (
    "The connection to the database was lost; nothing was saved. Check the network, then try again."
)
OUTCOME_UNKNOWN = (
    "The connection to the database was lost while saving, so it is not known whether the "
    "change was saved. Refresh the list to check before trying again."
)


# SQLSTATE classes and codes that mean the connection itself failed or was ended.
_CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")
# The database was busy with the same rows; trying again usually succeeds.
SERIALIZATION_FAILURE = "40001"
DEADLOCK_DETECTED = "40P01"
LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout expired
_TRY_AGAIN_STATES = (SERIALIZATION_FAILURE, DEADLOCK_DETECTED, LOCK_NOT_AVAILABLE)
BUSY = (
    "The database was busy with the same records (another workstation was saving them); "
    "nothing was saved. Try again."
)


def _sqlstate(exc: BaseException) -> str:
    return str(getattr(getattr(exc, "orig", None), "sqlstate", None) or "")


def constraint_name(exc: DBAPIError) -> str:
    """The name of the constraint a statement broke, as the server reports it ("" if none)."""
    diag = getattr(exc.orig, "diag", None)
    return str(getattr(diag, "constraint_name", "") or "")


def is_connection_error(exc: BaseException) -> bool:
    """The connection failed (network, server restart, terminated backend), not the statement."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    state = _sqlstate(exc)
    return not state or state.startswith(_CONNECTION_STATES)


def is_try_again_error(exc: BaseException) -> bool:
    """A deadlock, serialization failure or lock timeout: the same work may succeed now."""
    return isinstance(exc, DBAPIError) and _sqlstate(exc).startswith(_TRY_AGAIN_STATES)


class UnitOfWork:
    """``with uow: ...; uow.commit()`` — leaving the block without ``commit()`` rolls back.

    Database connection failures leave as ``DatabaseUnavailable`` with a message
    that says whether anything may have been saved.
    """

    people: PeopleRepository
    destinations: DestinationRepository
    bookings: BookingRepository
    reviews: ReviewRepository
    audit: AuditRepository
    images: ImageRepository

    def __init__(self, session_factory: Callable[[], Session], *, read_only: bool = False) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None
        self._clock: tuple[datetime, date] | None = None
        self.read_only = read_only

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    def __enter__(self) -> Self:
        self._session = self._session_factory()
        s = self._session
        self.people = PeopleRepository(s)
        self.destinations = DestinationRepository(s)
        self.bookings = BookingRepository(s)
        self.reviews = ReviewRepository(s)
        self.audit = AuditRepository(s)
        self.images = ImageRepository(s)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        self._clock = None
        if session is None:
            return
        try:
            session.rollback()  # no-op after a commit
        except DBAPIError:
            log.info("Rollback failed on a broken connection", exc_info=True)
        finally:
            session.close()
        if exc is not None and is_connection_error(exc):
            raise DatabaseUnavailable(CONNECTION_LOST) from exc
        if exc is not None and is_try_again_error(exc):
            raise DatabaseBusy(BUSY) from exc

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a reading unit of work cannot commit; use units_of_work()")
        try:
            self.session.commit()
        except DBAPIError as exc:
            if is_connection_error(exc):
                raise DatabaseUnavailable(OUTCOME_UNKNOWN) from exc
            if is_try_again_error(exc):
                raise DatabaseBusy(BUSY) from exc
            raise
        self._clock = None  # the next transaction has a time of its own

    def flush(self) -> None:
        self.session.flush()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Run writes that may break a rule of the database; their failure undoes only them.

        A broken constraint leaves as ``ConstraintViolated`` naming it, so every
        service matches constraints one way; a deadlock or a lock wait that timed
        out leaves as ``DatabaseBusy``, which the caller may try again. Either way
        the rest of the unit of work stays usable.
        """
        savepoint = self.session.begin_nested()
        try:
            yield
        except IntegrityError as exc:
            savepoint.rollback()
            raise ConstraintViolated(constraint_name(exc)) from exc
        except DBAPIError as exc:
            if not is_try_again_error(exc):
                raise  # the connection, or a bug: the unit of work reports it
            savepoint.rollback()
            raise DatabaseBusy(BUSY) from exc
        except BaseException:
            savepoint.rollback()  # a refusal inside: undo the savepoint's writes only
            raise
        savepoint.commit()

    def _server_clock(self) -> tuple[datetime, date]:
        if self._clock is None:
            now, today = self.session.execute(select(func.now(), func.current_date())).one()
            self._clock = (now, today)
        return self._clock

    def database_now(self) -> datetime:
        """The server's time: the same for every workstation, whatever their clocks say.

        PostgreSQL's ``now()``, the start of this transaction, so it is read once
        per transaction. What is stored or decides a rule takes its time from here;
        the workstation's clock only formats.
        """
        return self._server_clock()[0]

    def database_today(self) -> date:
        """The server's date (``current_date`` in the server's time zone): what "today" means."""
        return self._server_clock()[1]

    def lock(self, key: int) -> None:
        """A transaction-scoped advisory lock: serialises a rare use case across workstations."""
        self.session.execute(select(func.pg_advisory_xact_lock(key)))


def unit_of_work_factory(engine: Engine) -> Callable[[], UnitOfWork]:
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    return lambda: UnitOfWork(sessions)


def reading_factory(engine: Engine) -> Callable[[], UnitOfWork]:
    """Units of work that only read, in autocommit: no BEGIN and no ROLLBACK round trips.

    A list page then costs the pool's health check and the query itself; each
    statement sees the data committed when it starts, which is all a list needs.
    """
    reader = engine.execution_options(isolation_level="AUTOCOMMIT")
    sessions = sessionmaker(bind=reader, expire_on_commit=False)
    return lambda: UnitOfWork(sessions, read_only=True)

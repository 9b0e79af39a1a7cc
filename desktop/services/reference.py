"""Reference data every screen needs, cached in memory and dropped when it changes,
and the server's clock, which every screen's "today" follows.

The design caches frequently read data in Redis for its web servers. A desktop
client gets the same effect without another server: destinations for the
pickers and staff names stay in memory for a while (``ttl_s``), and the
database's change notices (``exotic_changes``) drop them the moment someone
commits a change, so a picker opens at once and never shows an old price.

While the change listener is disconnected, notices may be missed, so nothing is
served from the cache until it is back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from desktop.domain.changes import Change
from desktop.domain.listing import DestinationFilter, PageRequest, PersonFilter, Sort
from desktop.domain.permissions import STAFF_ROLES, Actor, Permission
from desktop.domain.records import DestinationRow
from desktop.services.context import Service, ServiceContext

T = TypeVar("T")
DEFAULT_TTL_S = 300.0
_BATCH = 1000


@dataclass
class _Entry(Generic[T]):
    value: T
    loaded_at: float


@dataclass(frozen=True)
class ServerTime:
    """The database server's clock at one moment: what "now" and "today" mean to every rule."""

    now: datetime  # aware, in the server's time zone
    today: date  # the server's current_date


class ReferenceData(Service):
    """Cached reference lists; thread-safe (workers read, the listener invalidates)."""

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        ttl_s: float = DEFAULT_TTL_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(ctx)
        self.ttl_s = ttl_s
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry[object]] = {}
        # Bumped by every change notice of an entry's table: a load that spans one is not kept.
        self._generations: dict[str, int] = {}
        self._listening = False

    # -- what the screens ask for --------------------------------------------------

    def destinations(self, actor: Actor) -> list[DestinationRow]:
        """Every destination, by name (pickers show the active ones)."""
        actor.require(Permission.VIEW_DESTINATIONS)
        return self._cached("destinations", self._load_destinations)

    def staff_names(self, actor: Actor) -> dict[int, str]:
        """Staff members' names by id (who did what)."""
        actor.require(Permission.VIEW_AUDIT)
        return self._cached("staff", self._load_staff)

    def server_time(self, actor: Actor) -> ServerTime:
        """The server's date and time, never cached.

        The services judge stays by the server's today (a workstation's clock may be a
        day off); the window reads this to offer and judge dates the same way.
        """
        actor.require(Permission.VIEW_BOOKINGS)
        with self.ctx.reading() as uow:
            return ServerTime(now=uow.database_now(), today=uow.database_today())

    # -- the listener's side -------------------------------------------------------

    def listening(self, connected: bool) -> None:
        """The change listener is (dis)connected: cache only while every notice is heard."""
        with self._lock:
            self._listening = connected
            for key in {*self._entries, *self._generations}:
                self._generations[key] = self._generations.get(key, 0) + 1
            self._entries.clear()

    def invalidate(self, change: Change) -> None:
        key = {"destinations": "destinations", "users": "staff"}.get(change.table)
        if key is None:
            return
        with self._lock:
            self._entries.pop(key, None)
            self._generations[key] = self._generations.get(key, 0) + 1

    # -- mechanics -----------------------------------------------------------------

    def _cached(self, key: str, load: Callable[[], T]) -> T:
        with self._lock:
            entry = self._entries.get(key)
            fresh = entry is not None and self._monotonic() - entry.loaded_at < self.ttl_s
            if self._listening and entry is not None and fresh:
                return entry.value  # type: ignore[return-value]
            generation = self._generations.setdefault(key, 0)
        value = load()
        with self._lock:
            if self._listening and generation == self._generations[key]:
                self._entries[key] = _Entry(value, self._monotonic())
        return value

    def _load_destinations(self) -> list[DestinationRow]:
        rows: list[DestinationRow] = []
        request = PageRequest(Sort("name"), limit=_BATCH)
        with self.ctx.reading() as uow:
            while True:
                page = uow.destinations.page(DestinationFilter(), request)
                rows.extend(page.rows)
                if page.next is None:
                    return rows
                request = PageRequest(Sort("name"), after=page.next, limit=_BATCH)

    def _load_staff(self) -> dict[int, str]:
        names: dict[int, str] = {}
        request = PageRequest(Sort("name"), limit=_BATCH)
        with self.ctx.reading() as uow:
            while True:
                page = uow.people.page(PersonFilter(roles=frozenset(STAFF_ROLES)), request)
                names.update((p.id, p.name) for p in page.rows)
                if page.next is None:
                    return names
                request = PageRequest(Sort("name"), after=page.next, limit=_BATCH)

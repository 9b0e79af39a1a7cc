"""An open record and the other workstations: told when it changes, checked after a lost
connection.

- ``RecordWatch`` hears the database's change notices for one row, reads the row
  again in the background and says when its version moved past the editor's (so
  the editor's own save never sets it off), or when the row was deleted.
- ``OutcomeCheck`` answers "did the save that lost its connection land?": it
  waits for the database, reads, and says which.

The line under a form is ``record_bar.RecordBar``; an editor of one versioned record
puts them together with the conflict dialog in ``desktop.ui.dialogs.edited_record``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QDialog

from desktop.domain.changes import Change
from desktop.domain.errors import DatabaseUnavailable, NotFound
from desktop.ui.live import LiveUpdates, connection
from desktop.ui.ops import ops

log = logging.getLogger(__name__)

CHANGE_DELAY_MS = 100  # a save arrives as a burst (the row, its audit entry): read once
RETRY_MS = 2000  # while the database is still unreachable, ask again this often


def tr(text: str) -> str:
    return QCoreApplication.translate("RecordWatch", text)


class RecordWatch(QObject):
    """One record, as other workstations change it.

    ``fetch_current`` runs in a worker (the service's ``get``); ``current_version``
    is the version the editor holds now. A change whose row carries another
    version is told once through ``changed_elsewhere``; a row that is gone
    (``NotFound``) through ``deleted_elsewhere``. While ``hold()`` is on (the
    editor is saving), changes wait: the editor's own save is never news.
    """

    changed_elsewhere = Signal(object)  # the row as it is now
    deleted_elsewhere = Signal()

    def __init__(
        self,
        live: LiveUpdates | None,
        table: str,
        record_id: int,
        fetch_current: Callable[[], Any],
        current_version: Callable[[], str | None],
        *,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.table = table
        self.record_id = record_id
        self._fetch = fetch_current
        self._version = current_version
        self._held = False
        self._missed = False  # a change came while held
        self._fetching = False
        self._again = False  # a change came while reading
        self._told: str | None = None
        self.gone = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHANGE_DELAY_MS)
        self._timer.timeout.connect(self.check)
        self._live = live
        self._stopped = live is None
        if live is not None:
            # Bound methods: Qt disconnects them when the watch (its dialog) is deleted.
            live.changed.connect(self._on_change)
            live.reconnected.connect(self.check)  # notices sent while away are lost
        if isinstance(parent, QDialog):
            parent.finished.connect(lambda _result: self.stop())

    def stop(self) -> None:
        """No longer watched (its dialog closed): nothing more is read."""
        if self._stopped:
            return
        self._stopped = True
        self._timer.stop()
        live = self._live
        if live is not None and shiboken6.isValid(live):
            live.changed.disconnect(self._on_change)
            live.reconnected.disconnect(self.check)

    def _on_change(self, change: Change) -> None:
        if change.table != self.table or self.gone or self._stopped:
            return
        if change.bulk is None and (change.id != self.record_id or change.op == "INSERT"):
            return  # another row, or the commit that created this one (old news)
        if self._held:
            self._missed = True
            return
        self._timer.start()

    def hold(self) -> None:
        """The editor is saving: its own change is not news."""
        self._held = True

    def release(self) -> None:
        """Saving is over: look again if anything came meanwhile."""
        self._held = False
        if self._missed and not self._stopped:
            self._missed = False
            self._timer.start()

    def saving(self, busy: bool) -> None:
        """Around the editor's save: held while it runs, released when it is over."""
        if busy:
            self.hold()
        else:
            self.release()

    def check(self) -> None:
        """Read the record now and compare its version."""
        if self.gone or self._stopped:
            return
        if self._held:
            self._missed = True
            return
        if self._fetching:
            self._again = True
            return
        self._fetching = True
        ops().run(self._fetch, self._fetched, self._failed, owner=self)

    def _fetched(self, row: Any) -> None:
        self._fetching = False
        if self._again:
            self._again = False
            self._timer.start()
        if self._stopped:
            return
        if self._held:  # a save began meanwhile: this may be it; look once it is over
            self._missed = True
            return
        version = getattr(row, "version", None)
        if version is None or version in (self._version(), self._told):
            return
        self._told = version
        self.changed_elsewhere.emit(row)

    def _failed(self, exc: BaseException) -> None:
        self._fetching = False
        if isinstance(exc, NotFound):
            self.gone = True
            self.deleted_elsewhere.emit()
            return
        # Unreachable: ``reconnected`` brings a fresh look when it is back.
        log.info("Could not read %s %s again: %s", self.table, self.record_id, exc)
        if self._again:
            self._again = False
            self._timer.start()


class OutcomeCheck(QObject):
    """Whether a save whose connection died landed: wait for the database, read, say which.

    ``fetch`` runs in a worker once the connection is back (at once when nothing says
    it is down, and every few seconds while it stays unreachable); ``matches`` tells,
    from what it read, whether the save is in the database.
    """

    landed = Signal(object)  # what the database holds: the save is in it
    not_landed = Signal(object)  # what the database holds (or None): it is not
    failed = Signal(object)  # another answer (the record is gone, permission)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fetch: Callable[[], Any] | None = None
        self._matches: Callable[[Any], bool] = bool
        self._running = False
        self.active = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RETRY_MS)
        self._timer.timeout.connect(self._try)
        connection().online_changed.connect(self._online_changed)
        if isinstance(parent, QDialog):
            parent.finished.connect(lambda _result: self.cancel())

    def start(self, fetch: Callable[[], Any], matches: Callable[[Any], bool]) -> None:
        self._fetch, self._matches = fetch, matches
        self.active = True
        self._try()

    def cancel(self) -> None:
        self.active = False
        self._timer.stop()

    def _online_changed(self, online: bool) -> None:
        if online:
            self._try()

    def _try(self) -> None:
        if not self.active or self._running or self._fetch is None:
            return
        if not connection().online:
            return  # online_changed brings us back
        self._running = True
        ops().run(self._fetch, self._answer, self._no_answer, owner=self)

    def _answer(self, row: Any) -> None:
        self._running = False
        if not self.active:
            return
        self.cancel()
        if self._matches(row):
            self.landed.emit(row)
        else:
            self.not_landed.emit(row)

    def _no_answer(self, exc: BaseException) -> None:
        self._running = False
        if not self.active:
            return
        if isinstance(exc, DatabaseUnavailable):
            self._timer.start()
            return
        self.cancel()
        self.failed.emit(exc)

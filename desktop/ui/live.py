"""The database's change notifications, as Qt signals, and whether the connection is up.

One listener per signed-in window. Lists resynchronise when their tables
change; editors hear about their own record; when the connection drops,
everything that saves is paused (forms keep what was typed) until it is back.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal, Slot

from desktop.bootstrap import BackOffice
from desktop.domain.changes import Change

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Emitted from the listener's thread; delivered on the GUI thread (queued)."""

    change = Signal(object)
    state = Signal(bool)


class Connection(QObject):
    """Whether the database is reachable, as the listener sees it. One per application."""

    online_changed = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.online = True  # until the listener says otherwise

    def set_online(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            self.online_changed.emit(online)


_connection: Connection | None = None


def connection() -> Connection:
    """The application's connection state (forms pause their Save button on it)."""
    global _connection  # noqa: PLW0603 - one per application, like ops()
    if _connection is None:
        _connection = Connection()
    return _connection


OFFLINE_TIP = (
    "Saving is paused: the connection to the database is lost and is being retried. "
    "What you typed is kept."
)


class LiveUpdates(QObject):
    """Changes other workstations commit, delivered on the GUI thread."""

    changed = Signal(object)  # Change
    connection_changed = Signal(bool)
    reconnected = Signal()  # back after a loss: notifications were missed, reload

    def __init__(self, office: BackOffice, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relay = _Relay(self)
        self._relay.change.connect(self._on_change, Qt.ConnectionType.QueuedConnection)
        self._relay.state.connect(self._on_state, Qt.ConnectionType.QueuedConnection)
        self._listener = office.listen(self._relay.change.emit, self._relay.state.emit)
        self._was_lost = False
        self._stopped = False

    def start(self) -> None:
        self._listener.start()

    def stop(self) -> None:
        """Stop listening; no longer watched, the connection is not called lost."""
        if self._stopped:
            return
        self._stopped = True
        self._relay.state.disconnect(self._on_state)
        self._relay.change.disconnect(self._on_change)
        self._listener.stop()
        connection().set_online(True)

    @Slot(object)
    def _on_change(self, change: Change) -> None:
        self.changed.emit(change)

    @Slot(bool)
    def _on_state(self, up: bool) -> None:
        log.info("Database connection %s", "up" if up else "lost")
        connection().set_online(up)
        self.connection_changed.emit(up)
        if up and self._was_lost:
            self.reconnected.emit()
        self._was_lost = not up


# -- the window's LiveUpdates, for editors opened anywhere in it --------------------

_current_live: LiveUpdates | None = None


def set_current_live(live: LiveUpdates | None) -> None:
    """The signed-in window's LiveUpdates (None when it closes); editors find it here."""
    global _current_live  # noqa: PLW0603 - one window per application
    _current_live = live


def current_live(near: QObject | None = None) -> LiveUpdates | None:
    """The LiveUpdates an editor listens to: the registered one, or its window's ``live``.

    Editors are opened from pages and from each other, so threading the listener
    through every constructor would touch them all; None (unit tests, no window)
    means nobody is listening and editors simply are not told.
    """
    import shiboken6

    live = _current_live
    if live is not None and shiboken6.isValid(live) and not live._stopped:
        return live
    widget = near
    while widget is not None:
        found = getattr(widget, "live", None)
        if isinstance(found, LiveUpdates) and shiboken6.isValid(found) and not found._stopped:
            return found
        widget = widget.parent()
    return None

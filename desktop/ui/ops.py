"""Database work off the GUI thread, in the spirit of Anki's query and collection ops.

``run_op(fn, on_done)`` runs ``fn`` on a worker of the application's thread
pool and delivers its result (or its exception) back on the GUI thread.
Workers never touch widgets. A busy cursor shows for work that takes longer
than a moment; the default failure handler is the one error dialog.

``SystemExit`` and ``KeyboardInterrupt`` raised by a worker are not failures of
the work: as on the GUI thread (``desktop.ui.errors.leave_for``), they end the
application's main loop, so it shuts down as Quit does (the local database
server stops), and no failure handler ever sees them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QWidget

from desktop.ui.errors import leave_for

log = logging.getLogger(__name__)

T = TypeVar("T")
BUSY_CURSOR_AFTER_MS = 300


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits, Qt queues the delivery to the GUI thread."""

    finished = Signal(object, object)  # (result, exception)

    def __init__(
        self, parent: QObject, deliver: Callable[[Any, BaseException | None], None]
    ) -> None:
        super().__init__(parent)
        self._deliver = deliver
        self.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)

    @Slot(object, object)
    def _on_finished(self, result: Any, exc: BaseException | None) -> None:
        self._deliver(result, exc)


class _Job(QRunnable, Generic[T]):
    def __init__(self, fn: Callable[[], T], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # SystemExit too: handed to the GUI thread, which ends
            self._relay.finished.emit(None, exc)
        else:
            self._relay.finished.emit(result, None)


class Ops(QObject):
    """Runs callables on a private thread pool and tracks them (tests wait for them all)."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._running: set[_Relay] = set()
        self._busy_cursor = False
        self._cursor_timer = QTimer(self)
        self._cursor_timer.setSingleShot(True)
        self._cursor_timer.timeout.connect(self._show_busy_cursor)

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_failed: Callable[[BaseException], None],
        *,
        busy: bool = False,
        owner: QObject | None = None,
    ) -> None:
        """Run ``fn`` in the background; at most one of the callbacks runs on the GUI thread.

        With an ``owner``, the answer is dropped if the owner was deleted meanwhile (a
        page or dialog closed before its data arrived). A ``SystemExit`` or
        ``KeyboardInterrupt`` from ``fn`` reaches neither callback: it ends the
        application, whoever asked.
        """

        def finished(result: Any, exc: BaseException | None) -> None:
            self._running.discard(relay)
            relay.deleteLater()
            if not self._running:
                self._cursor_timer.stop()
                self._restore_cursor()
                self.busy_changed.emit(False)
            if exc is not None and leave_for(exc):
                return
            if owner is not None and not shiboken6.isValid(owner):
                log.debug("Dropped the answer for a closed %s", type(owner).__name__)
            elif exc is not None:
                on_failed(exc)
            else:
                on_done(result)

        relay = _Relay(self, finished)
        self._running.add(relay)
        if len(self._running) == 1:
            self.busy_changed.emit(True)
        if busy and not self._cursor_timer.isActive() and not self._busy_cursor:
            self._cursor_timer.start(BUSY_CURSOR_AFTER_MS)
        self._pool.start(_Job(fn, relay))

    @property
    def pending(self) -> int:
        return len(self._running)

    def wait_for_done(self, timeout_ms: int = 30_000) -> bool:
        """Block until every worker has finished (shutdown and tests)."""
        return bool(self._pool.waitForDone(timeout_ms))

    @Slot()
    def _show_busy_cursor(self) -> None:
        if self._running and not self._busy_cursor:
            QGuiApplication.setOverrideCursor(QCursor(Qt.CursorShape.BusyCursor))
            self._busy_cursor = True

    def _restore_cursor(self) -> None:
        if self._busy_cursor:
            QGuiApplication.restoreOverrideCursor()
            self._busy_cursor = False


_ops: Ops | None = None


def ops() -> Ops:
    """The application's one ``Ops`` (created on first use, on the GUI thread)."""
    global _ops  # noqa: PLW0603 - one per application, like QThreadPool.globalInstance()
    if _ops is None:
        _ops = Ops()
    return _ops


def run_op(
    fn: Callable[[], T],
    on_done: Callable[[T], None],
    *,
    parent: QWidget | None = None,
    on_failed: Callable[[BaseException], None] | None = None,
    busy: bool = False,
) -> None:
    """Run ``fn`` off the GUI thread; failures go to ``on_failed`` or the error dialog."""
    if on_failed is None:
        from desktop.ui.errors import show_error

        def on_failed(exc: BaseException) -> None:
            show_error(parent, exc)

    ops().run(fn, on_done, on_failed, busy=busy, owner=parent)

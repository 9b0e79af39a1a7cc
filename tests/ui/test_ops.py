"""Background work: a worker's ``SystemExit`` or ``KeyboardInterrupt`` ends the application.

They are not failures of the work (Anki's ops never turn them into an error
dialog): like the same exceptions on the GUI thread, they end the main loop, so
the application shuts down as Quit does, and no failure handler sees them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from desktop.ui.errors import EXIT_INTERRUPTED, run_main_loop
from desktop.ui.ops import run_op

STILL_RUNNING = 99  # what the guard ends a loop with that nobody ended


def _run_loop_with(start: Callable[[], None]) -> int:
    """The application's main loop, as ``desktop.ui.app.run`` runs it, with ``start`` in it.

    Returns its exit code, or ``STILL_RUNNING`` when nothing ended it within 10 s.
    """
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: app.exit(STILL_RUNNING))
    guard.start(10_000)
    QTimer.singleShot(0, start)
    try:
        return run_main_loop(app)
    finally:
        guard.stop()


def _visible_message_boxes() -> list[QWidget]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]


@pytest.mark.parametrize(
    ("raised", "code"),
    [(SystemExit(3), 3), (SystemExit(None), 0), (KeyboardInterrupt(), EXIT_INTERRUPTED)],
    ids=["SystemExit(3)", "SystemExit()", "KeyboardInterrupt"],
)
@pytest.mark.parametrize("handler", ["its own failure handler", "the default error dialog"])
def test_a_worker_that_exits_ends_the_main_loop_and_reaches_no_failure_handler(
    qtbot: QtBot, raised: BaseException, code: int, handler: str
) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    done: list[object] = []
    failed: list[BaseException] = []

    def work() -> None:
        raise raised

    def start() -> None:
        if handler == "its own failure handler":
            run_op(work, done.append, parent=owner, on_failed=failed.append)
        else:
            run_op(work, done.append, parent=owner)

    assert _run_loop_with(start) == code
    assert (done, failed) == ([], [])
    assert _visible_message_boxes() == []


def test_an_exit_ends_the_loop_even_when_the_window_that_asked_is_gone(qtbot: QtBot) -> None:
    owner = QWidget()
    failed: list[BaseException] = []

    def work() -> None:
        raise SystemExit(4)

    def start() -> None:
        run_op(work, lambda _r: None, parent=owner, on_failed=failed.append)
        owner.deleteLater()  # closed before the answer arrives

    assert _run_loop_with(start) == 4
    assert failed == []


def test_an_ordinary_error_still_reaches_the_failure_handler_and_the_loop_runs_on(
    qtbot: QtBot,
) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    failed: list[BaseException] = []
    app = QApplication.instance()
    assert isinstance(app, QApplication)

    def work() -> None:
        raise LookupError("no such thing")

    def failure(exc: BaseException) -> None:
        failed.append(exc)
        QTimer.singleShot(200, lambda: app.exit(7))  # the loop was still running: end it

    assert _run_loop_with(lambda: run_op(work, print, parent=owner, on_failed=failure)) == 7
    assert [type(e) for e in failed] == [LookupError]

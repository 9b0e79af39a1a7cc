"""GUI tests: real widgets (offscreen) over a real database, driven like a person would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import URL

from desktop.bootstrap import BackOffice, Connection, build
from desktop.db.engine import build_engine
from desktop.domain.permissions import Actor
from desktop.ui.app import make_application
from desktop.ui.dates import follow_server_clock
from desktop.ui.live import connection
from desktop.ui.ops import ops
from desktop.ui.session import Session
from tests.services.conftest import (  # noqa: F401 - fixtures shared with the service tests
    TEST_AUDIT,
    FakeClock,
    admin,
    agent,
    clock,
    moderator,
    office,
    passwords,
)

TEST_CONNECTION = Connection("local database on this computer", "exotic_travel", True)
SECOND_MS = 1000  # "within a second": what the live updates promise


@pytest.fixture
def office_b(
    database_url: URL,
    clock: FakeClock,  # noqa: F811 - the shared fixture, as pytest passes it
    passwords: object,  # noqa: F811
) -> Iterator[BackOffice]:
    """A second workstation on the same database: its own engine (pool) and services."""
    engine = build_engine(database_url)
    yield build(engine, clock=clock, audit=TEST_AUDIT, passwords=passwords)  # type: ignore[arg-type]
    engine.dispose()


@pytest.fixture(autouse=True)
def private_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each GUI test starts with no remembered window layout."""
    monkeypatch.setenv("EXOTIC_HOME", str(tmp_path / "profile"))


@pytest.fixture(autouse=True)
def no_worker_left_running(qapp: QApplication) -> Iterator[None]:
    """Fail a test that leaves database work running in the background."""
    make_application()
    connection().set_online(True)
    yield
    # A result delivered now may start more work (a list's count after its page): drain.
    finished = True
    for _ in range(20):
        finished = ops().wait_for_done(10_000) and finished
        QApplication.processEvents()
        if ops().pending == 0:
            break
    assert finished, "a worker was still running 10 s after the test"
    assert ops().pending == 0, "a worker's result was never delivered"
    assert QThreadPool.globalInstance().activeThreadCount() == 0
    follow_server_clock(None)  # a window left open must not lend its clock to the next test


def make_session(back_office: BackOffice, actor: Actor) -> Session:
    return Session(back_office, actor, TEST_CONNECTION)


def is_closed(widget: QWidget) -> bool:
    """Hidden, or deleted already (dialogs delete themselves when they close)."""
    return not shiboken6.isValid(widget) or not widget.isVisible()


def settle(qtbot: QtBot, timeout: int = 10_000) -> None:
    """Wait until every background load has been delivered to the widgets."""
    qtbot.waitUntil(lambda: ops().pending == 0, timeout=timeout)
    QApplication.processEvents()

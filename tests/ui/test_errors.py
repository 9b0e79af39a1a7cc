"""Errors reach a person as a message that says what to do; tracebacks go to the log only."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktop import logs
from desktop.bootstrap import SchemaOutdated
from desktop.config import AppDirs, SettingsError
from desktop.db.diagnostics import ConnectionFailed, Problem
from desktop.db.embedded import EmbeddedServerError
from desktop.domain.errors import (
    BackOfficeError,
    Conflict,
    DatabaseUnavailable,
    DiskFull,
    FolderUnusable,
    PermissionDenied,
    ValidationError,
)
from desktop.ui.app import _errors_to_the_dialog
from desktop.ui.errors import describe, show_error


@pytest.fixture
def log_file() -> Iterator[Path]:
    path = logs.configure(AppDirs.default().log)  # the test's private profile
    yield path
    for handler in list(logging.getLogger().handlers):
        if (handler.get_name() or "").startswith("exotic-travel-"):
            handler.close()
            logging.getLogger().removeHandler(handler)


def _shown_boxes() -> list[QMessageBox]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]


def test_an_exception_escaping_a_slot_becomes_the_error_dialog(
    qtbot: QtBot, log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    _errors_to_the_dialog()
    try:
        raise KeyError("the widget's secret internals")
    except KeyError:
        sys.excepthook(*sys.exc_info())  # what PySide does with an exception in a slot
    qtbot.waitUntil(lambda: bool(_shown_boxes()))
    box = _shown_boxes()[0]
    assert box.windowTitle() == "Something went wrong"
    assert "Traceback" not in box.text()
    assert "secret internals" not in box.text()
    assert str(log_file) in box.text(), "the message says where the details are"
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = log_file.read_text("utf-8")
    assert "Traceback" in logged
    assert "secret internals" in logged
    box.close()


@pytest.mark.parametrize(
    ("error", "title"),
    [
        (ValidationError({"guests": "Guests must be at least 1."}), "Please check the form"),
        (Conflict("These dates overlap booking #7 for Ann Lee."), "Someone else got there first"),
        (PermissionDenied("Counter agents may not manage staff."), "Not allowed"),
        (DatabaseUnavailable("The connection to the database was lost."), "Connection lost"),
    ],
)
def test_each_kind_of_refusal_has_its_own_title_and_the_services_words(
    error: Exception, title: str
) -> None:
    shown_title, text = describe(error)
    assert shown_title == title
    assert text == str(error)


@pytest.mark.parametrize(
    ("error", "title"),
    [
        (
            SettingsError("The file is cut short.", fix="Reset it."),
            "The connection settings cannot be used",
        ),
        (FolderUnusable("A file is in the way.", fix="Move it."), "A folder cannot be written"),
        (DiskFull("The disk is full (/data).", fix="Free some space."), "The disk is full"),
        (
            EmbeddedServerError("Another server has the socket.", fix="Quit it."),
            "The local database did not start",
        ),
        (
            ConnectionFailed(Problem.UNREACHABLE, "No server answers.", fix="Check the host."),
            "The database server cannot be used",
        ),
        (
            SchemaOutdated("The schema is older.", fix="Upgrade it."),
            "The database does not fit this version",
        ),
    ],
)
def test_start_up_failures_say_what_happened_then_what_to_do(
    error: BackOfficeError, title: str
) -> None:
    shown_title, text = describe(error)
    assert shown_title == title, "a connection never made is not a 'Connection lost'"
    assert text == f"{error.message}\n\n{error.fix}"


def test_system_exit_never_becomes_an_error_dialog(qtbot: QtBot) -> None:
    assert show_error(None, SystemExit(0)) is None
    assert show_error(None, KeyboardInterrupt()) is None
    assert _shown_boxes() == []

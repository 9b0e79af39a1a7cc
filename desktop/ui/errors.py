"""The one error dialog: what happened and what to do; details go to the log file."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.domain.errors import (
    AuthenticationFailed,
    BackOfficeError,
    Conflict,
    DatabaseUnavailable,
    DiskFull,
    FolderUnusable,
    LocalDatabaseFailed,
    NotFound,
    PermissionDenied,
    SchemaMismatch,
    ServerConnectionFailed,
    SettingsError,
    StartupError,
    ValidationError,
)

log = logging.getLogger(__name__)


def tr(text: str) -> str:
    return QCoreApplication.translate("Errors", text)


def describe(exc: BaseException) -> tuple[str, str]:
    """A title and a message a person can act on (the fix below it); never a traceback."""
    title = _title(exc)
    if title is not None and isinstance(exc, BackOfficeError):
        return title, explanation(exc)
    from desktop.ui.app_state import log_file_path

    return (
        tr("Something went wrong"),
        tr(
            "The application met an unexpected problem and did not finish this action. "
            "Nothing you typed was lost. If it happens again, send the log file to support:\n{0}"
        ).format(log_file_path()),
    )


def explanation(exc: BackOfficeError) -> str:
    """What happened, then what to do about it, as separate paragraphs."""
    return f"{exc.message}\n\n{exc.fix}" if exc.fix else exc.message


def _title(exc: BaseException) -> str | None:
    if isinstance(exc, StartupError):
        return _startup_title(exc)
    if isinstance(exc, ValidationError):
        return tr("Please check the form")
    if isinstance(exc, Conflict):
        return tr("Someone else got there first")
    if isinstance(exc, PermissionDenied):
        return tr("Not allowed")
    if isinstance(exc, NotFound):
        return tr("No longer there")
    if isinstance(exc, DatabaseUnavailable):
        return tr("Connection lost")
    if isinstance(exc, AuthenticationFailed):
        return tr("Sign-in failed")
    if isinstance(exc, BackOfficeError):
        return tr("Could not do that")
    return None


def _startup_title(exc: StartupError) -> str:
    """Start-up failures: a connection never made is not a "connection lost"."""
    if isinstance(exc, SettingsError):
        return tr("The connection settings cannot be used")
    if isinstance(exc, DiskFull):
        return tr("The disk is full")
    if isinstance(exc, FolderUnusable):
        return tr("A folder cannot be written")
    if isinstance(exc, LocalDatabaseFailed):
        return tr("The local database did not start")
    if isinstance(exc, ServerConnectionFailed):
        return tr("The database server cannot be used")
    if isinstance(exc, SchemaMismatch):
        return tr("The database does not fit this version")
    return tr("Exotic Travel cannot open its database")


def show_error(parent: QWidget | None, exc: BaseException) -> QMessageBox | None:
    """The one error dialog (None: ``exc`` ends the application instead, see ``leave_for``)."""
    if leave_for(exc):
        return None
    expected = isinstance(exc, BackOfficeError)
    if expected:
        log.info("Refused: %s: %s", type(exc).__name__, exc)
    else:
        log.error("Unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    title, text = describe(exc)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if expected else QMessageBox.Icon.Critical)
    box.setWindowTitle(title)
    box.setText(text)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setObjectName("errorDialog")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    # A box without a parent belongs to no window: keep it alive until it is closed.
    _open_boxes.add(box)
    box.finished.connect(lambda _result: _open_boxes.discard(box))
    box.open()
    return box


_open_boxes: set[QMessageBox] = set()

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
_main_loop_running = False


def run_main_loop(app: QCoreApplication) -> int:
    """``app.exec()``, noted as running: only then does ``leave_for`` end it.

    ``QCoreApplication.exit`` outside ``exec`` would leave Qt's "quit now" flag set, and
    every event loop started afterwards would return at once.
    """
    global _main_loop_running  # noqa: PLW0603 - one main loop per application
    _main_loop_running = True
    try:
        return int(app.exec())
    finally:
        _main_loop_running = False


def leave_for(exc: BaseException) -> bool:
    """``SystemExit`` and ``KeyboardInterrupt`` end the application; never an error dialog.

    True when ``exc`` was one of them (the main loop, if it runs, has been told to end).
    """
    if isinstance(exc, SystemExit):
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    elif isinstance(exc, KeyboardInterrupt):
        code = EXIT_INTERRUPTED
    else:
        return False
    log.info("Ending the application (%s)", type(exc).__name__)
    if _main_loop_running:
        QCoreApplication.exit(code)
    return True

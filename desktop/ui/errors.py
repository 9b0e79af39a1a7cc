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
    NotFound,
    PermissionDenied,
    ValidationError,
)

log = logging.getLogger(__name__)


def tr(text: str) -> str:
    return QCoreApplication.translate("Errors", text)


def describe(exc: BaseException) -> tuple[str, str]:
    """A title and a message a person can act on; never a traceback."""
    if isinstance(exc, ValidationError):
        return tr("Please check the form"), exc.message
    if isinstance(exc, Conflict):
        return tr("Someone else got there first"), exc.message
    if isinstance(exc, PermissionDenied):
        return tr("Not allowed"), exc.message
    if isinstance(exc, NotFound):
        return tr("No longer there"), exc.message
    if isinstance(exc, DatabaseUnavailable):
        return tr("Connection lost"), exc.message
    if isinstance(exc, AuthenticationFailed):
        return tr("Sign-in failed"), exc.message
    if isinstance(exc, BackOfficeError):
        return tr("Could not do that"), exc.message
    from desktop.ui.app_state import log_file_path

    return (
        tr("Something went wrong"),
        tr(
            "The application met an unexpected problem and did not finish this action. "
            "Nothing you typed was lost. If it happens again, send the log file to support:\n{0}"
        ).format(log_file_path()),
    )


def show_error(parent: QWidget | None, exc: BaseException) -> None:
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


_open_boxes: set[QMessageBox] = set()

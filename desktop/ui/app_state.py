"""Application-wide facts the UI needs: where the log file is, the settings store."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from desktop.config import AppDirs
from desktop.logs import LOG_FILE_NAME

ORGANIZATION = "Exotic Travel"
APPLICATION = "Back Office"


def log_file_path() -> Path:
    return AppDirs.default().log / LOG_FILE_NAME


def settings() -> QSettings:
    """Window layout and per-list state, in an INI file beside the connection settings."""
    path = AppDirs.default().config / "window.ini"
    return QSettings(str(path), QSettings.Format.IniFormat)

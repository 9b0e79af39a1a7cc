"""The window's entry point (the workspace itself arrives with the desktop issue)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from desktop.version import APP_NAME, __version__


def run(database_url: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle(f"{APP_NAME} {__version__}")
    window.setCentralWidget(QLabel(QApplication.translate("App", "Welcome")))
    window.show()
    return int(app.exec())

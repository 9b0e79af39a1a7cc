#!/usr/bin/env python3
"""Renders every page and the main dialogs to PNG files, over a throw-away demo database.

    python scripts/screenshots.py OUT_DIR                       (offscreen)
    QT_QPA_PLATFORM=xcb xvfb-run python scripts/screenshots.py OUT_DIR   (a real X server)

Starts an embedded PostgreSQL in a temporary folder, fills it with the demo
data through the services, opens the real main window as the administrator and
grabs each page once its rows are in.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if "QT_QPA_PLATFORM" not in os.environ:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtWidgets import QApplication, QWidget

from desktop.bootstrap import BackOffice, Connection, build
from desktop.db import migrate
from desktop.db.embedded import EmbeddedServer
from desktop.db.engine import build_engine
from desktop.ui.app import make_application
from desktop.ui.main_window import MainWindow
from desktop.ui.ops import ops
from desktop.ui.session import Session
from scripts.demo_data import MovableClock, seed

LOCAL = Connection("local database on this computer", "exotic_travel", True)


def settle() -> None:
    """Let every background load land and the widgets repaint."""
    for _ in range(400):
        QApplication.processEvents()
        if ops().pending == 0:
            break
        ops().wait_for_done(50)
    for _ in range(20):
        QApplication.processEvents()


def save(widget: QWidget, path: Path) -> None:
    settle()
    widget.grab().save(str(path))
    print(f"saved {path}")


def dialogs(window: MainWindow, office: BackOffice) -> list[tuple[str, Callable[[], QWidget]]]:
    from desktop.ui.dialogs.booking_details import BookingDetailsDialog
    from desktop.ui.dialogs.destination_editor import DestinationEditor
    from desktop.ui.dialogs.new_booking import NewBookingDialog
    from desktop.ui.startup import ConnectionDialog, SignInDialog

    session = window.session
    bookings = window.pages["bookings"]
    destinations = window.pages["destinations"]

    def first_run() -> QWidget:
        dialog = ConnectionDialog()
        dialog.server_choice.setChecked(True)
        return dialog

    return [
        ("dialog-new-booking", lambda: NewBookingDialog(session, window)),
        (
            "dialog-booking-details",
            lambda: BookingDetailsDialog(session, bookings.model.row(0), window),
        ),
        (
            "dialog-destination-editor",
            lambda: DestinationEditor(session, destinations.model.row(0), window),
        ),
        ("dialog-sign-in", lambda: SignInDialog(office.auth.sign_in, LOCAL)),
        ("dialog-first-run", first_run),
    ]


def render(out: Path, office: BackOffice, session: Session, size: tuple[int, int]) -> None:
    make_application()
    out.mkdir(parents=True, exist_ok=True)
    window = MainWindow(session)
    window.resize(*size)
    window.show()
    for key in list(window.pages):
        window.show_page(key)
        save(window, out / f"page-{key}.png")
    window.show_page("destinations")
    settle()
    window.show_page("bookings")
    settle()
    for name, make in dialogs(window, office):
        dialog = make()
        dialog.show()
        save(dialog, out / f"{name}.png")
        dialog.close()
    window.close()
    settle()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=1360)
    parser.add_argument("--height", type=int, default=820)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="exotic-screens-"))
    os.environ["EXOTIC_HOME"] = str(base / "home")
    cluster = EmbeddedServer(base / "cluster")
    cluster.start()
    try:
        cluster.ensure_database("exotic_travel")
        engine = build_engine(cluster.url("exotic_travel"))
        migrate.upgrade(engine, "head")
        clock = MovableClock()
        office = build(engine, clock=clock)
        demo = seed(office, clock)
        render(args.out, office, Session(office, demo.admin, LOCAL), (args.width, args.height))
        office.close()
    finally:
        cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

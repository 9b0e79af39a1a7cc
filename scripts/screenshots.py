#!/usr/bin/env python3
"""Renders every page and the main dialogs to PNG files, over a throw-away demo database.

    python scripts/screenshots.py OUT_DIR            (offscreen)
    xvfb-run python scripts/screenshots.py OUT_DIR   (a real X server: QT_QPA_PLATFORM=xcb)

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=1360)
    parser.add_argument("--height", type=int, default=820)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    base = Path(tempfile.mkdtemp(prefix="exotic-screens-"))
    os.environ["EXOTIC_HOME"] = str(base / "home")

    from PySide6.QtWidgets import QApplication, QWidget

    from desktop.bootstrap import build
    from desktop.db import migrate
    from desktop.db.embedded import EmbeddedServer
    from desktop.db.engine import build_engine
    from desktop.ui.app import make_application
    from desktop.ui.main_window import MainWindow
    from desktop.ui.ops import ops
    from desktop.ui.session import Session
    from desktop.bootstrap import Connection
    from scripts.demo_data import MovableClock, seed

    cluster = EmbeddedServer(base / "cluster")
    cluster.start()
    try:
        cluster.ensure_database("exotic_travel")
        engine = build_engine(cluster.url("exotic_travel"))
        migrate.upgrade(engine, "head")
        clock = MovableClock()
        office = build(engine, clock=clock)
        demo = seed(office, clock)
        app = make_application()
        args.out.mkdir(parents=True, exist_ok=True)

        def settle() -> None:
            for _ in range(200):
                QApplication.processEvents()
                if ops().pending == 0:
                    break
                ops().wait_for_done(50)
            for _ in range(20):
                QApplication.processEvents()

        def save(widget: QWidget, name: str) -> None:
            settle()
            path = args.out / f"{name}.png"
            widget.grab().save(str(path))
            print(f"saved {path}")

        window = MainWindow(
            Session(office, demo.admin, Connection("local database on this computer",
                                                   "exotic_travel", True))
        )
        window.resize(args.width, args.height)
        window.show()
        for key in list(window.pages):
            window.show_page(key)
            save(window, f"page-{key}")

        dialogs: list[tuple[str, Callable[[], QWidget]]] = []
        bookings = window.pages["bookings"]
        window.show_page("bookings")
        settle()

        def new_booking() -> QWidget:
            from desktop.ui.dialogs.new_booking import NewBookingDialog

            return NewBookingDialog(window.session, window)

        def booking_details() -> QWidget:
            from desktop.ui.dialogs.booking_details import BookingDetailsDialog

            return BookingDetailsDialog(window.session, bookings.model.row(0), window)

        def destination_editor() -> QWidget:
            from desktop.ui.dialogs.destination_editor import DestinationEditor

            destinations = window.pages["destinations"]
            return DestinationEditor(window.session, destinations.model.row(0), window)

        def sign_in() -> QWidget:
            from desktop.ui.startup import SignInDialog

            return SignInDialog(office.auth.sign_in, window.session.connection)

        def first_run() -> QWidget:
            from desktop.ui.startup import ConnectionDialog

            dialog = ConnectionDialog()
            dialog.server_choice.setChecked(True)
            return dialog

        dialogs += [
            ("dialog-new-booking", new_booking),
            ("dialog-booking-details", booking_details),
            ("dialog-destination-editor", destination_editor),
            ("dialog-sign-in", sign_in),
            ("dialog-first-run", first_run),
        ]
        for name, make in dialogs:
            dialog = make()
            dialog.show()
            save(dialog, name)
            dialog.close()
        window.close()
        settle()
        office.close()
        del app
    finally:
        cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

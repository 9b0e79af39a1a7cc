"""From start-up to the main window, as a person walks through it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import URL

from desktop.bootstrap import first_run
from desktop.domain.enums import Role
from desktop.domain.permissions import Actor
from desktop.services.people import PersonDetails
from desktop.ui.app import AppController
from desktop.ui.startup import ConnectionDialog, FirstAdminDialog, SignInDialog
from tests.ui.conftest import settle

ADMIN_PASSWORD = "lagoon sunrise 2027"


def _url(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def _wait_for_dialog(qtbot: QtBot, controller: AppController, kind: type) -> object:
    qtbot.waitUntil(lambda: isinstance(controller.dialog, kind), timeout=60_000)
    settle(qtbot)
    return controller.dialog


def _ok(dialog: object) -> QPushButton:
    buttons = dialog.findChild(QDialogButtonBox)  # type: ignore[attr-defined]
    return buttons.button(QDialogButtonBox.StandardButton.Ok)


def _create_first_admin(qtbot: QtBot, dialog: FirstAdminDialog) -> None:
    qtbot.keyClicks(dialog.name, "Ada Admin")
    qtbot.keyClicks(dialog.email, "ada@office.example")
    qtbot.keyClicks(dialog.password, "short")
    qtbot.keyClicks(dialog.repeat, "short")
    qtbot.waitUntil(lambda: "at least 12 characters long" in dialog.form.message("password"))
    assert not _ok(dialog).isEnabled()
    dialog.password.clear()
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.password, ADMIN_PASSWORD)
    qtbot.keyClicks(dialog.repeat, ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: _ok(dialog).isEnabled())
    qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)


@pytest.fixture
def controller(qtbot: QtBot) -> Iterator[AppController]:
    made: list[AppController] = []

    def make(url: str | None) -> AppController:
        controller = AppController(url)
        made.append(controller)
        return controller

    yield make  # type: ignore[misc]
    for controller in made:
        if controller.window is not None:
            controller.window.close()
        if controller.dialog is not None:
            controller.dialog.close()
        controller.shutdown()
    QApplication.processEvents()


def test_first_run_with_a_server_creates_the_first_administrator_and_signs_in(
    qtbot: QtBot, controller: object, database_url: URL
) -> None:
    app: AppController = controller(_url(database_url))  # type: ignore[operator]
    app.start()
    dialog = _wait_for_dialog(qtbot, app, FirstAdminDialog)
    assert isinstance(dialog, FirstAdminDialog)
    _create_first_admin(qtbot, dialog)
    qtbot.waitUntil(lambda: app.window is not None, timeout=20_000)
    window = app.window
    assert window is not None
    assert [window.navigation.item(i).text() for i in range(window.navigation.count())] == [
        "Bookings",
        "Destinations",
        "Customers",
        "Reviews",
        "Staff",
        "Audit log",
    ]
    assert "Ada Admin (Administrator)" in window.person_label.text()
    assert database_url.database in window.database_label.text()

    # Sign out: back to the sign-in dialog, which says where it will sign in.
    window.sign_out()
    sign_in = _wait_for_dialog(qtbot, app, SignInDialog)
    assert isinstance(sign_in, SignInDialog)
    info = sign_in.findChild(object, "connectionInfo")
    assert database_url.database in info.text()  # type: ignore[union-attr]

    qtbot.keyClicks(sign_in.email, "ada@office.example")
    qtbot.keyClicks(sign_in.password, "wrong password here")
    qtbot.waitUntil(sign_in.ok_button.isEnabled)
    qtbot.mouseClick(sign_in.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(sign_in.message.isVisible, timeout=10_000)
    assert sign_in.message.text().startswith("Wrong e-mail or password")
    assert sign_in.password.text() == "", "the wrong password is cleared, the e-mail kept"
    assert sign_in.email.text() == "ada@office.example"

    qtbot.keyClicks(sign_in.password, ADMIN_PASSWORD)
    qtbot.waitUntil(sign_in.ok_button.isEnabled)
    qtbot.mouseClick(sign_in.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.window is not None, timeout=10_000)


def test_a_counter_agent_sees_only_their_pages_and_actions(
    qtbot: QtBot, controller: object, database_url: URL
) -> None:
    app: AppController = controller(_url(database_url))  # type: ignore[operator]
    app.start()
    dialog = _wait_for_dialog(qtbot, app, FirstAdminDialog)
    _create_first_admin(qtbot, dialog)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: app.window is not None, timeout=20_000)
    office = app.office
    assert office is not None
    admin_window = app.window
    assert admin_window is not None
    admin: Actor = admin_window.session.actor
    office.staff.create(
        admin, PersonDetails("Alex Agent", "alex@office.example"), Role.AGENT, ADMIN_PASSWORD
    )
    admin_window.sign_out()
    sign_in = _wait_for_dialog(qtbot, app, SignInDialog)
    qtbot.keyClicks(sign_in.email, "alex@office.example")  # type: ignore[attr-defined]
    qtbot.keyClicks(sign_in.password, ADMIN_PASSWORD)  # type: ignore[attr-defined]
    qtbot.waitUntil(sign_in.ok_button.isEnabled)  # type: ignore[attr-defined]
    qtbot.mouseClick(sign_in.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(
        lambda: app.window is not None and app.window is not admin_window, timeout=10_000
    )
    window = app.window
    assert window is not None
    titles = [window.navigation.item(i).text() for i in range(window.navigation.count())]
    assert titles == ["Bookings", "Destinations", "Customers", "Reviews"]
    destinations = window.show_page("destinations")
    settle(qtbot)
    visible = [a.text() for a in destinations.page_actions if a.isVisible()]
    assert not any("New" in text or "Remove" in text for text in visible)
    bookings = window.show_page("bookings")
    assert bookings.new_action.isVisible()


@pytest.fixture
def fresh_profile(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A profile folder under a fresh temporary directory (the embedded server needs /tmp)."""
    home = Path(tempfile.mkdtemp(prefix="exotic-ui-home-"))
    monkeypatch.setenv("EXOTIC_HOME", str(home))
    monkeypatch.delenv("EXOTIC_DATABASE_URL", raising=False)
    yield home
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "postgres" and str(home) in " ".join(proc.info["cmdline"] or []):
            proc.kill()
    shutil.rmtree(home, ignore_errors=True)


def test_first_run_offers_the_local_database_and_starts_it(
    qtbot: QtBot,
    fresh_profile: Path,  # before the controller: removed after the window has left it
    controller: object,
) -> None:
    assert first_run(None)
    app: AppController = controller(None)  # type: ignore[operator]
    app.start()
    dialog = _wait_for_dialog(qtbot, app, ConnectionDialog)
    assert isinstance(dialog, ConnectionDialog)
    assert dialog.local_choice.isChecked()
    dialog.server_choice.setChecked(True)
    assert dialog.server_box.isVisible()
    assert not dialog.ok_button.isEnabled(), "a server needs a host, database and user"
    dialog.local_choice.setChecked(True)
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    admin = _wait_for_dialog(qtbot, app, FirstAdminDialog)
    assert (fresh_profile / "data" / "database" / "PG_VERSION").is_file()
    assert not first_run(None), "the choice is remembered"
    _create_first_admin(qtbot, admin)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: app.window is not None, timeout=20_000)
    assert "local database" in app.window.server_label.text()  # type: ignore[union-attr]

"""The connection settings and the first-administrator dialog, as a person uses them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import URL

from desktop.config import ServerSettings
from desktop.ui.app import AppController
from desktop.ui.dialogs.fitting_dialog import FittingDialog
from desktop.ui.startup import ConnectionDialog, FirstAdminDialog, StartupFailedDialog
from desktop.ui.widgets.forms import Form
from tests import startup_failures as fail
from tests.ui.conftest import settle


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = fail.new_home("exotic-ui-dialogs-")
    monkeypatch.setenv("EXOTIC_HOME", str(folder))
    monkeypatch.delenv("EXOTIC_DATABASE_URL", raising=False)
    yield folder
    fail.remove_home(folder)


def _show(qtbot: QtBot, dialog: QWidget) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)


def _fill(qtbot: QtBot, dialog: ConnectionDialog, server: ServerSettings) -> None:
    dialog.server_choice.setChecked(True)
    for editor, value in (
        (dialog.host, server.host),
        (dialog.database, server.database),
        (dialog.user, server.user),
        (dialog.password, server.password),
    ):
        editor.clear()
        qtbot.keyClicks(editor, value)
    dialog.port.setValue(server.port)


def _test_connection(qtbot: QtBot, dialog: ConnectionDialog) -> None:
    qtbot.waitUntil(dialog.test_button.isEnabled)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_result.property("state") in ("ok", "error"), timeout=20_000)
    settle(qtbot)


def _the_test_server(url: URL) -> ServerSettings:
    """The test database as someone would type it: the socket folder as the host."""
    host = url.host or str(url.query["host"])
    port = url.port or int(str(url.query.get("port", "5432")))
    return ServerSettings(
        host=host,
        port=port,
        database=url.database or "",
        user=url.username or "",
        password=url.password or "",  # type: ignore[arg-type]
    )


def test_continue_waits_for_a_passed_test_of_the_values_as_typed(
    qtbot: QtBot, home: Path, database_url: URL
) -> None:
    dialog = ConnectionDialog()
    _show(qtbot, dialog)
    _fill(qtbot, dialog, _the_test_server(database_url))
    assert not dialog.ok_button.isEnabled()
    assert dialog.ok_button.toolTip() == "Test the connection first."
    assert dialog.test_result.text() == "Test the connection before you continue."

    _test_connection(qtbot, dialog)
    assert dialog.test_result.text().startswith("Connected: PostgreSQL")
    assert dialog.ok_button.isEnabled()

    qtbot.keyClicks(dialog.database, "x")  # a different database: the test said nothing of it
    assert not dialog.ok_button.isEnabled()
    assert dialog.test_result.text() == "Test the connection before you continue."
    qtbot.keyClick(dialog.database, Qt.Key.Key_Backspace)
    assert dialog.ok_button.isEnabled(), "back to the values that passed"

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == ConnectionDialog.DialogCode.Accepted
    saved = fail.settings_on_disk(home)
    assert isinstance(saved, dict)
    assert saved["server"]["database"] == database_url.database


def test_a_failed_test_keeps_continue_off_until_use_anyway(qtbot: QtBot, home: Path) -> None:
    server = fail.stopped_server()
    dialog = ConnectionDialog()
    _show(qtbot, dialog)
    _fill(qtbot, dialog, server)
    assert not dialog.use_anyway.isVisible()
    _test_connection(qtbot, dialog)
    assert dialog.test_result.text().startswith(
        f"No database server answers at 127.0.0.1:{server.port}."
    )
    assert not dialog.ok_button.isEnabled(), "Continue stays off after a failed test"
    qtbot.keyClick(dialog.user, Qt.Key.Key_Return)
    assert dialog.isVisible(), "Enter does not slip past the test either"
    assert not (home / "config" / "connection.json").exists()

    assert dialog.use_anyway.isVisible()
    dialog.use_anyway.click()
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    saved = fail.settings_on_disk(home)
    assert isinstance(saved, dict)
    assert saved["server"]["port"] == server.port


def test_it_opens_on_what_is_saved_and_keeps_what_it_does_not_show(qtbot: QtBot) -> None:
    saved = ServerSettings(
        host="db.office",
        port=6432,
        database="et",
        user="clerk",
        password="pw",
        sslmode="require",
        pooler=True,
        direct_port=5432,
    )
    dialog = ConnectionDialog(current=saved)
    _show(qtbot, dialog)
    assert dialog.server_choice.isChecked()
    assert (dialog.host.text(), dialog.port.value(), dialog.user.text()) == (
        "db.office",
        6432,
        "clerk",
    )
    assert dialog.ssl_mode.currentText() == "require"
    assert dialog.server() == saved, "the pooler's settings survive an edit in the dialog"


def test_a_connection_never_made_is_not_a_lost_connection(qtbot: QtBot, home: Path) -> None:
    app = AppController(None)
    try:
        app.start()
        qtbot.waitUntil(lambda: isinstance(app.dialog, ConnectionDialog))
        dialog = app.dialog
        assert isinstance(dialog, ConnectionDialog)
        server = fail.stopped_server()
        _fill(qtbot, dialog, server)
        _test_connection(qtbot, dialog)
        dialog.use_anyway.click()
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: isinstance(app.dialog, StartupFailedDialog), timeout=30_000)
        failure = app.dialog
        assert isinstance(failure, StartupFailedDialog)
        titles = [
            w.windowTitle()
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox | StartupFailedDialog)
            and shiboken6.isValid(w)
            and w.isVisible()
        ]
        assert titles == ["The database server cannot be used"]
    finally:
        if app.dialog is not None and shiboken6.isValid(app.dialog):
            app.dialog.close()
        app.shutdown()


def _squeezed(dialog: QWidget) -> list[str]:
    """Visible editors shorter than they need, and labels cut shorter than their text."""
    found = []
    for editor in dialog.findChildren(QLineEdit):
        inner = editor.objectName().startswith("qt_")  # a spin box's own line edit
        if editor.isVisible() and not inner and editor.height() < editor.minimumSizeHint().height():
            found.append(f"{editor.objectName() or 'a field'} is {editor.height()} px high")
    for label in dialog.findChildren(QLabel):
        if label.isVisible() and label.wordWrap() and label.text():
            needed = label.heightForWidth(label.width())
            if label.height() < needed:
                found.append(f"{label.text()[:30]!r} has {label.height()} of {needed} px")
    return found


def test_first_administrator_messages_leave_the_fields_their_height(qtbot: QtBot) -> None:
    dialog = FirstAdminDialog(lambda *_args: None)
    _show(qtbot, dialog)
    qtbot.keyClicks(dialog.name, "Ada Admin")
    qtbot.keyClicks(dialog.email, "ada@office.example")
    qtbot.keyClicks(dialog.password, "short")
    qtbot.keyClicks(dialog.repeat, "shorter")
    qtbot.waitUntil(lambda: "at least 12 characters long" in dialog.form.message("password"))
    qtbot.waitUntil(lambda: dialog.form.message("repeat") != "")
    settle(qtbot)
    assert _squeezed(dialog) == []


def test_a_failed_test_shows_its_whole_message(qtbot: QtBot, home: Path) -> None:
    dialog = ConnectionDialog()
    _show(qtbot, dialog)
    _fill(qtbot, dialog, fail.stopped_server())
    _test_connection(qtbot, dialog)
    assert dialog.test_result.property("state") == "error"
    assert _squeezed(dialog) == []


def _caption(form: Form, name: str) -> str:
    """A field's label as shown, with its required mark if it has one."""
    label = form._captions[name][0]
    return label.text()


def test_every_first_administrator_field_is_marked_required(qtbot: QtBot) -> None:
    dialog = FirstAdminDialog(lambda *_args: None)
    _show(qtbot, dialog)
    captions = [_caption(dialog.form, n) for n in ("name", "email", "password", "repeat")]
    assert captions == ["Name *", "E-mail *", "Password *", "Repeat password *"]


def _field_tops(dialog: ConnectionDialog, editors: list[QWidget]) -> list[int]:
    return [editor.mapTo(dialog, editor.rect().topLeft()).y() for editor in editors]


def test_every_connection_field_is_in_the_form_with_its_message_line(qtbot: QtBot) -> None:
    dialog = ConnectionDialog()
    _show(qtbot, dialog)
    dialog.server_choice.setChecked(True)
    settle(qtbot)
    qtbot.waitUntil(lambda: _squeezed(dialog) == [], timeout=2000)
    rows = [
        dialog.host,
        dialog.port,
        dialog.database,
        dialog.user,
        dialog.password,
        dialog.ssl_mode,
        dialog.ca_file,
    ]
    # Each row is its field and a message line: from one field to the next is the
    # field's own height, the line and the spacing, whichever the field.
    tops = _field_tops(dialog, rows)
    pairs = zip(tops[:-1], tops[1:], rows[:-1], strict=True)
    gaps = [nxt - top - editor.height() for top, nxt, editor in pairs]
    assert max(gaps) - min(gaps) <= 2, gaps
    assert [_caption(dialog.form, n) for n in ("host", "port", "password", "sslmode")] == [
        "Host *",
        "Port *",
        "Password",
        "TLS mode",
    ]

    # A port out of range is said under the field, not corrected; testing waits for it.
    dialog.host.setFocus()
    qtbot.keyClicks(dialog.host, "db.office.example")
    qtbot.keyClicks(dialog.user, "clerk")
    dialog.port.setFocus()
    dialog.port.lineEdit().selectAll()
    qtbot.keyClicks(dialog.port, "70000")
    qtbot.keyClick(dialog.port, Qt.Key.Key_Tab)
    assert dialog.port.text() == "70000"
    qtbot.waitUntil(lambda: "70,000 is no port" in dialog.form.message("port"), timeout=2000)
    assert not dialog.test_button.isEnabled()
    # What keeps Test connection off is said just above it, under the fields.
    summary = dialog.form.summary
    assert summary.text() == "To correct: Port."
    top_of = _field_tops(dialog, [dialog.ca_file, summary, dialog.test_button])
    assert top_of == sorted(top_of)
    dialog.port.setFocus()
    dialog.port.lineEdit().selectAll()
    qtbot.keyClicks(dialog.port, "6432")
    qtbot.waitUntil(dialog.test_button.isEnabled, timeout=2000)
    assert dialog.form.message("port") == ""
    assert dialog.server().port == 6432


def test_the_connection_dialog_fits_the_choice_it_shows(qtbot: QtBot) -> None:
    dialog = ConnectionDialog()
    assert isinstance(dialog, FittingDialog)  # the one grow-to-fit, not a size of its own
    _show(qtbot, dialog)
    settle(qtbot)
    local = dialog.height()
    dialog.server_choice.setChecked(True)
    qtbot.waitUntil(lambda: dialog.height() > local + 100, timeout=2000)
    qtbot.waitUntil(lambda: _squeezed(dialog) == [], timeout=2000)
    dialog.local_choice.setChecked(True)
    qtbot.waitUntil(lambda: dialog.height() < local + 20, timeout=2000)

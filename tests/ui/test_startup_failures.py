"""Start-up failures in the real window: a dialog that says what happened, and a way out.

Each failure is made real (``tests/startup_failures.py``) and walked through the
``AppController`` as a person would: read the dialog, click a way out, see what follows.
No failure leaves the process running without a window.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import URL

from desktop import logs
from desktop.db import diagnostics
from desktop.domain.errors import WayOut
from desktop.ui.app import AppController, launch
from desktop.ui.errors import run_main_loop
from desktop.ui.startup import ConnectionDialog, FirstAdminDialog, StartupFailedDialog
from tests import startup_failures as fail
from tests.ui.conftest import settle

Controller = Callable[[str | None], AppController]
ALL_WAYS = {"Try again", "Connection settings…", "Reset saved settings…", "Show log folder", "Quit"}


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh profile with its log file, as the command line sets it up before the window."""
    folder = fail.new_home("exotic-ui-start-")
    monkeypatch.setenv("EXOTIC_HOME", str(folder))
    monkeypatch.delenv("EXOTIC_DATABASE_URL", raising=False)
    log_dir = folder / "log"
    logs.configure(log_dir, console_level=logging.CRITICAL)
    yield folder
    for handler in list(logging.getLogger().handlers):
        if (handler.get_name() or "").startswith("exotic-travel-"):
            handler.close()
            logging.getLogger().removeHandler(handler)
    fail.remove_home(folder)


@pytest.fixture
def controller(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, home: Path) -> Iterator[Controller]:
    """Controllers made by the test, shut down before ``home`` goes (they leave its server)."""
    made: list[AppController] = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # launch() installs its own

    def make(url: str | None) -> AppController:
        app = AppController(url)
        made.append(app)
        return app

    yield make
    qapp = QApplication.instance()
    for app in made:
        if app.window is not None:
            app.window.close()
        if app.dialog is not None and shiboken6.isValid(app.dialog):
            app.dialog.close()
        app.shutdown()
        if app in _launched and isinstance(qapp, QApplication):
            _launched.discard(app)
            qapp.lastWindowClosed.disconnect(app.check_soon)
            qapp.setQuitOnLastWindowClosed(True)  # as the other tests have it
    QApplication.processEvents()


_launched: set[AppController] = set()  # wired to the application by launch()


def _wait_for(qtbot: QtBot, app: AppController, kind: type, timeout: int = 90_000) -> object:
    qtbot.waitUntil(
        lambda: isinstance(app.dialog, kind) and app.dialog.isVisible(), timeout=timeout
    )
    settle(qtbot)
    return app.dialog


def _failure(qtbot: QtBot, app: AppController) -> StartupFailedDialog:
    dialog = _wait_for(qtbot, app, StartupFailedDialog)
    assert isinstance(dialog, StartupFailedDialog)
    return dialog


def _texts(dialog: StartupFailedDialog) -> set[str]:
    return {button.text() for button in dialog.buttons.buttons() if button.isVisible()}


def _click(qtbot: QtBot, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _shown(dialog: StartupFailedDialog) -> str:
    """Everything the dialog says, as one text."""
    return " ".join(
        label.text() for label in (dialog.message, dialog.fix, dialog.note) if label.isVisible()
    )


# -- the saved settings ----------------------------------------------------------------


def test_corrupt_settings_are_reset_only_after_a_confirmation(
    qtbot: QtBot, controller: Controller, home: Path
) -> None:
    path = fail.corrupt_settings(home)
    broken = path.read_text("utf-8")
    app = controller(None)
    app.start()
    dialog = _failure(qtbot, app)
    assert dialog.windowTitle() == "The connection settings cannot be used"
    assert f"The saved connection settings in {path} cannot be read" in dialog.message.text()
    assert "reset the saved settings" in dialog.fix.text()
    assert _texts(dialog) == ALL_WAYS

    def confirmations() -> list[QMessageBox]:
        boxes = dialog.findChildren(QMessageBox, "confirmReset")
        return [box for box in boxes if shiboken6.isValid(box) and box.isVisible()]

    _click(qtbot, dialog.way_buttons[WayOut.RESET_SETTINGS])
    qtbot.waitUntil(lambda: len(confirmations()) == 1)
    assert path.read_text("utf-8") == broken, "nothing is reset before the person confirms"
    _click(qtbot, confirmations()[0].button(QMessageBox.StandardButton.Cancel))
    qtbot.waitUntil(lambda: not confirmations())
    assert dialog.isVisible()
    assert path.read_text("utf-8") == broken

    _click(qtbot, dialog.way_buttons[WayOut.RESET_SETTINGS])
    qtbot.waitUntil(lambda: len(confirmations()) == 1)
    reset = next(b for b in confirmations()[0].buttons() if b.text() == "Reset")
    _click(qtbot, reset)
    settings = _wait_for(qtbot, app, ConnectionDialog)
    assert isinstance(settings, ConnectionDialog)
    assert not path.exists()
    assert path.with_name("connection.json.old").read_text("utf-8") == broken, "kept aside"
    assert settings.local_choice.isChecked(), "nothing is saved now: the first-run choice"


def test_unreadable_settings_and_a_save_that_fails_keep_the_way_back(
    qtbot: QtBot, controller: Controller, home: Path
) -> None:
    path = fail.unreadable_settings(home)
    app = controller(None)
    app.start()
    dialog = _failure(qtbot, app)
    assert "cannot be read (Is a directory)" in dialog.message.text()

    _click(qtbot, dialog.way_buttons[WayOut.CONNECTION_SETTINGS])
    settings = _wait_for(qtbot, app, ConnectionDialog)
    assert isinstance(settings, ConnectionDialog)
    settings.local_choice.setChecked(True)
    _click(qtbot, settings.ok_button)
    # The folder in the way stops the save: the dialog says so and stays.
    qtbot.waitUntil(settings.problem.isVisible)
    assert (
        f"cannot write its connection settings: the folder {path} is in the way"
        in settings.problem.text()
    )
    assert "Move that folder away" in settings.problem.text()
    assert app.dialog is settings
    assert settings.isVisible()

    _click(qtbot, settings.buttons.button(settings.buttons.StandardButton.Cancel))
    again = _failure(qtbot, app)
    assert again is not dialog
    assert "Is a directory" in again.message.text()
    with qtbot.waitSignal(app.finished):
        _click(qtbot, again.way_buttons[WayOut.QUIT])


# -- the local database's folder and disk -----------------------------------------------


def test_a_file_in_the_data_folders_way_then_try_again(
    qtbot: QtBot, controller: Controller, home: Path
) -> None:
    fail.choose_local(home)
    blocker = fail.file_in_the_data_folders_way(home)
    app = controller(None)
    app.start()
    dialog = _failure(qtbot, app)
    assert dialog.windowTitle() == "A folder cannot be written"
    assert f"the file {blocker} is in the way where a folder should be" in _shown(dialog)
    assert _texts(dialog) == ALL_WAYS - {"Reset saved settings…"}

    blocker.unlink()  # the person moved the file away
    _click(qtbot, dialog.way_buttons[WayOut.TRY_AGAIN])
    _wait_for(qtbot, app, FirstAdminDialog)


def test_a_read_only_data_folder(qtbot: QtBot, controller: Controller, home: Path) -> None:
    fail.require_mount()
    fail.choose_local(home)
    with fail.small_disk(home / "data", options="ro"):
        app = controller(None)
        app.start()
        dialog = _failure(qtbot, app)
    assert dialog.windowTitle() == "A folder cannot be written"
    assert "cannot write the local database" in _shown(dialog)
    assert "the disk is read-only" in _shown(dialog)


def test_a_full_disk_then_try_again(qtbot: QtBot, controller: Controller, home: Path) -> None:
    fail.choose_local(home)
    clients = fail.full_disk(home)
    app = controller(None)
    app.start()
    dialog = _failure(qtbot, app)
    assert dialog.windowTitle() == "The disk is full"
    assert "The disk holding the local database is full" in dialog.message.text()
    assert dialog.fix.text() == "Free some space on that disk, then try again."
    assert fail.servers_of(home) == [], "the server this start started is stopped again"

    clients.unlink()  # space freed
    _click(qtbot, dialog.way_buttons[WayOut.TRY_AGAIN])
    _wait_for(qtbot, app, FirstAdminDialog)


def test_a_disk_too_small_for_the_local_database(
    qtbot: QtBot, controller: Controller, home: Path
) -> None:
    fail.require_mount()
    fail.choose_local(home)
    with fail.small_disk(home / "data", options="size=1m"):
        app = controller(None)
        app.start()
        dialog = _failure(qtbot, app)
        assert dialog.windowTitle() == "The disk is full"


def test_another_server_on_the_local_databases_socket_then_try_again(
    qtbot: QtBot, controller: Controller, home: Path
) -> None:
    fail.choose_local(home)
    with fail.socket_taken(home) as other_pid:
        app = controller(None)
        app.start()
        dialog = _failure(qtbot, app)
        assert dialog.windowTitle() == "The local database did not start"
        assert f"another database server (process {other_pid})" in dialog.message.text()
        assert "Quit the program that runs that server" in dialog.fix.text()
    # The other server is gone now.
    _click(qtbot, dialog.way_buttons[WayOut.TRY_AGAIN])
    _wait_for(qtbot, app, FirstAdminDialog)


# -- a shared server ---------------------------------------------------------------------


def test_a_saved_server_that_is_not_running_opens_its_settings_as_saved(
    qtbot: QtBot, controller: Controller, home: Path
) -> None:
    server = fail.stopped_server()
    fail.choose_server(home, server)
    app = controller(None)
    app.start()
    dialog = _failure(qtbot, app)
    assert dialog.windowTitle() == "The database server cannot be used"
    assert dialog.message.text() == f"No database server answers at 127.0.0.1:{server.port}."
    assert _texts(dialog) == ALL_WAYS - {"Reset saved settings…"}
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    assert not [b for b in boxes if b.isVisible() and b.windowTitle() == "Connection lost"]

    _click(qtbot, dialog.way_buttons[WayOut.CONNECTION_SETTINGS])
    settings = _wait_for(qtbot, app, ConnectionDialog)
    assert isinstance(settings, ConnectionDialog)
    assert settings.server_choice.isChecked(), "it opens on what is saved"
    assert (settings.host.text(), settings.port.value(), settings.user.text()) == (
        "127.0.0.1",
        server.port,
        "clerk",
    )
    assert settings.password.text() == "pw"

    _click(qtbot, settings.buttons.button(settings.buttons.StandardButton.Cancel))
    again = _failure(qtbot, app)
    with qtbot.waitSignal(app.finished):
        again.close()  # the window's close button: the person quits


def test_a_stopped_server_given_on_the_command_line_offers_no_settings(
    qtbot: QtBot, controller: Controller, home: Path
) -> None:
    port = fail.free_port()
    app = controller(f"postgresql://clerk@127.0.0.1:{port}/et")
    app.start()
    dialog = _failure(qtbot, app)
    assert f"No database server answers at 127.0.0.1:{port}" in dialog.message.text()
    assert "The database was chosen by --database-url." in dialog.fix.text()
    assert _texts(dialog) == {"Try again", "Show log folder", "Quit"}


def test_a_database_behind_this_version(
    qtbot: QtBot, controller: Controller, home: Path, empty_database_url: URL
) -> None:
    app = controller(empty_database_url.render_as_string(hide_password=False))
    app.start()
    dialog = _failure(qtbot, app)
    assert dialog.windowTitle() == "The database does not fit this version"
    assert "has an older schema than this version of Exotic Travel needs" in _shown(dialog)
    assert "exotic-travel db upgrade" in dialog.fix.text()


def test_a_server_too_old(
    qtbot: QtBot,
    controller: Controller,
    home: Path,
    database_url: URL,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The test server is new; a requirement beyond it makes it the old one.
    monkeypatch.setattr(diagnostics, "MIN_SERVER_VERSION", 990000)
    monkeypatch.setattr(diagnostics, "MIN_SERVER_LABEL", "PostgreSQL 99")
    app = controller(database_url.render_as_string(hide_password=False))
    app.start()
    dialog = _failure(qtbot, app)
    assert dialog.windowTitle() == "The database server cannot be used"
    assert "Exotic Travel needs PostgreSQL 99 or newer" in dialog.message.text()


# -- the log folder, and no process without a window --------------------------------------


class _FolderOpener(QObject):
    """Stands in for the desktop's file manager (the test machine has none)."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url)


def test_show_log_folder_opens_it_and_keeps_the_dialog(
    qtbot: QtBot, controller: Controller, home: Path
) -> None:
    fail.corrupt_settings(home)
    opener = _FolderOpener()
    QDesktopServices.setUrlHandler("file", opener, "open")
    try:
        app = controller(None)
        app.start()
        dialog = _failure(qtbot, app)
        _click(qtbot, dialog.way_buttons[WayOut.LOG_FOLDER])
        assert [url.toLocalFile() for url in opener.opened] == [str(home / "log")]
        assert dialog.isVisible(), "the person still has to choose a way out"
        assert dialog.note.text() == f"The log folder is open: {home / 'log'}"
    finally:
        QDesktopServices.unsetUrlHandler("file")


def _run_until_quit(
    app: AppController, act: Callable[[], None], *, kind: type = StartupFailedDialog
) -> int:
    """Run the application's event loop as ``run`` does; ``act`` once a ``kind`` dialog shows.

    Returns the loop's exit code, or 99 when it was still running after 60 s. Both timers
    stop with the loop: a late one would end another test's waiting.
    """
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    launch(qapp, app)
    _launched.add(app)
    acted = False

    def poll() -> None:
        nonlocal acted
        if not acted and isinstance(app.dialog, kind) and app.dialog.isVisible():
            acted = True
            act()

    watcher = QTimer()
    watcher.timeout.connect(poll)
    watcher.start(100)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: qapp.exit(99))
    guard.start(60_000)
    try:
        return run_main_loop(qapp)
    finally:
        watcher.stop()
        guard.stop()


@pytest.mark.parametrize("way_out", ["Quit", "closing the dialog", "Escape"])
def test_the_event_loop_ends_after_the_failure_dialog(
    qtbot: QtBot, controller: Controller, home: Path, way_out: str
) -> None:
    fail.corrupt_settings(home)
    app = controller(None)

    def leave() -> None:
        dialog = app.dialog
        assert isinstance(dialog, StartupFailedDialog)
        if way_out == "Quit":
            dialog.way_buttons[WayOut.QUIT].click()
        elif way_out == "Escape":
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        else:
            dialog.close()

    assert _run_until_quit(app, leave) == 0


def test_a_slow_start_keeps_the_application_until_the_next_dialog_shows(
    qtbot: QtBot, controller: Controller, home: Path
) -> None:
    """The progress window gives way to the first-administrator dialog: no quitting between."""
    fail.choose_local(home)  # the first start creates the local database: seconds
    app = controller(None)
    seen: list[str] = []

    def progress_shown() -> None:
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog)]
        if any(w.isVisible() and w.objectName() == "startingProgress" for w in shown):
            seen.append("progress")

    watcher = QTimer()
    watcher.timeout.connect(progress_shown)
    watcher.start(50)

    def cancel() -> None:
        seen.append(type(app.dialog).__name__)
        assert app.dialog is not None
        app.dialog.reject()

    try:
        assert _run_until_quit(app, cancel, kind=FirstAdminDialog) == 0
    finally:
        watcher.stop()
    assert "progress" in seen, "the start was slow enough to show its progress"
    assert seen[-1] == "FirstAdminDialog", "the loop ran until the next dialog showed"


def test_a_step_that_shows_nothing_next_still_ends_the_loop(
    qtbot: QtBot, controller: Controller, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The safety net: the last window closes, nothing follows, the application quits."""
    fail.corrupt_settings(home)
    app = controller(None)
    monkeypatch.setattr(app, "_way_out", lambda _way, _failure: None)  # a step gone missing

    def try_again() -> None:
        dialog = app.dialog
        assert isinstance(dialog, StartupFailedDialog)
        dialog.way_buttons[WayOut.TRY_AGAIN].click()

    assert _run_until_quit(app, try_again) == 0


def test_an_exception_escaping_start_up_still_ends_in_a_window_with_a_way_out(
    qtbot: QtBot,
    controller: Controller,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    def broken(_url: str | None = None) -> bool:
        raise KeyError("a bug in a start-up step")

    monkeypatch.setattr("desktop.bootstrap.first_run", broken)
    app = controller(None)
    seen: list[str] = []

    def read_and_quit() -> None:
        dialog = app.dialog
        assert isinstance(dialog, StartupFailedDialog)
        seen.extend([dialog.windowTitle(), *sorted(_texts(dialog))])
        dialog.way_buttons[WayOut.QUIT].click()

    assert _run_until_quit(app, read_and_quit) == 0
    assert seen == [
        "Something went wrong",
        "Connection settings…",
        "Quit",
        "Show log folder",
        "Try again",
    ]
    assert "Traceback" not in capfd.readouterr().err
    logged = (home / "log" / "exotic-travel.log").read_text("utf-8")
    assert "Traceback" in logged
    assert "a bug in a start-up step" in logged


@pytest.mark.parametrize("where", ["ctrl-c in a slot", "exit in a worker"])
def test_ctrl_c_and_system_exit_end_the_loop_without_a_dialog(
    qtbot: QtBot,
    controller: Controller,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    # (SystemExit raised in a slot itself ends the process at once: PySide's doing.)
    def interrupted(_url: str | None = None) -> bool:
        raise KeyboardInterrupt

    def exits(_url: str | None = None) -> object:
        raise SystemExit(3)

    if where == "ctrl-c in a slot":
        monkeypatch.setattr("desktop.bootstrap.first_run", interrupted)
        code = 130
    else:
        fail.choose_local(home)
        monkeypatch.setattr("desktop.bootstrap.open_workspace", exits)
        code = 3
    app = controller(None)
    assert _run_until_quit(app, lambda: None) == code
    assert app.dialog is None, "no dialog was shown"
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    assert not [box for box in shown if box.isVisible()]

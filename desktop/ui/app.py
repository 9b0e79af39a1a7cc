"""The window's entry point: where the database is, who signs in, then the main window."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from types import FrameType, TracebackType

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QObject,
    Qt,
    QTimer,
    QTranslator,
    Signal,
)
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog, QWidget

from desktop import bootstrap
from desktop.bootstrap import BackOffice, Connection
from desktop.domain.errors import StartupError, WayOut
from desktop.domain.permissions import Actor
from desktop.ui import quiet_gc
from desktop.ui.app_state import APPLICATION, ORGANIZATION
from desktop.ui.errors import leave_for, run_main_loop, show_error
from desktop.ui.main_window import MainWindow
from desktop.ui.ops import ops, run_op
from desktop.ui.resources import app_icon, install_fonts, resources_dir, style_sheet
from desktop.ui.session import Session
from desktop.version import APP_NAME, __version__

log = logging.getLogger(__name__)


def tr(text: str) -> str:
    return QCoreApplication.translate("App", text)


def _readable_locale() -> None:
    """A machine left in the C locale shows "980.00$" and "1 12 2026"; use English (US) there."""
    if QLocale().language() in (QLocale.Language.C, QLocale.Language.AnyLanguage):
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))


def make_application(argv: list[str] | None = None) -> QApplication:
    _readable_locale()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    # Qt appends this to every window title: the one place the version shows in them.
    app.setApplicationDisplayName(f"{APP_NAME} {__version__}")
    app.setApplicationVersion(__version__)
    if sys.platform.startswith("linux"):
        _use_fusion(app)
    install_fonts()  # emoji in names, whatever fonts the system has
    app.setWindowIcon(app_icon())
    app.setStyleSheet(style_sheet())
    _install_translations(app)
    quiet_gc.install(app)
    return app


def _warm_up_failed(exc: BaseException) -> None:
    log.info("Preparing the bookings list in advance failed (it will load as usual): %s", exc)


ACCENT = "#0e7490"  # the style sheet's accent (resources/styles/app.qss)


def _use_fusion(app: QApplication) -> None:
    """Linux desktops differ wildly; Fusion with a light palette and our accent looks the same
    everywhere. Windows and macOS keep their native styles."""
    app.setStyle("Fusion")
    palette = app.style().standardPalette()
    accent = QColor(ACCENT)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.Highlight, accent)
        palette.setColor(group, QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.Link, accent)
    app.setPalette(palette)


def _install_translations(app: QApplication) -> None:
    locale = QLocale()
    qt_translator = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_translator.load(locale, "qtbase", "_", qt_dir):
        app.installTranslator(qt_translator)
    ours = QTranslator(app)
    if ours.load(locale, "exotic_travel", "_", str(resources_dir() / "translations")):
        app.installTranslator(ours)


def _quit_on_termination(app: QApplication) -> None:
    """SIGTERM/SIGHUP close the window like Quit does, so the local server stops too."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        QTimer.singleShot(0, app.closeAllWindows)
        QTimer.singleShot(0, app.quit)

    signal.signal(signal.SIGTERM, handler)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, handler)
    # Qt's event loop runs in C++; a timer lets Python notice signals promptly.
    ticker = QTimer(app)
    ticker.timeout.connect(lambda: None)
    ticker.start(250)


class AppController(QObject):
    """Walks a person from start-up to the main window, and back to sign-in.

    Every step is a non-blocking dialog; ``dialog`` is the one showing now. When
    the database cannot be opened, the start-up dialog says why and offers the
    ways out that apply. The process never outlives its last window: once no
    window is left and no step is on its way, the application quits.
    """

    finished = Signal()  # the person chose to quit before the main window opened

    def __init__(self, database_url: str | None = None) -> None:
        super().__init__()
        self.database_url = database_url
        self.office: BackOffice | None = None
        self.connection: Connection | None = None
        self.window: MainWindow | None = None
        self.dialog: QDialog | None = None
        self.failure: BaseException | None = None  # what the start-up dialog shows now
        self._progress: QProgressDialog | None = None
        self._opening = False

    def start(self) -> None:
        try:
            first = bootstrap.first_run(self.database_url)
        except StartupError as exc:  # unreadable saved settings
            log.warning("Cannot start: %s", exc.advice)
            self._startup_failed(exc)
            return
        if first:
            self._ask_connection(on_cancel=self._quit)
        else:
            self.open_database()

    def _show(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self.check_soon())
        dialog.open()

    def check_soon(self) -> None:
        """``quit_if_no_window`` once the current step has shown what comes next."""
        QTimer.singleShot(0, self.quit_if_no_window)

    def _quit(self) -> None:
        self.dialog = None
        self.finished.emit()
        QCoreApplication.quit()

    def quit_if_no_window(self) -> None:
        """Quit when nothing is on screen and no step is on its way to showing something."""
        if self._opening or self.window is not None:
            return
        if any(_on_screen(widget) for widget in QApplication.topLevelWidgets()):
            return
        log.info("No window is left: quitting")
        self._quit()

    def _ask_connection(self, *, on_cancel: Callable[[], None]) -> None:
        """The connection settings, opened on what is saved; Cancel goes to ``on_cancel``."""
        from desktop.ui.startup import ConnectionDialog

        try:
            current = bootstrap.saved_server()
        except StartupError:
            current = None  # unreadable: the person is choosing again
        dialog = ConnectionDialog(
            current=current, chosen_by=bootstrap.chosen_by_command_line(self.database_url)
        )
        dialog.accepted.connect(self._connection_chosen)
        dialog.rejected.connect(on_cancel)
        self._show(dialog)

    def _connection_chosen(self) -> None:
        self._close_office()
        self.open_database()

    def open_database(self) -> None:
        local = bootstrap.opens_local_database(self.database_url)
        self._progress = QProgressDialog(
            tr("Starting the local database…") if local else tr("Connecting to the server…"),
            "",
            0,
            0,
        )
        self._progress.setObjectName("startingProgress")
        self._progress.setWindowTitle(tr("Starting"))
        self._progress.setCancelButton(None)
        self._progress.setMinimumDuration(300)
        # The value starts below the range; only at its minimum does the dialog show itself
        # after the minimum duration (without this it never showed, however slow the start).
        self._progress.setValue(0)
        url = self.database_url
        self._opening = True

        def work() -> tuple[BackOffice, Connection, bool]:
            office, connection = bootstrap.open_workspace(url)
            try:
                return office, connection, office.auth.needs_first_admin()
            except BaseException:
                office.close()
                raise

        def opened(result: tuple[BackOffice, Connection, bool]) -> None:
            self.office, self.connection, needs_admin = result
            if needs_admin:
                self._first_admin()
            else:
                self.sign_in()
            self._opened()

        def failed(exc: BaseException) -> None:
            if leave_for(exc):
                self._opened()
                return
            if isinstance(exc, StartupError):
                log.warning("Could not open the database: %s", exc.advice, exc_info=exc)
            else:
                log.error("Could not open the database", exc_info=exc)
            self._startup_failed(exc)
            self._opened()

        run_op(work, opened, on_failed=failed)

    def _opened(self) -> None:
        """The step is over and its next window shows: only now may the progress go.

        (Closing the last window first would leave nothing on screen for a moment, and
        the application would quit in that moment.)
        """
        self._opening = False
        if self._progress is not None:
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None

    def _startup_failed(self, exc: BaseException) -> None:
        """The start-up dialog: what happened, what to do, and the ways out that apply."""
        from desktop.ui.startup import StartupFailedDialog

        self.failure = exc
        if isinstance(exc, StartupError):
            ways = exc.offered()
        else:  # unexpected: the log has the details; trying again may well work
            ways = (WayOut.TRY_AGAIN, WayOut.CONNECTION_SETTINGS, WayOut.LOG_FOLDER)
            if bootstrap.chosen_by_command_line(self.database_url):
                ways = (WayOut.TRY_AGAIN, WayOut.LOG_FOLDER)
        folder = bootstrap.log_folder()
        dialog = StartupFailedDialog(exc, ways, log_folder=folder if folder.is_dir() else None)
        dialog.finished.connect(lambda _result: self._way_out(dialog.choice, exc))
        self._show(dialog)

    def _way_out(self, way: WayOut, failure: BaseException) -> None:
        if way is WayOut.TRY_AGAIN:
            self.failure = None
            self.start()
        elif way is WayOut.CONNECTION_SETTINGS:
            self._ask_connection(on_cancel=lambda: self._startup_failed(failure))
        elif way is WayOut.RESET_SETTINGS:
            try:
                bootstrap.reset_saved_settings()
            except StartupError as exc:
                self._startup_failed(exc)
                return
            self.failure = None
            self._ask_connection(on_cancel=self._quit)
        else:
            self._quit()

    def unexpected(self, exc: BaseException) -> None:
        """An exception that escaped a slot: shown where the person can act on it.

        Over a window of ours it is the one error dialog; with nothing on screen (a
        step failed between two dialogs) it is the start-up dialog with its ways out,
        so the process is never left running without a window.
        """
        if self.window is not None or any(
            _on_screen(widget) for widget in QApplication.topLevelWidgets()
        ):
            box = show_error(QApplication.activeWindow(), exc)
            if box is not None:
                box.finished.connect(lambda _result: self.check_soon())
            return
        log.error("Unexpected error at start-up", exc_info=(type(exc), exc, exc.__traceback__))
        self._startup_failed(exc)
        self._opened()

    def _first_admin(self) -> None:
        from desktop.ui.startup import FirstAdminDialog

        office = self._office()
        dialog = FirstAdminDialog(office.auth.create_first_admin)
        dialog.accepted.connect(lambda: self._open_main_window(dialog.actor))
        dialog.rejected.connect(self._quit)
        self._show(dialog)

    def sign_in(self) -> None:
        from desktop.ui.startup import SignInDialog

        office = self._office()
        assert self.connection is not None  # noqa: S101 - set with the office
        dialog = SignInDialog(office.auth.sign_in, self.connection)
        # While the password is typed: the first list's statements get compiled.
        run_op(office.bookings.warm_up, lambda _: None, parent=dialog, on_failed=_warm_up_failed)

        def rejected() -> None:
            if dialog.change_connection:
                self._ask_connection(on_cancel=self.sign_in)
            else:
                self._quit()

        dialog.accepted.connect(lambda: self._open_main_window(dialog.actor))
        dialog.rejected.connect(rejected)
        self._show(dialog)

    def _office(self) -> BackOffice:
        if self.office is None:
            raise RuntimeError("no database is open")
        return self.office

    def _open_main_window(self, actor: Actor | None) -> None:
        if actor is None or self.connection is None:
            return
        self.dialog = None
        window = MainWindow(Session(self._office(), actor, self.connection))
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.signed_out.connect(lambda: QTimer.singleShot(0, self.sign_in))
        window.closed.connect(self._window_closed)
        self.window = window
        window.show()
        window.raise_()
        window.activateWindow()  # the keyboard follows from the closed sign-in dialog

    def _window_closed(self, signing_out: bool) -> None:
        self.window = None
        if not signing_out:
            QCoreApplication.quit()

    def _close_office(self) -> None:
        if self.office is not None:
            self.office.close()
            self.office = None

    def shutdown(self) -> None:
        ops().wait_for_done(10_000)
        self._close_office()


def _on_screen(widget: QWidget) -> bool:
    """A window a person can see and act on (not a tooltip, a menu or a busy indicator)."""
    if not widget.isWindow() or not widget.isVisible() or isinstance(widget, QProgressDialog):
        return False
    kind = widget.windowType()
    return kind not in (Qt.WindowType.ToolTip, Qt.WindowType.Popup, Qt.WindowType.SplashScreen)


def _errors_to_the_dialog(controller: AppController | None = None) -> None:
    """An exception escaping a Qt slot is logged and shown where a person can act on it.

    PySide prints such exceptions to stderr and carries on; a person would see
    nothing, or a console full of traceback. Neither reaches the screen now.
    ``KeyboardInterrupt`` (Ctrl+C in the terminal) and ``SystemExit`` end the
    application instead of becoming a dialog.
    """

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        exc = exc.with_traceback(tb)
        if leave_for(exc):
            return
        if controller is not None:
            controller.unexpected(exc)
        else:
            show_error(QApplication.activeWindow(), exc)

    sys.excepthook = hook


def launch(app: QApplication, controller: AppController) -> None:
    """Wire the application to the controller and start it (``run`` then runs the loop)."""
    # Dialogs come and go between the steps: the controller decides when nothing is left.
    app.setQuitOnLastWindowClosed(False)
    app.lastWindowClosed.connect(controller.check_soon)
    _errors_to_the_dialog(controller)
    QTimer.singleShot(0, controller.start)


def run(database_url: str | None = None) -> int:
    app = make_application()
    _quit_on_termination(app)
    controller = AppController(database_url)
    launch(app, controller)
    code = run_main_loop(app)
    controller.shutdown()
    return code

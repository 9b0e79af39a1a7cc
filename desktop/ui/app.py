"""The window's entry point: where the database is, who signs in, then the main window."""

from __future__ import annotations

import logging
import signal
import sys
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
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QProgressDialog

from desktop import bootstrap
from desktop.bootstrap import BackOffice, Connection
from desktop.domain.permissions import Actor
from desktop.ui import quiet_gc
from desktop.ui.app_state import APPLICATION, ORGANIZATION
from desktop.ui.errors import describe, show_error
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

    Every step is a non-blocking dialog; ``dialog`` is the one showing now.
    """

    finished = Signal()  # the person chose to quit before the main window opened

    def __init__(self, database_url: str | None = None) -> None:
        super().__init__()
        self.database_url = database_url
        self.office: BackOffice | None = None
        self.connection: Connection | None = None
        self.window: MainWindow | None = None
        self.dialog: QDialog | None = None
        self._progress: QProgressDialog | None = None

    def start(self) -> None:
        if bootstrap.first_run(self.database_url):
            self._ask_connection(first=True)
        else:
            self.open_database()

    def _show(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _quit(self) -> None:
        self.dialog = None
        self.finished.emit()
        QCoreApplication.quit()

    def _ask_connection(self, *, first: bool) -> None:
        from desktop.ui.startup import ConnectionDialog

        dialog = ConnectionDialog(current=None if first else bootstrap.saved_server())
        dialog.accepted.connect(self._connection_chosen)
        dialog.rejected.connect(self._quit if first else self.sign_in)
        self._show(dialog)

    def _connection_chosen(self) -> None:
        self._close_office()
        self.open_database()

    def open_database(self) -> None:
        local = bootstrap.first_run(self.database_url) or (
            not self.database_url and bootstrap.saved_server() is None
        )
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
        url = self.database_url

        def work() -> tuple[BackOffice, Connection, bool]:
            office, connection = bootstrap.open_workspace(url)
            return office, connection, office.auth.needs_first_admin()

        def opened(result: tuple[BackOffice, Connection, bool]) -> None:
            self._close_progress()
            self.office, self.connection, needs_admin = result
            if needs_admin:
                self._first_admin()
            else:
                self.sign_in()

        def failed(exc: BaseException) -> None:
            self._close_progress()
            log.warning("Could not open the database: %s", exc, exc_info=exc)
            self._connection_failed(exc)

        run_op(work, opened, on_failed=failed)

    def _close_progress(self) -> None:
        if self._progress is not None:
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None

    def _connection_failed(self, exc: BaseException) -> None:
        title, text = describe(exc)
        box = QMessageBox(QMessageBox.Icon.Warning, title, text)
        box.setObjectName("connectionFailed")
        retry = box.addButton(tr("Try again"), QMessageBox.ButtonRole.AcceptRole)
        change = box.addButton(tr("Connection settings…"), QMessageBox.ButtonRole.ActionRole)
        box.addButton(tr("Quit"), QMessageBox.ButtonRole.RejectRole)

        def chosen(_result: int) -> None:
            clicked = box.clickedButton()
            if clicked is retry:
                self.open_database()
            elif clicked is change:
                self._ask_connection(first=True)
            else:
                self._quit()

        box.finished.connect(chosen)
        self._show(box)

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
                self._ask_connection(first=False)
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


def _errors_to_the_dialog() -> None:
    """An exception escaping a Qt slot is logged and shown as the one error dialog.

    PySide prints such exceptions to stderr and carries on; a person would see
    nothing, or a console full of traceback. Neither reaches the screen now.
    """

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt | SystemExit):
            sys.__excepthook__(kind, exc, tb)
            return
        show_error(QApplication.activeWindow(), exc.with_traceback(tb))

    sys.excepthook = hook


def run(database_url: str | None = None) -> int:
    app = make_application()
    app.setQuitOnLastWindowClosed(False)  # dialogs come and go between the steps
    _quit_on_termination(app)
    _errors_to_the_dialog()
    controller = AppController(database_url)
    QTimer.singleShot(0, controller.start)
    code = int(app.exec())
    controller.shutdown()
    return code

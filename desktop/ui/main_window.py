"""The main window: navigation between pages, their actions, and who is where."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QByteArray, QCoreApplication, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.permissions import Permission
from desktop.services.reference import ServerTime
from desktop.ui.app_state import settings
from desktop.ui.dates import follow_server_clock
from desktop.ui.dialogs import open_dialog
from desktop.ui.dialogs.password import ChangePasswordDialog
from desktop.ui.live import LiveUpdates, set_current_live
from desktop.ui.ops import ops, run_op
from desktop.ui.pages.audit import AuditPage
from desktop.ui.pages.base import ListPage
from desktop.ui.pages.bookings import BookingsPage
from desktop.ui.pages.customers import CustomersPage
from desktop.ui.pages.destinations import DestinationsPage
from desktop.ui.pages.reviews import ReviewsPage
from desktop.ui.pages.staff import StaffPage
from desktop.ui.resources import app_icon, icon
from desktop.ui.session import Session
from desktop.version import APP_NAME, __version__

log = logging.getLogger(__name__)
SERVER_CLOCK_READ_MS = 60 * 60 * 1000  # one small query an hour


def tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


Page = ListPage[Any, Any]


@dataclass(frozen=True)
class PageSpec:
    """A page of the window: its key (remembered layout, ``show_page``), its title in the
    navigation, the role's permission that shows it, and its icon."""

    key: str
    title: str
    page: type[Page]
    permission: Permission
    icon: str


PAGES = (
    PageSpec("bookings", "Bookings", BookingsPage, Permission.VIEW_BOOKINGS, "bookings"),
    PageSpec(
        "destinations",
        "Destinations",
        DestinationsPage,
        Permission.VIEW_DESTINATIONS,
        "destinations",
    ),
    PageSpec("customers", "Customers", CustomersPage, Permission.VIEW_CUSTOMERS, "customers"),
    PageSpec("reviews", "Reviews", ReviewsPage, Permission.VIEW_REVIEWS, "reviews"),
    PageSpec("staff", "Staff", StaffPage, Permission.MANAGE_STAFF, "staff"),
    PageSpec("audit", "Audit log", AuditPage, Permission.VIEW_AUDIT, "audit"),
)


class MainWindow(QMainWindow):
    signed_out = Signal()
    closed = Signal(bool)  # True when the person signed out rather than quit

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)  # the page's name once one shows
        self.setWindowIcon(app_icon())
        self.resize(1280, 800)
        self._signing_out = False

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setIconSize(QSize(20, 20))
        self.navigation.setFixedWidth(190)
        self.stack = QStackedWidget()
        self.banner = QLabel()
        self.banner.setObjectName("connectionBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self._banner_timer = QTimer(self)
        self._banner_timer.setSingleShot(True)
        self._banner_timer.timeout.connect(self.banner.hide)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        right.addWidget(self.banner)
        right.addWidget(self.stack, 1)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addLayout(right, 1)
        self.setCentralWidget(central)
        self.live = LiveUpdates(session.office, self)
        set_current_live(self.live)  # editors opened from anywhere listen to it
        self.live.connection_changed.connect(self._connection_changed)
        # "Today" in every page and dialog is the server's, as the services judge it: read
        # when the window opens, when the connection is back, and hourly (a computer's
        # clock may be set meanwhile, which would move the offset kept).
        follow_server_clock(session.clock)
        self.live.reconnected.connect(self.read_server_clock)
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(SERVER_CLOCK_READ_MS)
        self._clock_timer.timeout.connect(self.read_server_clock)

        self.pages: dict[str, Page] = {}
        self.specs: list[PageSpec] = [p for p in PAGES if session.can(p.permission)]
        for spec in self.specs:
            page = spec.page(session, self)
            page.status_message.connect(lambda text: self.statusBar().showMessage(text, 10_000))
            page.attach_live(self.live)
            self.pages[spec.key] = page
            self.stack.addWidget(page)
            item = QListWidgetItem(icon(spec.icon), tr(spec.title))
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.navigation.addItem(item)

        self.toolbar = QToolBar(tr("Actions"))
        self.toolbar.setObjectName("pageToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.setIconSize(QSize(18, 18))
        self.addToolBar(self.toolbar)
        self._build_menus()
        self._build_status_bar()
        self.navigation.currentRowChanged.connect(self._show_page)
        self._restore()
        if self.navigation.currentRow() < 0 and self.specs:
            self.navigation.setCurrentRow(0)
        self.live.start()
        self.read_server_clock()
        self._clock_timer.start()

    # -- pages -------------------------------------------------------------------

    def current_page(self) -> Page | None:
        page = self.stack.currentWidget()
        return page if isinstance(page, ListPage) else None

    def bookings_page(self) -> BookingsPage | None:
        """The Bookings page, when the role sees it (Ctrl+N opens a new booking there)."""
        page = self.pages.get("bookings")
        return page if isinstance(page, BookingsPage) else None

    def show_page(self, key: str) -> Page | None:
        for row in range(self.navigation.count()):
            if self.navigation.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.navigation.setCurrentRow(row)
                return self.pages[key]
        return None

    def _show_page(self, row: int) -> None:
        if row < 0:
            return
        key = self.navigation.item(row).data(Qt.ItemDataRole.UserRole)
        page = self.pages[key]
        self.stack.setCurrentWidget(page)
        # "Bookings — Exotic Travel Back Office 0.1.0": Qt appends the display name,
        # except on macOS, where the title says it all by itself.
        title = tr(self.specs[row].title)
        if sys.platform == "darwin":
            title = f"{title} — {APP_NAME} {__version__}"
        self.setWindowTitle(title)
        self.toolbar.clear()
        self.actions_menu.clear()
        for action in page.page_actions:
            self.toolbar.addAction(action)
            self.actions_menu.addAction(action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.refresh_action)
        self.actions_menu.setTitle(tr("&{0}").format(tr(self.specs[row].title)))
        page.start()
        page.view.setFocus()

    # -- menus and status bar ------------------------------------------------------

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(tr("&File"))
        self.password_action = QAction(tr("Change my &password…"), self)
        self.password_action.triggered.connect(self._change_password)
        file_menu.addAction(self.password_action)
        sign_out = QAction(tr("&Sign out"), self)
        sign_out.setObjectName("signOut")
        sign_out.triggered.connect(self.sign_out)
        file_menu.addAction(sign_out)
        file_menu.addSeparator()
        quit_action = QAction(tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        self.actions_menu = QMenu(tr("&Actions"), self)
        bar.addMenu(self.actions_menu)

        view_menu = bar.addMenu(tr("&View"))
        self.refresh_action = QAction(icon("refresh"), tr("&Refresh"), self)
        self.refresh_action.setObjectName("refresh")
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.triggered.connect(self._refresh_page)
        view_menu.addAction(self.refresh_action)
        find = QAction(icon("search"), tr("&Find"), self)
        find.setObjectName("find")
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self._find_on_page)
        view_menu.addAction(find)
        view_menu.addSeparator()
        for number, spec in enumerate(self.specs, start=1):
            go = QAction(tr(spec.title), self)
            go.setShortcut(QKeySequence(f"Ctrl+{number}"))
            go.triggered.connect(lambda _checked=False, key=spec.key: self.show_page(key))
            view_menu.addAction(go)
        self.addActions([self.refresh_action, find])

        bookings = self.bookings_page()
        if bookings is not None and self.session.can(Permission.MANAGE_BOOKINGS):
            # Ctrl+N works from every page: the counter's most frequent action.
            new_booking = QAction(tr("New booking"), self)
            new_booking.setShortcut(QKeySequence.StandardKey.New)
            new_booking.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            new_booking.triggered.connect(self._new_booking)
            self.addAction(new_booking)
            # The page's own action keeps no shortcut (two would be ambiguous), but its
            # menu entry still names the key: a menu shows what follows a tab as such.
            page_action = bookings.new_action
            page_action.setShortcut(QKeySequence())
            shown = page_action.iconText()
            key = new_booking.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            page_action.setText(f"{page_action.text()}\t{key}")
            page_action.setIconText(shown)  # the toolbar button without the key

        help_menu = bar.addMenu(tr("&Help"))
        about = QAction(tr("&About {0}").format(APP_NAME), self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        connection = self.session.connection
        self.server_label = QLabel(tr("Server: {0}").format(connection.server))
        self.database_label = QLabel(tr("Database: {0}").format(connection.database))
        self.person_label = QLabel(
            tr("Signed in: {0} ({1})").format(self.session.actor.name, self.session.role_label)
        )
        for label in (self.server_label, self.database_label, self.person_label):
            label.setObjectName("statusInfo")
            status.addPermanentWidget(label)

    def _refresh_page(self) -> None:
        page = self.current_page()
        if page is not None:
            page.refresh()

    def _find_on_page(self) -> None:
        page = self.current_page()
        if page is not None:
            page.focus_search()

    def _new_booking(self) -> None:
        page = self.bookings_page()
        if page is not None:
            self.show_page("bookings")
            page.new_booking()

    def _change_password(self) -> None:
        open_dialog(ChangePasswordDialog(self.session, self))

    def _about(self) -> None:
        QMessageBox.about(
            self,
            tr("About {0}").format(APP_NAME),
            tr(
                "<h3>{0}</h3><p>Version {1}</p><p>Destinations, customers, bookings, "
                "payments, reviews and the audit trail, on one shared PostgreSQL database.</p>"
                "<p>Connected to {2}, database {3}.</p>"
            ).format(
                APP_NAME,
                __version__,
                self.session.connection.server,
                self.session.connection.database,
            ),
        )

    def _connection_changed(self, up: bool) -> None:
        """A banner while the database is unreachable; a short "back" note when it returns."""
        if up and self.banner.isHidden():
            return  # the first connection of the session, nothing to announce
        self.banner.setProperty("state", "back" if up else "lost")
        self.banner.setText(
            tr("The connection to the database is back. The lists are up to date again.")
            if up
            else tr(
                "The connection to the database is lost. Retrying… What is shown stays "
                "readable, and saving is paused; nothing you typed is lost."
            )
        )
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.banner.show()
        if up:
            self._banner_timer.start(4000)
        else:
            self._banner_timer.stop()
        self.server_label.setText(
            tr("Server: {0}").format(self.session.connection.server)
            + ("" if up else tr(" (unreachable)"))
        )

    def read_server_clock(self) -> None:
        """Learn the server's time (off the GUI thread); the actions follow its today."""
        office, actor, clock = self.session.office, self.session.actor, self.session.clock

        def work() -> tuple[datetime, ServerTime, datetime]:
            asked = clock.workstation_now()
            told = office.reference.server_time(actor)
            return asked, told, clock.workstation_now()

        def done(answer: tuple[datetime, ServerTime, datetime]) -> None:
            asked, told, answered = answer
            clock.learn(told.now, told.today, asked=asked, answered=answered)
            log.info("The server's clock is %s ahead of this computer's", clock.offset)
            for page in self.pages.values():
                page.refresh_actions()  # Complete waits for the end date by the server's today

        # Unreachable: the workstation's date meanwhile; the reconnection reads it again.
        run_op(
            work,
            done,
            parent=self,
            on_failed=lambda exc: log.info("Could not read the server's clock: %s", exc),
        )

    def sign_out(self) -> None:
        self._signing_out = True
        self.close()

    # -- remembered layout -------------------------------------------------------

    def _restore(self) -> None:
        store = settings()
        geometry = store.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(QByteArray(geometry))
        state = store.value("window/state")
        if isinstance(state, QByteArray | bytes):
            self.restoreState(QByteArray(state))
        last = store.value("window/page")
        if isinstance(last, str) and last in self.pages:
            self.show_page(last)

    def save_layout(self) -> None:
        store = settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState())
        current = self.navigation.currentItem()
        if current is not None:
            store.setValue("window/page", current.data(Qt.ItemDataRole.UserRole))
        store.sync()
        for page in self.pages.values():
            page.save_layout()

    def closeEvent(self, event: QCloseEvent) -> None:
        set_current_live(None)
        follow_server_clock(None)
        self._clock_timer.stop()
        self.live.stop()
        self.save_layout()
        ops().wait_for_done(10_000)
        super().closeEvent(event)
        self.closed.emit(self._signing_out)
        if self._signing_out:
            self.signed_out.emit()

"""The main window: every page opens, keyboard shortcuts, remembered layout, the status bar."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow
from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.permissions import Actor
from desktop.services.bookings import NewBooking
from desktop.services.people import PersonDetails
from desktop.ui.app_state import settings
from desktop.ui.dialogs.booking_details import BookingDetailsDialog
from desktop.ui.dialogs.new_booking import NewBookingDialog
from desktop.ui.main_window import MainWindow
from tests.services.conftest import FakeClock, destination_draft
from tests.ui.conftest import is_closed, make_session, settle


def _window(qtbot: QtBot, office: BackOffice, actor: Actor) -> MainWindow:
    window = MainWindow(make_session(office, actor))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle(qtbot)
    return window


def _active_dialog(kind: type) -> QDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, kind) and widget.isVisible():
            return widget  # type: ignore[no-any-return]
    return None


def test_every_page_opens_and_lists_its_rows(
    qtbot: QtBot, office: BackOffice, admin: Actor
) -> None:
    office.destinations.create(admin, destination_draft())
    window = _window(qtbot, office, admin)
    for key, page in window.pages.items():
        window.show_page(key)
        settle(qtbot)
        assert window.stack.currentWidget() is page
        assert page.model.failed is None, key
        assert page.count_label.text(), f"{key} shows its row count"
    assert window.pages["destinations"].count_label.text() == "1 destination"
    assert "Ada Admin (Administrator)" in window.person_label.text()


def test_keyboard_new_booking_find_refresh_open_and_escape(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    dest = office.destinations.create(admin, destination_draft())
    ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    start = clock.today() + timedelta(days=5)
    office.bookings.create(agent, NewBooking(ann.id, dest.id, start, start + timedelta(days=7), 2))
    window = _window(qtbot, office, agent)
    window.show_page("customers")
    settle(qtbot)

    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _active_dialog(NewBookingDialog) is not None)
    assert window.current_page() is window.pages["bookings"], "Ctrl+N works from any page"
    dialog = _active_dialog(NewBookingDialog)
    assert dialog is not None
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: is_closed(dialog))
    settle(qtbot)

    page = window.pages["bookings"]
    # A window manager gives the focus back when a dialog closes; offscreen, we ask.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(page.search.hasFocus)

    office.bookings.create(
        agent,
        NewBooking(ann.id, dest.id, start + timedelta(days=20), start + timedelta(days=27), 1),
    )
    qtbot.keyClick(window, Qt.Key.Key_F5)
    settle(qtbot)
    assert page.model.rowCount() == 2, "F5 asks the database again"

    page.view.setFocus()
    page.view.selectRow(0)
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _active_dialog(BookingDetailsDialog) is not None)
    details = _active_dialog(BookingDetailsDialog)
    assert details is not None
    qtbot.keyClick(details, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: is_closed(details))
    settle(qtbot)


def test_window_layout_and_page_are_remembered(
    qtbot: QtBot, office: BackOffice, admin: Actor
) -> None:
    window = _window(qtbot, office, admin)
    wanted = (1333, 777)
    window.resize(*wanted)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == wanted)
    window.show_page("reviews")
    bookings = window.pages["bookings"]
    bookings.view.setColumnWidth(1, 333)
    bookings.view.horizontalHeader().setSectionHidden(2, True)
    window.close()
    settle(qtbot)

    again = _window(qtbot, office, admin)
    assert again.current_page() is again.pages["reviews"]
    # The offscreen screen is small, so a restored window is fitted to it: compare with
    # what restoring the remembered geometry gives a plain window on the same screen.
    remembered = settings().value("window/geometry")
    assert isinstance(remembered, QByteArray)
    plain = QMainWindow()
    plain.setMinimumSize(again.minimumSize())
    assert plain.restoreGeometry(remembered)
    assert (again.width(), again.height()) == (plain.width(), plain.height())
    assert again.width() > 1000
    view = again.pages["bookings"].view
    assert view.columnWidth(1) == 333
    assert view.horizontalHeader().isSectionHidden(2)


def test_an_empty_list_says_what_to_do(qtbot: QtBot, office: BackOffice, agent: Actor) -> None:
    window = _window(qtbot, office, agent)
    page = window.pages["bookings"]
    settle(qtbot)
    assert "Ctrl+N" in page.view._empty_text
    qtbot.keyClicks(page.search, "nobody")
    page.requery()
    settle(qtbot)
    assert "No bookings match" in page.view._empty_text


def test_the_bookings_menu_names_the_new_booking_key(
    qtbot: QtBot, office: BackOffice, agent: Actor
) -> None:
    window = _window(qtbot, office, agent)
    action = window.pages["bookings"].new_action
    entry = next(
        a
        for a in window.menuBar().actions()
        if a.menu() is not None and action in a.menu().actions()
    )
    assert entry is not None
    assert action.text().endswith("\tCtrl+N"), "the menu shows the key after a tab"
    assert "Ctrl+N" not in action.iconText(), "the toolbar button shows the name alone"
    assert action.shortcut().isEmpty(), "one Ctrl+N only: the window's, from every page"

"""The Customers page and the customer editor over a real database."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.listing import PersonFilter
from desktop.domain.permissions import Actor
from desktop.services.bookings import NewBooking
from desktop.services.people import PersonDetails
from desktop.ui.dialogs.customer_editor import CustomerEditor
from desktop.ui.main_window import MainWindow
from desktop.ui.pages.customers import CustomersPage
from desktop.ui.widgets.forms import FieldMessage
from tests.services.conftest import FakeClock, destination_draft
from tests.ui.conftest import make_session, settle


def _three(office: BackOffice, agent: Actor) -> None:
    office.customers.create(agent, PersonDetails("Cy Hart", "cy@example.com"))
    office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com", "+44 20 7946 0000"))
    office.customers.create(agent, PersonDetails("Bob Ray", "bob@mail.example", "+1 555 0100"))


def _open_page(qtbot: QtBot, office: BackOffice, actor: Actor) -> CustomersPage:
    page = CustomersPage(make_session(office, actor))
    qtbot.addWidget(page)
    page.resize(1000, 500)
    page.show()
    page.start()
    settle(qtbot)
    return page


def _names(page: CustomersPage) -> list[str]:
    return [row.name for row in page.model.rows()]


def _wait_names(qtbot: QtBot, page: CustomersPage, expected: list[str]) -> None:
    qtbot.waitUntil(lambda: _names(page) == expected and not page.model.is_loading(), timeout=5000)
    settle(qtbot)


def _select(qtbot: QtBot, page: CustomersPage, name: str) -> None:
    index = page.model.index(_names(page).index(name), 0)
    qtbot.mouseClick(
        page.view.viewport(), Qt.MouseButton.LeftButton, pos=page.view.visualRect(index).center()
    )
    assert page.selected().name == name


def _editor(qtbot: QtBot, page: QWidget) -> CustomerEditor:
    def shown() -> list[CustomerEditor]:
        return [d for d in page.findChildren(CustomerEditor) if d.isVisible()]

    qtbot.waitUntil(lambda: len(shown()) == 1, timeout=3000)
    return shown()[0]


def _message_under(editor: QWidget) -> FieldMessage:
    box = editor.parentWidget()
    assert box is not None
    message = box.findChild(FieldMessage)
    assert message is not None
    return message


def test_lists_searches_and_sorts(qtbot: QtBot, office: BackOffice, agent: Actor) -> None:
    _three(office, agent)
    page = _open_page(qtbot, office, agent)
    assert _names(page) == ["Ann Lee", "Bob Ray", "Cy Hart"]
    assert page.count_label.text() == "3 customers"
    phone = [c.key for c in page.model.columns].index("phone")
    assert page.model.index(0, phone).data() == "+44 20 7946 0000"

    qtbot.keyClicks(page.search, "bob")
    _wait_names(qtbot, page, ["Bob Ray"])
    assert page.count_label.text() == "1 customer"
    page.search.clear()
    qtbot.keyClicks(page.search, "example.com")  # a part of the e-mail
    _wait_names(qtbot, page, ["Ann Lee", "Cy Hart"])
    page.search.clear()
    qtbot.keyClicks(page.search, "7946")  # a part of the phone number
    _wait_names(qtbot, page, ["Ann Lee"])
    page.search.clear()
    _wait_names(qtbot, page, ["Ann Lee", "Bob Ray", "Cy Hart"])

    email = [c.key for c in page.model.columns].index("email")
    page.view.horizontalHeader().setSortIndicator(email, Qt.SortOrder.DescendingOrder)
    _wait_names(qtbot, page, ["Cy Hart", "Bob Ray", "Ann Lee"])


def test_creates_a_customer_and_refuses_a_taken_email_under_the_field(
    qtbot: QtBot, office: BackOffice, agent: Actor
) -> None:
    office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    page = _open_page(qtbot, office, agent)
    page.new_action.trigger()
    editor = _editor(qtbot, page)
    assert not editor.save_button.isEnabled()

    qtbot.keyClicks(editor.name, "Ann Leigh")
    qtbot.keyClicks(editor.email, "not-an-address")
    email_message = _message_under(editor.email)
    qtbot.waitUntil(email_message.isVisible, timeout=2000)
    assert "name@example.com" in email_message.text()
    assert not editor.save_button.isEnabled()

    editor.email.selectAll()
    qtbot.keyClicks(editor.email, "ANN@example.com")
    qtbot.keyClicks(editor.phone, "+44 20 7946 0001")
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2000)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: email_message.isVisible() and "already used by Ann Lee" in email_message.text(),
        timeout=5000,
    )
    assert editor.isVisible()
    assert (editor.name.text(), editor.email.text(), editor.phone.text()) == (
        "Ann Leigh",
        "ANN@example.com",
        "+44 20 7946 0001",
    )
    assert not editor.save_button.isEnabled()
    assert office.customers.count(agent, PersonFilter()).value == 1

    editor.email.setFocus()
    editor.email.selectAll()
    qtbot.keyClicks(editor.email, "ann.leigh@example.com")
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2000)
    assert not email_message.isVisible()
    with qtbot.waitSignal(editor.saved, timeout=5000) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    created = office.customers.get(agent, saved.args[0].id)
    assert (created.name, created.email, created.phone) == (
        "Ann Leigh",
        "ann.leigh@example.com",
        "+44 20 7946 0001",
    )
    _wait_names(qtbot, page, ["Ann Lee", "Ann Leigh"])
    assert "Ann Leigh was added" in page.notice.text()


def test_edits_a_customer_opened_with_enter(qtbot: QtBot, office: BackOffice, agent: Actor) -> None:
    _three(office, agent)
    page = _open_page(qtbot, office, agent)
    _select(qtbot, page, "Bob Ray")
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    editor = _editor(qtbot, page)
    assert editor.email.text() == "bob@mail.example"
    editor.phone.setFocus()
    editor.phone.selectAll()
    qtbot.keyClicks(editor.phone, "12")  # too short for a phone number
    message = _message_under(editor.phone)
    qtbot.waitUntil(message.isVisible, timeout=2000)
    assert not editor.save_button.isEnabled()
    editor.phone.clear()  # the phone is optional
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2000)
    with qtbot.waitSignal(editor.saved, timeout=5000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    bob = page.model.row(_names(page).index("Bob Ray"))
    assert office.customers.get(agent, bob.id).phone is None
    qtbot.waitUntil(lambda: page.model.row(1).phone is None, timeout=3000)


def test_moderators_only_look_at_customers(
    qtbot: QtBot, office: BackOffice, agent: Actor, moderator: Actor
) -> None:
    _three(office, agent)
    page = _open_page(qtbot, office, moderator)
    assert not page.new_action.isVisible()
    assert not page.edit_action.isVisible()
    assert page.open_action.isVisible()
    _select(qtbot, page, "Ann Lee")
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    editor = _editor(qtbot, page)
    assert editor.save_button.isHidden()
    assert editor.name.isReadOnly()
    assert editor.email.isReadOnly()
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not page.findChildren(CustomerEditor), timeout=2000)


def test_shows_the_bookings_of_a_customer(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    lagoon = office.destinations.create(admin, destination_draft())
    start = clock.today() + timedelta(days=10)
    for n, (name, email) in enumerate([("Ann Lee", "ann@example.com"), ("Jo Ann", "joann@x.org")]):
        person = office.customers.create(agent, PersonDetails(name, email))
        begin = start + timedelta(days=10 * n)
        office.bookings.create(
            agent, NewBooking(person.id, lagoon.id, begin, begin + timedelta(days=5), 2)
        )
    window = MainWindow(make_session(office, agent))
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("customers")
    settle(qtbot)
    _select(qtbot, page, "Ann Lee")
    assert page.bookings_action.isVisible()
    assert page.bookings_action.isEnabled()
    page.bookings_action.trigger()
    bookings = window.pages["bookings"]
    assert window.current_page() is bookings
    assert bookings.search.text() == "ann@example.com"
    qtbot.waitUntil(
        lambda: (
            [b.customer_name for b in bookings.model.rows()] == ["Ann Lee"]
            and not bookings.model.is_loading()
        ),
        timeout=5000,
    )
    settle(qtbot)
    window.close()

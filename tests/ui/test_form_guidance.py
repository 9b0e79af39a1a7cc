"""What a form tells a new user: what is missing, what is wrong, and before it drops typing.

Every form gets this from the shared Form and save flow: required fields are
marked, a disabled Save says why, numbers are never corrected behind the
person's back, a refusal goes once the fields change, the rows stay put when a
message appears, and closing a form with something typed asks first.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.listing import BookingFilter
from desktop.domain.permissions import Actor
from desktop.domain.records import PersonRow
from desktop.services.bookings import NewBooking
from desktop.services.people import PersonDetails
from desktop.ui.dialogs.customer_editor import CustomerEditor
from desktop.ui.dialogs.destination_editor import DestinationEditor
from desktop.ui.dialogs.new_booking import NewBookingDialog
from desktop.ui.dialogs.new_customer import NewCustomerDialog
from desktop.ui.formats import long_datetime
from desktop.ui.widgets.forms import Form
from tests.services.conftest import FakeClock, destination_draft
from tests.ui.conftest import is_closed, make_session, settle


def _caption(form: Form, editor: QWidget) -> str:
    """The label a person reads beside a field (the editor may sit in a row with notes)."""
    box = editor.parentWidget()
    while box is not None and not isinstance(form._layout.labelForField(box), QLabel):
        box = box.parentWidget()
    assert box is not None
    label = form._layout.labelForField(box)
    assert isinstance(label, QLabel)
    return label.text()


def _show(qtbot: QtBot, dialog: QWidget) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle(qtbot)


def _new_booking(qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor) -> NewBookingDialog:
    office.destinations.create(
        admin,
        destination_draft(name="Lagoon Villas", price=Decimal("1200.00"), duration=7, max_guests=4),
    )
    office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    dialog = NewBookingDialog(make_session(office, agent))
    _show(qtbot, dialog)
    for picker, text in ((dialog.customer, "ann"), (dialog.destination, "lagoon")):
        picker.search.setFocus()
        qtbot.keyClicks(picker.search, text)
        qtbot.waitUntil(lambda p=picker: bool(p.result_rows()), timeout=5000)
        qtbot.keyClick(picker.search, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda p=picker: p.chosen is not None, timeout=5000)
    settle(qtbot)
    return dialog


def _question(qtbot: QtBot, dialog: QWidget) -> QMessageBox:
    def shown() -> QMessageBox | None:
        box = dialog.findChild(QMessageBox, "discardQuestion")
        return box if box is not None and box.isVisible() else None

    qtbot.waitUntil(lambda: shown() is not None, timeout=3000)
    box = shown()
    assert box is not None
    return box


def _answer(qtbot: QtBot, box: QMessageBox, name: str) -> None:
    button = box.findChild(QPushButton, name)
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# -- a disabled Save says why ----------------------------------------------------------


def test_a_disabled_save_says_what_is_missing(
    qtbot: QtBot, office: BackOffice, admin: Actor
) -> None:
    editor = DestinationEditor(make_session(office, admin), None)
    _show(qtbot, editor)
    form = editor.form
    # Fresh: the required fields are marked, and the line above the buttons lists them.
    assert _caption(form, editor.description) == "&Description *"
    assert _caption(form, editor.name) == "&Name *"
    assert _caption(form, editor.duration) == "D&uration"  # has a value: not marked
    assert form.summary.isVisible()
    assert form.summary.text() == "Still needed: Name, Description, Country, City, Price."

    for field, text in (
        (editor.name, "Coral Bay"),
        (editor.country, "Fiji"),
        (editor.city, "Nadi"),
        (editor.price, "950"),
    ):
        field.setFocus()
        qtbot.keyClicks(field, text)
    settle(qtbot)
    assert not editor.save_button.isEnabled()
    assert form.summary.text() == "Still needed: Description."
    tip = editor.save_button.toolTip()
    assert "Description: Describe the trip in a few sentences." in tip
    assert "Name" not in tip

    editor.price.selectAll()
    qtbot.keyClicks(editor.price, "0")
    qtbot.waitUntil(lambda: form.summary.text() == "Still needed: Description. To correct: Price.")
    assert "Price: The price must be more than 0." in editor.save_button.toolTip()

    editor.price.selectAll()
    qtbot.keyClicks(editor.price, "950")
    editor.description.setFocus()
    qtbot.keyClicks(editor.description, "Reef walks and a quiet beach.")
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2000)
    assert form.summary.text() == ""
    assert editor.save_button.toolTip() == ""


def test_required_fields_are_marked_and_optional_ones_are_not(
    qtbot: QtBot, office: BackOffice, agent: Actor
) -> None:
    dialog = NewCustomerDialog(make_session(office, agent))
    _show(qtbot, dialog)
    assert _caption(dialog.form, dialog.name) == "&Name *"
    assert _caption(dialog.form, dialog.email) == "&E-mail *"
    assert _caption(dialog.form, dialog.phone) == "&Phone"
    assert dialog.form.summary.text() == "Still needed: Name, E-mail."
    assert "Name: Type the customer's name." in dialog.save_button.toolTip()


def test_message_lines_keep_their_space_so_fields_do_not_jump(
    qtbot: QtBot, office: BackOffice, agent: Actor
) -> None:
    dialog = NewCustomerDialog(make_session(office, agent))
    _show(qtbot, dialog)
    phone_at = dialog.phone.mapTo(dialog, dialog.phone.rect().topLeft())
    buttons_at = dialog.save_button.mapTo(dialog, dialog.save_button.rect().topLeft())
    dialog.email.setFocus()
    qtbot.keyClicks(dialog.email, "not an address")
    qtbot.waitUntil(lambda: dialog.form.message("email") != "", timeout=2000)
    settle(qtbot)
    assert dialog.phone.mapTo(dialog, dialog.phone.rect().topLeft()) == phone_at
    assert dialog.save_button.mapTo(dialog, dialog.save_button.rect().topLeft()) == buttons_at


# -- no silent corrections ---------------------------------------------------------------


def test_guests_typed_out_of_range_are_said_not_corrected(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    dialog = _new_booking(qtbot, office, admin, agent)
    guests = dialog.stay.guests
    assert dialog.save_button.isEnabled()

    for typed, expected in (
        ("0", "0 guests cannot be booked: at least 1 travels."),
        ("-3", "-3 guests cannot be booked: at least 1 travels."),
        ("9", "Lagoon Villas takes at most 4 guests."),
    ):
        guests.setFocus()
        guests.lineEdit().selectAll()
        qtbot.keyClicks(guests, typed)
        qtbot.keyClick(guests, Qt.Key.Key_Tab)  # leaving the field corrects nothing
        assert guests.text() == typed
        qtbot.waitUntil(lambda e=expected: e in dialog.form.message("guests"), timeout=2000)
        assert not dialog.save_button.isEnabled()
        assert dialog.stay.total.text() in ("—", "$10,800.00")

    # The arrows stay within what can be booked.
    guests.setFocus()
    guests.lineEdit().selectAll()
    qtbot.keyClicks(guests, "3")
    qtbot.keyClick(guests, Qt.Key.Key_Up)
    qtbot.keyClick(guests, Qt.Key.Key_Up)
    assert guests.value() == 4
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=2000)
    assert dialog.form.message("guests") == ""


def test_a_destinations_counts_typed_out_of_range_are_said_not_corrected(
    qtbot: QtBot, office: BackOffice, admin: Actor
) -> None:
    lagoon = office.destinations.create(admin, destination_draft(duration=7, max_guests=4))
    editor = DestinationEditor(make_session(office, admin), lagoon)
    editor.show()  # not qtbot's to close: a saved editor closes and deletes itself
    qtbot.waitExposed(editor)
    settle(qtbot)

    for box, name, typed, expected in (
        (editor.duration, "duration", "0", "0 days cannot be a trip: it lasts at least 1 day."),
        (editor.duration, "duration", "-3", "-3 days cannot be a trip"),
        (editor.duration, "duration", "400", "400 days is too long: a trip lasts at most 365"),
        (editor.max_guests, "max_guests", "0", "0 guests cannot be the most it takes"),
        (editor.max_guests, "max_guests", "1200", "1,200 guests are too many: at most 1,000"),
    ):
        box.setFocus()
        box.lineEdit().selectAll()
        qtbot.keyClicks(box, typed)
        qtbot.keyClick(box, Qt.Key.Key_Tab)  # leaving the field corrects nothing
        assert box.text() == typed
        qtbot.waitUntil(lambda n=name, e=expected: e in editor.form.message(n), timeout=2000)
        assert not editor.save_button.isEnabled()
        assert "To correct:" in editor.form.summary.text()
        box.setFocus()
        box.lineEdit().selectAll()
        qtbot.keyClicks(box, "5")
        qtbot.waitUntil(lambda n=name: editor.form.message(n) == "", timeout=2000)

    # An emptied count keeps Save off too, until a number is typed.
    editor.duration.setFocus()
    editor.duration.lineEdit().selectAll()
    qtbot.keyClick(editor.duration, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: not editor.save_button.isEnabled(), timeout=2000)
    qtbot.keyClicks(editor.duration, "9")
    # The arrows stay within what makes sense.
    editor.max_guests.setFocus()
    editor.max_guests.lineEdit().selectAll()
    qtbot.keyClicks(editor.max_guests, "999")
    for _ in range(3):
        qtbot.keyClick(editor.max_guests, Qt.Key.Key_Up)
    assert editor.max_guests.value() == 1000
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2000)
    with qtbot.waitSignal(editor.saved, timeout=5000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: is_closed(editor), timeout=5000)
    saved = office.destinations.get(admin, lagoon.id)
    assert (saved.duration, saved.max_guests) == (9, 1000)


def test_an_opened_destination_marks_its_required_fields_and_says_when_in_full(
    qtbot: QtBot, office: BackOffice, admin: Actor
) -> None:
    lagoon = office.destinations.create(admin, destination_draft())
    editor = DestinationEditor(make_session(office, admin), lagoon)
    _show(qtbot, editor)
    form = editor.form
    # Filled in, yet marked: what may not be left empty is plain before anything is emptied.
    for field, caption in (
        (editor.name, "&Name *"),
        (editor.description, "&Description *"),
        (editor.country, "C&ountry *"),
        (editor.city, "C&ity *"),
        (editor.price, "&Price *"),
        (editor.features.input, "&Features"),
        (editor.duration, "D&uration"),
    ):
        assert _caption(form, field) == caption
    assert lagoon.updated_at is not None
    # A dialog says a moment in full ("Mon 7 Dec 2026, 15:04"), not as a list does.
    assert f"last changed {long_datetime(lagoon.updated_at)}" in editor.summary.text()


def test_moving_to_free_dates_clears_the_overlap_refusal(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    dialog = _new_booking(qtbot, office, admin, agent)
    lagoon = dialog.destination.chosen
    bob = office.customers.create(agent, PersonDetails("Bob Ray", "bob@example.com"))
    taken = clock.today() + timedelta(days=20)
    other = office.bookings.create(
        agent, NewBooking(bob.id, lagoon.id, taken, taken + timedelta(days=7), 2)
    )
    start = dialog.stay.start_date
    start.edit.setFocus()
    start.edit.selectAll()
    overlapping = taken + timedelta(days=3)
    qtbot.keyClicks(start.edit, f"{overlapping.isoformat()}")
    qtbot.keyClick(start.edit, Qt.Key.Key_Return)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.message.isVisible, timeout=10_000)
    settle(qtbot)
    assert f"#{other.id}" in dialog.message.text()

    free = taken + timedelta(days=30)
    start.edit.setFocus()
    start.edit.selectAll()
    qtbot.keyClicks(start.edit, free.isoformat())
    qtbot.keyClick(start.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "free" in dialog.stay.hint.status.text(), timeout=5000)
    assert not dialog.message.isVisible()  # no red overlap under a green "free"
    assert dialog.save_button.isEnabled()


# -- closing a form with something typed -------------------------------------------------


def test_escape_on_a_typed_form_asks_before_discarding(
    qtbot: QtBot, office: BackOffice, agent: Actor
) -> None:
    dialog = NewCustomerDialog(make_session(office, agent))
    _show(qtbot, dialog)
    dialog.name.setFocus()
    qtbot.keyClicks(dialog.name, "Zoe Quinn")

    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    box = _question(qtbot, dialog)
    assert box.text() == "Discard the new customer?"
    _answer(qtbot, box, "keepEditing")
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=2000)
    assert dialog.isVisible()
    assert dialog.name.text() == "Zoe Quinn"

    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    box = _question(qtbot, dialog)
    _answer(qtbot, box, "discardTyped")
    qtbot.waitUntil(lambda: is_closed(dialog), timeout=2000)


def test_a_form_as_it_opened_closes_without_asking(
    qtbot: QtBot, office: BackOffice, agent: Actor
) -> None:
    untouched = NewCustomerDialog(make_session(office, agent), "Zoe")  # prefilled from search
    _show(qtbot, untouched)
    qtbot.keyClick(untouched, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: is_closed(untouched), timeout=2000)

    restored = NewCustomerDialog(make_session(office, agent))
    _show(qtbot, restored)
    restored.email.setFocus()
    qtbot.keyClicks(restored.email, "zq")
    qtbot.keyClick(restored.email, Qt.Key.Key_Backspace)
    qtbot.keyClick(restored.email, Qt.Key.Key_Backspace)
    qtbot.keyClick(restored.email, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: is_closed(restored), timeout=2000)
    assert restored.findChild(QMessageBox, "discardQuestion") is None


def test_changes_to_a_saved_record_are_asked_about_too(
    qtbot: QtBot, office: BackOffice, agent: Actor
) -> None:
    ann: PersonRow = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    editor = CustomerEditor(make_session(office, agent), ann)
    _show(qtbot, editor)
    editor.phone.setFocus()
    qtbot.keyClicks(editor.phone, "+44 20 7946 0000")
    qtbot.mouseClick(editor.close_button, Qt.MouseButton.LeftButton)
    box = _question(qtbot, editor)
    assert box.text() == "Discard your changes to this customer?"
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # Escape on the question keeps editing
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=2000)
    assert editor.isVisible()
    assert editor.phone.text() == "+44 20 7946 0000"


def test_the_new_booking_asks_once_anything_is_picked(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    dialog = _new_booking(qtbot, office, admin, agent)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    box = _question(qtbot, dialog)
    assert box.text() == "Discard the new booking?"
    _answer(qtbot, box, "discardTyped")
    qtbot.waitUntil(lambda: is_closed(dialog), timeout=2000)
    settle(qtbot)
    assert office.bookings.count(agent, BookingFilter()).value == 0

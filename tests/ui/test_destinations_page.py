"""The Destinations page and its editor over a real database, driven like a person would."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.errors import NotFound
from desktop.domain.permissions import Actor
from desktop.services.bookings import NewBooking
from desktop.services.people import PersonDetails
from desktop.ui.dialogs.destination_editor import DestinationEditor
from desktop.ui.formats import format_money
from desktop.ui.pages.destinations import DestinationsPage
from desktop.ui.widgets.forms import FieldMessage
from desktop.ui.widgets.images import FAILED, LOADED, UNAVAILABLE
from tests.factories import save_images_as_before
from tests.services.conftest import FakeClock, destination_draft
from tests.ui.conftest import make_session, settle


def _catalogue(office: BackOffice, admin: Actor) -> None:
    office.destinations.create(admin, destination_draft())  # Lagoon Villas, Maldives, 1200
    office.destinations.create(
        admin,
        destination_draft(
            name="Jungle Lodge",
            description="Treehouse lodge in the rainforest with guided night walks.",
            country="Costa Rica",
            city="Tortuguero",
            price=Decimal("450.00"),
        ),
    )
    office.destinations.create(
        admin,
        destination_draft(
            name="Savannah Camp",
            description="Tented camp on the savannah with game drives at dawn.",
            country="Kenya",
            city="Maasai Mara",
            price=Decimal("2300.00"),
        ),
    )
    office.destinations.create(
        admin,
        destination_draft(
            name="Reef Cabins",
            description="Simple cabins by the reef; snorkelling from the beach.",
            city="Maafushi",
            price=Decimal("300.00"),
            active=False,
        ),
    )


def _open_page(qtbot: QtBot, office: BackOffice, actor: Actor) -> DestinationsPage:
    page = DestinationsPage(make_session(office, actor))
    qtbot.addWidget(page)
    page.resize(1200, 600)
    page.show()
    page.start()
    settle(qtbot)
    return page


def _names(page: DestinationsPage) -> list[str]:
    return [row.name for row in page.model.rows()]


def _wait_names(qtbot: QtBot, page: DestinationsPage, expected: list[str]) -> None:
    qtbot.waitUntil(lambda: _names(page) == expected and not page.model.is_loading(), timeout=5000)
    settle(qtbot)


def _select(qtbot: QtBot, page: DestinationsPage, name: str) -> None:
    row = _names(page).index(name)
    index = page.model.index(row, 0)
    qtbot.mouseClick(
        page.view.viewport(), Qt.MouseButton.LeftButton, pos=page.view.visualRect(index).center()
    )
    assert page.selected() is not None
    assert page.selected().name == name


def _editor(qtbot: QtBot, page: QWidget) -> DestinationEditor:
    def shown() -> list[DestinationEditor]:
        return [d for d in page.findChildren(DestinationEditor) if d.isVisible()]

    qtbot.waitUntil(lambda: len(shown()) == 1, timeout=3000)
    return shown()[0]


def _message_under(editor: QWidget) -> FieldMessage:
    """The inline message of a form field (it sits in the field's box, under it)."""
    box = editor.parentWidget()
    assert box is not None
    message = box.findChild(FieldMessage)
    assert message is not None
    return message


def _png(tmp_path: Path, name: str = "hut.png") -> Path:
    image = QImage(640, 400, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    path = tmp_path / name
    assert image.save(str(path))
    return path


def _reference(path: Path) -> str:
    return "db-image:" + hashlib.sha256(path.read_bytes()).hexdigest()


def _type_over(qtbot: QtBot, widget: QWidget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()  # type: ignore[attr-defined]
    qtbot.keyClicks(widget, text)


def test_lists_filters_and_sorts(qtbot: QtBot, office: BackOffice, admin: Actor) -> None:
    _catalogue(office, admin)
    page = _open_page(qtbot, office, admin)
    assert _names(page) == ["Jungle Lodge", "Lagoon Villas", "Reef Cabins", "Savannah Camp"]
    assert page.count_label.text() == "4 destinations"
    status = [c.key for c in page.model.columns].index("active")
    assert page.model.index(2, status).data() == "Inactive"

    # Full-text search over name and description ("reef" also finds "a house reef").
    qtbot.keyClicks(page.search, "reef")
    _wait_names(qtbot, page, ["Lagoon Villas", "Reef Cabins"])
    assert page.count_label.text() == "2 destinations"
    page.search.clear()
    _wait_names(qtbot, page, ["Jungle Lodge", "Lagoon Villas", "Reef Cabins", "Savannah Camp"])

    # The country list comes from the database.
    assert [page.country.itemText(i) for i in range(page.country.count())] == [
        "All countries",
        "Costa Rica",
        "Kenya",
        "Maldives",
    ]
    page.country.setCurrentIndex(page.country.findData("Maldives"))
    _wait_names(qtbot, page, ["Lagoon Villas", "Reef Cabins"])
    qtbot.keyClicks(page.city, "MAAFUSHI")  # spelt as the catalogue does, whatever the case
    _wait_names(qtbot, page, ["Reef Cabins"])
    page.city.clear()
    page.country.setCurrentIndex(0)
    _wait_names(qtbot, page, ["Jungle Lodge", "Lagoon Villas", "Reef Cabins", "Savannah Camp"])

    qtbot.keyClicks(page.price_min, "400")
    qtbot.keyClicks(page.price_max, "1500")
    _wait_names(qtbot, page, ["Jungle Lodge", "Lagoon Villas"])
    qtbot.keyClicks(page.price_min, "0")  # 4000 is above 1500: nothing, and the page says why
    _wait_names(qtbot, page, [])
    assert "above the highest" in page.problem_label.text()
    page.price_min.clear()
    page.price_max.clear()
    _wait_names(qtbot, page, ["Jungle Lodge", "Lagoon Villas", "Reef Cabins", "Savannah Camp"])
    assert page.problem_label.text() == ""

    page.active.setCurrentIndex(page.active.findData(False))
    _wait_names(qtbot, page, ["Reef Cabins"])
    page.active.setCurrentIndex(page.active.findData(True))
    _wait_names(qtbot, page, ["Jungle Lodge", "Lagoon Villas", "Savannah Camp"])
    page.active.setCurrentIndex(0)
    _wait_names(qtbot, page, ["Jungle Lodge", "Lagoon Villas", "Reef Cabins", "Savannah Camp"])

    price = [c.key for c in page.model.columns].index("price")
    page.view.horizontalHeader().setSortIndicator(price, Qt.SortOrder.DescendingOrder)
    _wait_names(qtbot, page, ["Savannah Camp", "Lagoon Villas", "Jungle Lodge", "Reef Cabins"])


def test_creates_a_destination_with_features_and_images(
    qtbot: QtBot, office: BackOffice, admin: Actor, tmp_path: Path
) -> None:
    page = _open_page(qtbot, office, admin)
    assert page.count_label.text() == "0 destinations"
    page.new_action.trigger()
    editor = _editor(qtbot, page)
    assert not editor.save_button.isEnabled()

    qtbot.keyClicks(editor.name, "Coral Bay Huts")
    qtbot.keyClicks(editor.description, "Beach huts on a coral bay, kayaks included.")
    qtbot.keyClicks(editor.country, "Fiji")
    qtbot.keyClicks(editor.city, "Nadi")
    qtbot.keyClicks(editor.price, "980.50")
    _type_over(qtbot, editor.duration, "5")
    _type_over(qtbot, editor.max_guests, "3")
    for feature in ("diving", "kayaks", "wifi"):
        qtbot.keyClicks(editor.features.input, feature)
        qtbot.keyClick(editor.features.input, Qt.Key.Key_Return)
    assert editor.features.tags() == ["diving", "kayaks", "wifi"]
    assert editor.isVisible()  # Enter in the tag field added a tag; it did not save
    wifi = next(chip for chip in editor.features.chips() if chip.text == "wifi")
    qtbot.mouseClick(wifi.remove_button, Qt.MouseButton.LeftButton)
    assert editor.features.tags() == ["diving", "kayaks"]

    picture = _png(tmp_path)
    stored = _reference(picture)
    qtbot.keyClicks(editor.images.input, str(picture))
    qtbot.keyClick(editor.images.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.images.images() == [stored], timeout=5000)
    assert editor.images.input.text() == ""
    qtbot.keyClicks(editor.images.input, "http://127.0.0.1:9/nowhere.jpg")
    qtbot.mouseClick(editor.images.add_button, Qt.MouseButton.LeftButton)
    assert editor.images.images() == [stored, "http://127.0.0.1:9/nowhere.jpg"]
    qtbot.waitUntil(lambda: editor.images.thumbnail_state(0) == LOADED, timeout=5000)
    assert not editor.images.list.item(0).icon().isNull()
    assert editor.images.list.item(0).text().startswith("PNG picture · 640 × 400 · ")  # noqa: RUF001
    # A dead link quietly gets the placeholder.
    qtbot.waitUntil(lambda: editor.images.thumbnail_state(1) == FAILED, timeout=15000)
    assert not editor.images.list.item(1).icon().isNull()
    editor.images.list.setCurrentRow(1)
    qtbot.mouseClick(editor.images.remove_button, Qt.MouseButton.LeftButton)
    assert editor.images.images() == [stored]

    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2000)
    with qtbot.waitSignal(editor.saved, timeout=5000) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    created = office.destinations.get(admin, saved.args[0].id)
    assert created.name == "Coral Bay Huts"
    assert (created.country, created.city) == ("Fiji", "Nadi")
    assert created.price == Decimal("980.50")
    assert (created.duration, created.max_guests) == (5, 3)
    assert created.features == ("diving", "kayaks")
    assert created.images == (stored,)
    assert office.images.get(admin, stored).content == picture.read_bytes()
    assert created.active
    _wait_names(qtbot, page, ["Coral Bay Huts"])
    assert "Coral Bay Huts was added" in page.notice.text()


def test_edits_a_destination_opened_with_enter(
    qtbot: QtBot, office: BackOffice, admin: Actor, tmp_path: Path
) -> None:
    lagoon = office.destinations.create(admin, destination_draft())
    save_images_as_before(office.engine, lagoon.id, "villa.jpg")  # a path an old version saved
    page = _open_page(qtbot, office, admin)
    _select(qtbot, page, "Lagoon Villas")
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    editor = _editor(qtbot, page)
    assert editor.name.text() == "Lagoon Villas"
    assert editor.price.text() == "1200.00"
    assert editor.features.tags() == ["snorkelling", "spa"]
    assert editor.images.images() == ["villa.jpg"]
    assert editor.images.thumbnail_state(0) == UNAVAILABLE  # a path from before: not shared
    assert editor.images.list.item(0).text() == "Not available on this computer: villa.jpg"

    _type_over(qtbot, editor.price, "1350")
    spa = next(chip for chip in editor.features.chips() if chip.text == "spa")
    qtbot.mouseClick(spa.remove_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(editor.features.input, "sunset cruise")
    qtbot.keyClick(editor.features.input, Qt.Key.Key_Return)
    picture = _png(tmp_path, "lagoon.png")
    stored = _reference(picture)
    qtbot.keyClicks(editor.images.input, str(picture))
    qtbot.keyClick(editor.images.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.images.list.count() == 2, timeout=5000)
    assert editor.images.list.currentRow() == 1
    qtbot.mouseClick(editor.images.up_button, Qt.MouseButton.LeftButton)
    assert editor.images.images() == [stored, "villa.jpg"]
    qtbot.waitUntil(lambda: editor.images.thumbnail_state(0) == LOADED, timeout=5000)

    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2000)
    with qtbot.waitSignal(editor.saved, timeout=5000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    saved = office.destinations.get(admin, lagoon.id)
    assert saved.price == Decimal("1350.00")
    assert saved.features == ("snorkelling", "sunset cruise")
    assert saved.images == (stored, "villa.jpg")
    qtbot.waitUntil(lambda: page.model.row(0).price == Decimal("1350.00"), timeout=3000)
    price = [c.key for c in page.model.columns].index("price")
    assert page.model.index(0, price).data() == format_money(Decimal("1350.00"))


def test_a_name_too_long_is_refused_inline(qtbot: QtBot, office: BackOffice, admin: Actor) -> None:
    page = _open_page(qtbot, office, admin)
    page.new_action.trigger()
    editor = _editor(qtbot, page)
    qtbot.keyClicks(editor.description, "Somewhere warm.")
    qtbot.keyClicks(editor.country, "Fiji")
    qtbot.keyClicks(editor.city, "Nadi")
    qtbot.keyClicks(editor.price, "100")
    qtbot.keyClicks(editor.name, "x" * 300)

    message = _message_under(editor.name)
    qtbot.waitUntil(message.isVisible, timeout=2000)
    assert "300 characters" in message.text()
    assert "255" in message.text()
    assert not editor.save_button.isEnabled()
    qtbot.keyClick(editor.name, Qt.Key.Key_Return)  # Enter does not save either
    settle(qtbot)
    assert editor.isVisible()
    assert editor.name.text() == "x" * 300
    assert office.destinations.count(admin, page.current_filter()).value == 0

    editor.name.setFocus()
    editor.name.selectAll()
    qtbot.keyClicks(editor.name, "Short Name")
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2000)
    assert not message.isVisible()


def test_remove_deletes_unbooked_and_deactivates_booked(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor, clock: FakeClock
) -> None:
    lagoon = office.destinations.create(admin, destination_draft())
    jungle = office.destinations.create(admin, destination_draft(name="Jungle Lodge"))
    ann = office.customers.create(agent, PersonDetails("Ann Lee", "ann@example.com"))
    start = clock.today() + timedelta(days=10)
    office.bookings.create(
        agent, NewBooking(ann.id, lagoon.id, start, start + timedelta(days=5), 2)
    )
    page = _open_page(qtbot, office, admin)

    def confirm() -> None:
        box = page.findChild(QMessageBox, "confirmRemove")
        qtbot.waitUntil(lambda: box is not None and box.isVisible(), timeout=2000)
        assert box is not None
        button = box.findChild(QPushButton, "confirmRemoveButton")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        settle(qtbot)

    _select(qtbot, page, "Lagoon Villas")
    assert page.remove_action.isEnabled()
    page.remove_action.trigger()
    confirm()
    qtbot.waitUntil(lambda: "deactivated" in page.notice.text(), timeout=3000)
    assert "Lagoon Villas has bookings" in page.notice.text()
    assert not office.destinations.get(admin, lagoon.id).active
    row = _names(page).index("Lagoon Villas")
    status = [c.key for c in page.model.columns].index("active")
    assert page.model.index(row, status).data() == "Inactive"
    assert page.toggle_action.text() == "&Activate"

    _select(qtbot, page, "Jungle Lodge")
    page.remove_action.trigger()
    confirm()
    _wait_names(qtbot, page, ["Lagoon Villas"])
    assert "Jungle Lodge was deleted" in page.notice.text()
    with pytest.raises(NotFound):
        office.destinations.get(admin, jungle.id)

    _select(qtbot, page, "Lagoon Villas")
    page.toggle_action.trigger()
    settle(qtbot)
    assert office.destinations.get(admin, lagoon.id).active
    assert "active again" in page.notice.text()
    assert page.toggle_action.text() == "&Deactivate"


def test_agents_see_destinations_read_only(
    qtbot: QtBot, office: BackOffice, admin: Actor, agent: Actor
) -> None:
    office.destinations.create(admin, destination_draft())
    page = _open_page(qtbot, office, agent)
    for action in (page.new_action, page.edit_action, page.toggle_action, page.remove_action):
        assert not action.isVisible()
    assert page.open_action.isVisible()

    _select(qtbot, page, "Lagoon Villas")
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    editor = _editor(qtbot, page)
    assert editor.save_button.isHidden()
    assert editor.name.isReadOnly()
    assert editor.price.isReadOnly()
    assert editor.features.input.isHidden()
    assert all(chip.remove_button.isHidden() for chip in editor.features.chips())
    assert editor.images.add_button.isHidden()
    assert editor.close_button.text() == "Close"
    qtbot.mouseClick(editor.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.findChildren(DestinationEditor), timeout=2000)


def test_a_conflicting_save_offers_their_version(
    qtbot: QtBot, office: BackOffice, admin: Actor, moderator: Actor
) -> None:
    lagoon = office.destinations.create(admin, destination_draft())
    page = _open_page(qtbot, office, admin)
    _select(qtbot, page, "Lagoon Villas")
    page.edit_action.trigger()
    editor = _editor(qtbot, page)
    office.destinations.update(
        moderator, lagoon.id, lagoon.version, destination_draft(name="Lagoon Villas Deluxe")
    )

    _type_over(qtbot, editor.price, "1500")
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2000)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(editor.reload_button.isVisible, timeout=5000)
    assert "Someone else changed this destination" in editor.general.text()
    assert editor.price.text() == "1500"  # nothing typed is lost by the refusal
    assert office.destinations.get(admin, lagoon.id).price == Decimal("1200.00")

    qtbot.mouseClick(editor.reload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.name.text() == "Lagoon Villas Deluxe", timeout=5000)
    assert not editor.reload_button.isVisible()
    assert not editor.general.isVisible()
    _type_over(qtbot, editor.price, "1500")
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2000)
    with qtbot.waitSignal(editor.saved, timeout=5000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    saved = office.destinations.get(admin, lagoon.id)
    assert (saved.name, saved.price) == ("Lagoon Villas Deluxe", Decimal("1500.00"))
    qtbot.waitUntil(lambda: _names(page) == ["Lagoon Villas Deluxe"], timeout=3000)


def test_tab_walks_the_editor_in_reading_order(
    qtbot: QtBot, office: BackOffice, admin: Actor
) -> None:
    page = _open_page(qtbot, office, admin)
    page.new_action.trigger()
    editor = _editor(qtbot, page)
    editor.activateWindow()
    editor.name.setFocus()
    expected = [
        editor.description,
        editor.country,
        editor.city,
        editor.price,
        editor.duration,
        editor.max_guests,
        editor.active,
        editor.features.input,
        editor.images.input,
        editor.images.add_button,
        editor.images.list,
        editor.images.browse_button,  # re-adding, removing and moving wait for an image
        editor.close_button,  # Save waits for a valid form
        editor.name,  # and round again
    ]
    for widget in expected:
        focused = editor.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        # A spin box's focus lands on its inner line edit.
        assert editor.focusWidget() in (widget, *widget.findChildren(QWidget))

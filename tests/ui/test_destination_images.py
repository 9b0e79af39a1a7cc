"""A destination's pictures in the editor: stored in the database, refused when not pictures.

A person types a path or chooses files; pictures go into the database and every
workstation shows them; what is not a picture, or too large, is refused under
the field with the way out; paths saved by older versions can be re-added.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, func, select

from desktop.bootstrap import BackOffice
from desktop.db.models import DestinationImage
from desktop.domain.images import MAX_IMAGE_BYTES
from desktop.domain.permissions import Actor
from desktop.domain.records import DestinationRow
from desktop.ui.dialogs.destination_editor import DestinationEditor
from desktop.ui.widgets.images import LOADED, UNAVAILABLE, ImageListEditor
from desktop.ui.widgets.thumbnails import thumbnail_cache
from tests.factories import save_images_as_before
from tests.services.conftest import destination_draft
from tests.ui.conftest import make_session, settle

WEB = "https://cdn.example.com/lagoon.jpg"


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    """What the editors open over (they delete themselves once they close)."""
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def _picture(
    tmp_path: Path, name: str, fmt: str = "PNG", size: tuple[int, int] = (640, 400)
) -> Path:
    image = QImage(*size, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    path = tmp_path / name
    assert image.save(str(path), fmt)
    return path


def _reference(path: Path) -> str:
    return "db-image:" + hashlib.sha256(path.read_bytes()).hexdigest()


def _stored_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(DestinationImage)).scalar_one())


def _editor(
    qtbot: QtBot, window: QWidget, office: BackOffice, actor: Actor, row: DestinationRow | None
) -> DestinationEditor:
    editor = DestinationEditor(make_session(office, actor), row, window)
    editor.show()
    settle(qtbot)
    return editor


def _type_source(qtbot: QtBot, images: ImageListEditor, text: str) -> None:
    images.input.setFocus()
    images.input.clear()
    qtbot.keyClicks(images.input, text)
    qtbot.keyClick(images.input, Qt.Key.Key_Return)
    settle(qtbot)


def _choose_in_file_dialog(qtbot: QtBot, owner: QWidget, names: str) -> None:
    """Type the file names into the file dialog that opened, and press Open."""
    qtbot.waitUntil(
        lambda: any(d.isVisible() for d in owner.findChildren(QFileDialog, "chooseImages")),
        timeout=3000,
    )
    dialog = next(d for d in owner.findChildren(QFileDialog, "chooseImages") if d.isVisible())
    name_field = dialog.findChild(QLineEdit, "fileNameEdit")
    assert name_field is not None
    name_field.setFocus()
    qtbot.wait(300)  # the dialog lists its folder first, as a person sees it do
    qtbot.keyClicks(name_field, names)
    qtbot.waitUntil(lambda: name_field.text() == names, timeout=2000)
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
    assert open_button is not None
    qtbot.waitUntil(open_button.isEnabled, timeout=2000)
    qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    settle(qtbot)


def test_what_is_not_a_picture_is_refused_under_the_field(
    qtbot: QtBot, window: QWidget, office: BackOffice, admin: Actor, engine: Engine, tmp_path: Path
) -> None:
    editor = _editor(qtbot, window, office, admin, None)
    images = editor.images

    _type_source(qtbot, images, "hello world")
    assert images.problem().startswith("There is no file at “hello world”.")
    assert "Browse" in images.problem()

    notes = tmp_path / "notes.jpg"
    notes.write_text("Dear Ann, the villa has a sea view.\n" * 30)
    _type_source(qtbot, images, str(notes))
    assert images.problem() == (
        "notes.jpg is not a picture that can be stored: choose a JPEG, PNG, GIF or WebP file."
    )

    big = tmp_path / "huge.png"
    big.write_bytes(_picture(tmp_path, "seed.png").read_bytes() + b"\0" * MAX_IMAGE_BYTES)
    _type_source(qtbot, images, str(big))
    assert images.problem().startswith("huge.png is 10.0 MB; at most 10 MB can be stored.")
    assert "image editor" in images.problem()

    cut = tmp_path / "cut.png"
    cut.write_bytes(_picture(tmp_path, "whole.png").read_bytes()[:200])
    _type_source(qtbot, images, str(cut))
    assert "cut.png" in images.problem()
    assert "damaged or cut off" in images.problem()

    assert images.images() == []  # nothing refused was listed,
    assert _stored_count(engine) == 0  # nor stored
    assert images.input.text() == str(cut)  # and what was typed stays, to correct it
    editor.reject()


def test_browse_stores_the_pictures_and_names_the_file_it_refused(
    qtbot: QtBot, window: QWidget, office: BackOffice, admin: Actor, engine: Engine, tmp_path: Path
) -> None:
    photo = _picture(tmp_path, "beach.jpg", "JPEG")
    drawing = _picture(tmp_path, "map.webp", "WEBP", (300, 600))
    (tmp_path / "notes.jpg").write_text("not a picture")
    editor = _editor(qtbot, window, office, admin, None)
    images = editor.images
    qtbot.mouseClick(images.browse_button, Qt.MouseButton.LeftButton)
    _choose_in_file_dialog(
        qtbot, images, f'"{tmp_path / "beach.jpg"}" "{tmp_path / "notes.jpg"}" "{drawing}"'
    )
    qtbot.waitUntil(lambda: len(images.images()) == 2 and not images.storing, timeout=5000)
    assert sorted(images.images()) == sorted([_reference(photo), _reference(drawing)])
    assert "notes.jpg is not a picture" in images.problem()
    assert _stored_count(engine) == 2
    captions = sorted(images.list.item(i).text() for i in range(2))
    assert captions[0].startswith("JPEG picture · 640 × 400")  # noqa: RUF001
    assert captions[1].startswith("WebP picture · 300 × 600")  # noqa: RUF001

    # The same picture again is stored once and listed once.
    _type_source(qtbot, images, str(photo))
    qtbot.waitUntil(lambda: not images.storing, timeout=5000)
    assert images.problem() == "This picture is in the list already."
    assert len(images.images()) == 2
    assert _stored_count(engine) == 2
    editor.reject()


def test_an_old_file_path_is_re_added_in_its_place_and_saved(
    qtbot: QtBot, window: QWidget, office: BackOffice, admin: Actor, tmp_path: Path
) -> None:
    lagoon = office.destinations.create(admin, destination_draft())
    # Saved by an older version, which kept file paths: only the services refuse new ones.
    save_images_as_before(office.engine, lagoon.id, "/home/ann/Pictures/villa.jpg", WEB)
    lagoon = office.destinations.get(admin, lagoon.id)
    editor = _editor(qtbot, window, office, admin, lagoon)
    images = editor.images
    assert images.thumbnail_state(0) == UNAVAILABLE
    assert images.list.item(0).text() == (
        "Not available on this computer: /home/ann/Pictures/villa.jpg"
    )
    assert "Re-add" in images.list.item(0).toolTip()
    images.list.setCurrentRow(1)
    assert not images.readd_button.isEnabled()  # a web address is shared already
    images.list.setCurrentRow(0)
    assert images.readd_button.isEnabled()

    villa = _picture(tmp_path, "villa.png")
    qtbot.mouseClick(images.readd_button, Qt.MouseButton.LeftButton)
    _choose_in_file_dialog(qtbot, images, str(villa))
    qtbot.waitUntil(lambda: images.images()[0] == _reference(villa), timeout=5000)
    assert images.images() == [_reference(villa), WEB]  # in its place, the order kept
    qtbot.waitUntil(lambda: images.thumbnail_state(0) == LOADED, timeout=5000)
    assert not images.readd_button.isEnabled()

    qtbot.waitUntil(editor.save_button.isEnabled, timeout=2000)
    with qtbot.waitSignal(editor.saved, timeout=5000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert office.destinations.get(admin, lagoon.id).images == (_reference(villa), WEB)


def test_another_workstation_shows_the_stored_picture(
    qtbot: QtBot,
    window: QWidget,
    office: BackOffice,
    office_b: BackOffice,
    admin: Actor,
    agent: Actor,
    tmp_path: Path,
) -> None:
    villa = _picture(tmp_path, "villa.png", size=(800, 600))
    stored = office.images.store(admin, villa.read_bytes())
    lagoon = office.destinations.create(admin, destination_draft(images=(stored.reference,)))
    thumbnail_cache.clear()  # B has never seen it

    editor = _editor(qtbot, window, office_b, agent, lagoon)  # a counter agent: read-only
    images = editor.images
    qtbot.waitUntil(lambda: images.thumbnail_state(0) == LOADED, timeout=5000)
    assert images.list.item(0).text().startswith("PNG picture · 800 × 600")  # noqa: RUF001
    assert not images.list.item(0).icon().isNull()
    assert images.browse_button.isHidden()
    editor.reject()

    # Opened again, the thumbnail is there at once: nothing is read twice.
    again = _editor(qtbot, window, office_b, agent, replace(lagoon))
    assert again.images.thumbnail_state(0) == LOADED
    again.reject()

"""Names with emoji show the emoji, not empty boxes, whatever fonts the system has.

The machine this runs on has no emoji font (Debian's fonts-dejavu-core only):
without the bundled fallback, the emoji's glyph is the font's "missing" glyph
(index 0), drawn as an empty box.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QTextLayout
from pytestqt.qtbot import QtBot

from desktop.bootstrap import BackOffice
from desktop.domain.permissions import Actor
from desktop.services.people import PersonDetails
from desktop.ui.pages.customers import CustomersPage
from desktop.ui.resources import install_fonts
from tests.ui.conftest import make_session, settle


def _missing_glyphs(text: str, font: QFont) -> list[str]:
    """The fonts whose runs hold the missing glyph (an empty box) for ``text``."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return [run.rawFont().familyName() for run in layout.glyphRuns() if 0 in run.glyphIndexes()]


def test_the_emoji_font_is_bundled_and_registered() -> None:
    assert "Noto Color Emoji" in install_fonts()


def test_a_customer_named_with_emoji_shows_them_in_the_list(
    qtbot: QtBot, office: BackOffice, agent: Actor
) -> None:
    office.customers.create(agent, PersonDetails("Aroha 🌺 Ngata", "aroha@example.com"))
    office.customers.create(agent, PersonDetails("Kai 🏄 Moana ✈️ 🇳🇿", "kai@example.com"))
    page = CustomersPage(make_session(office, agent))
    qtbot.addWidget(page)
    page.resize(1000, 400)
    page.show()
    page.start()
    settle(qtbot)
    shown = [str(page.model.index(row, 0).data()) for row in range(page.model.rowCount())]
    assert shown == ["Aroha 🌺 Ngata", "Kai 🏄 Moana ✈️ 🇳🇿"]
    for name in shown:
        assert _missing_glyphs(name, page.view.font()) == [], name

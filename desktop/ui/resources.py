"""Icons, the application icon, the style sheet and the fallback fonts, from resources/."""

from __future__ import annotations

import logging
import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QFontDatabase, QIcon

log = logging.getLogger(__name__)


@cache
def resources_dir() -> Path:
    """resources/ beside the package, or inside the frozen bundle."""
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", ".")) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


@cache
def icon(name: str) -> QIcon:
    """An icon from resources/icons (SVG); an empty icon if it is missing."""
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


def app_icon() -> QIcon:
    return icon("app")


def style_sheet() -> str:
    path = resources_dir() / "styles" / "app.qss"
    return path.read_text("utf-8") if path.is_file() else ""


@cache
def install_fonts() -> tuple[str, ...]:
    """Register the fonts in resources/fonts with Qt; the families they add.

    Noto Color Emoji (OFL 1.1, from Debian's fonts-noto-color-emoji): without it,
    a name with an emoji ("Lagoon 🌴 Villas") shows empty boxes on a system whose
    fonts have none, which is most minimal Linux installations. Registered
    fonts take part in Qt's fallback, so no widget names them: text in the
    usual font takes only the glyphs it lacks from these. Needs a
    ``QGuiApplication``; once per process.
    """
    families: list[str] = []
    folder = resources_dir() / "fonts"
    for path in sorted(folder.glob("*.tt[fc]")) + sorted(folder.glob("*.otf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("Qt could not load the font %s", path.name)
            continue
        families += QFontDatabase.applicationFontFamilies(font_id)
    return tuple(families)

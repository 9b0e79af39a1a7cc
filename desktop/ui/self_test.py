"""The self-test's window part: Qt starts, fonts render real text, the windows open.

Runs over the throw-away workspace of desktop/self_check.py. Offscreen unless
``QT_QPA_PLATFORM`` asks for a display (``QT_QPA_PLATFORM=xcb`` under X11),
so it works on a server, in CI and over SSH.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QEventLoop, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontInfo,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QPainter,
)
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from desktop.bootstrap import Connection
from desktop.self_check import (
    ADMIN_EMAIL,
    FAILED_LINE,
    OK_LINE,
    SelfTestFailed,
    Timings,
    Workspace,
    header,
)
from desktop.ui.app import make_application
from desktop.ui.main_window import MainWindow
from desktop.ui.ops import ops
from desktop.ui.session import Session
from desktop.ui.startup import SignInDialog
from desktop.version import __version__

DEFAULT_PLATFORM = "offscreen"
WAIT_S = 30.0
SAMPLE_TEXT = "Sign in"
MIN_INK_PIXELS = 20  # a few letters at any size leave far more than this
_INSTALL_FONTS = (
    "install fontconfig and a font package (Debian/Ubuntu: fontconfig fonts-dejavu-core)"
)
_CONNECTION = Connection("local database on this computer (self-test)", "exotic_travel", True)


def run_self_test() -> int:
    """Every check in order; 0 and ``SELF-TEST OK`` when all pass, 1 and the reason otherwise."""
    platform = os.environ.setdefault("QT_QPA_PLATFORM", DEFAULT_PLATFORM)
    print(header(platform), flush=True)
    timings = Timings()
    try:
        # Cheap checks first: a missing font fails in a second, not after initdb.
        with timings.step("Qt started") as step:
            app = make_application([sys.argv[0]])
            app.setQuitOnLastWindowClosed(False)
            step.detail = f"platform {app.platformName()}"
        with timings.step("fonts render text") as step:
            step.detail = _check_fonts()
        with Workspace(timings) as workspace:
            with timings.step("sign-in window shown, signed in") as step:
                actor_name = _sign_in(workspace)
                step.detail = f"as {actor_name}"
            with timings.step("main window shown") as step:
                step.detail = _main_window(workspace)
    except SelfTestFailed as exc:
        print(timings.report(), flush=True)
        print(f"{FAILED_LINE}: {exc.step}: {exc.reason}", file=sys.stderr, flush=True)
        return 1
    print(timings.report())
    print(f"{OK_LINE} in {timings.total:.2f} s", flush=True)
    return 0


# -- fonts ---------------------------------------------------------------------------


def _check_fonts() -> str:
    """Fonts exist, have Latin glyphs, and draw distinct shapes (not the same empty box)."""
    families = QFontDatabase.families()
    if not families:
        raise SelfTestFailed(
            "fonts render text",
            f"Qt found no fonts: {_INSTALL_FONTS}",
        )
    font = QApplication.font()
    name = QFontInfo(font).family() or font.family()
    metrics = QFontMetrics(font)
    missing = [ch for ch in "AaWw09@" if not metrics.inFont(ch)]
    if missing:
        raise SelfTestFailed(
            "fonts render text",
            f"the font {name!r} has no glyphs for {''.join(missing)!r}: {_INSTALL_FONTS}",
        )
    if metrics.horizontalAdvance(SAMPLE_TEXT) <= 0:
        raise SelfTestFailed("fonts render text", "sample text has no width")
    shapes = {_glyph_shape(font, ch) for ch in "IWo"}
    if len(shapes) < 3 or b"" in shapes:
        raise SelfTestFailed(
            "fonts render text",
            f"letters render as empty or identical boxes with {name!r}: {_INSTALL_FONTS}",
        )
    return f"{len(families)} families, {name} {font.pointSize()} pt"


def _glyph_shape(font: QFont, text: str) -> bytes:
    """Where ``text`` drawn black on white is dark, one byte per pixel (all 0 when blank)."""
    metrics = QFontMetrics(font)
    width, height = max(metrics.horizontalAdvance(text), 1) + 4, metrics.height() + 4
    image = QImage(width, height, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    painter.drawText(2, 2 + metrics.ascent(), text)
    painter.end()
    mask = _mask(image, lambda gray: gray < 128)
    return mask if 1 in mask else b""


def _ink(widget: QWidget) -> int:
    """Pixels of a rendered widget that stand out from its background (text, lines)."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    background = image.pixelColor(0, 0).lightness()
    return _mask(image, lambda gray: abs(gray - background) > 96).count(1)


def _mask(gray_image: QImage, dark: Callable[[int], bool]) -> bytes:
    """One byte per pixel of an 8-bit grey image: 1 where ``dark(value)``, else 0."""
    table = bytes(1 if dark(value) else 0 for value in range(256))
    data = bytes(gray_image.constBits())
    stride, width = gray_image.bytesPerLine(), gray_image.width()
    rows = (data[y * stride : y * stride + width] for y in range(gray_image.height()))
    return b"".join(row.translate(table) for row in rows)


# -- windows ---------------------------------------------------------------------------


def _wait_until(condition: Callable[[], bool], step: str, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise SelfTestFailed(step, f"{what} did not happen within {WAIT_S:.0f} s")
        loop = QEventLoop()
        QTimer.singleShot(20, loop.quit)
        loop.exec()


def _sign_in(workspace: Workspace) -> str:
    """The real sign-in dialog: shown, its text drawn, e-mail and password typed, accepted."""
    step = "sign-in window shown, signed in"
    dialog = SignInDialog(workspace.office.auth.sign_in, _CONNECTION)
    dialog.show()
    _wait_until(lambda: _exposed(dialog), step, "showing the dialog")
    title = dialog.findChild(QLabel, "dialogTitle")
    if title is None or _ink(title) < MIN_INK_PIXELS:
        raise SelfTestFailed(step, "the dialog's title renders no visible text")
    _type(dialog.email, ADMIN_EMAIL)
    _type(dialog.password, workspace.password)
    _wait_until(dialog.ok_button.isEnabled, step, "enabling Sign in once both are typed")
    dialog.ok_button.click()
    _wait_until(lambda: dialog.actor is not None or dialog.message.isVisible(), step, "sign-in")
    if dialog.actor is None:
        raise SelfTestFailed(step, f"sign-in refused: {dialog.message.text()}")
    name = dialog.actor.name
    dialog.close()
    dialog.deleteLater()
    return name


def _main_window(workspace: Workspace) -> str:
    """The main window over the throw-away database: its first page loads without error."""
    step = "main window shown"
    window = MainWindow(Session(workspace.office, workspace.actor, _CONNECTION))
    try:
        # Qt appends the display name (with the version) to the title on Linux and Windows;
        # on macOS the window sets it in full.
        shown = f"{window.windowTitle()} — {QGuiApplication.applicationDisplayName()}"
        if __version__ not in shown:
            raise SelfTestFailed(step, f"the title {shown!r} lacks the version")
        window.show()
        _wait_until(lambda: _exposed(window), step, "showing the window")
        _wait_until(lambda: ops().pending == 0, step, "loading the first page")
        page = window.current_page()
        failed = getattr(getattr(page, "model", None), "failed", None)
        if failed is not None:
            raise SelfTestFailed(step, f"the first page failed to load: {failed}")
        if _ink(window) < MIN_INK_PIXELS:
            raise SelfTestFailed(step, "the window renders no visible text")
        return f"{len(window.pages)} pages, {window.width()}x{window.height()}"
    finally:
        window.close()  # saves its layout, to the throw-away profile
        ops().wait_for_done(int(WAIT_S * 1000))
        window.deleteLater()
        QApplication.processEvents()


def _type(widget: QWidget, text: str) -> None:
    """Key presses, as a person types: the form validates on what is typed."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            )


def _exposed(widget: QWidget) -> bool:
    handle = widget.windowHandle()
    return widget.isVisible() and handle is not None and handle.isExposed()

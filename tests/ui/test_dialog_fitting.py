"""The one grow-to-fit: a dialog follows what it shows, within the screen."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout
from pytestqt.qtbot import QtBot

from desktop.ui.dialogs.fitting_dialog import FittingDialog

LINE = "A problem that takes a whole line to say, and then some more words. "


class _Dialog(FittingDialog):
    def __init__(self) -> None:
        super().__init__()
        self.setMinimumWidth(400)
        layout = QVBoxLayout(self)
        self.heading = QLabel("Heading")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        layout.addWidget(self.heading)
        layout.addWidget(self.message)

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))


def _shown(qtbot: QtBot, dialog: _Dialog) -> _Dialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.wait(50)
    return dialog


def test_a_message_that_appears_makes_room_for_itself(qtbot: QtBot) -> None:
    dialog = _shown(qtbot, _Dialog())
    before = dialog.height()
    dialog.say(LINE * 6)
    qtbot.waitUntil(lambda: dialog.height() > before, timeout=2000)
    # The wrapped lines get the height they need at the dialog's width: none squeezed.
    qtbot.waitUntil(
        lambda: (
            dialog.message.height()
            >= dialog.message.heightForWidth(dialog.message.width())
            > dialog.heading.height()
        ),
        timeout=2000,
    )


def test_it_never_grows_past_the_screen(qtbot: QtBot) -> None:
    dialog = _shown(qtbot, _Dialog())
    room = dialog.screen().availableGeometry().height()
    dialog.say(LINE * 400)
    qtbot.wait(200)
    assert dialog.layout().totalHeightForWidth(dialog.width()) > room  # it would want more
    assert 0 < dialog.height() <= room


def test_space_goes_back_only_when_asked(qtbot: QtBot) -> None:
    dialog = _shown(qtbot, _Dialog())
    dialog.say(LINE * 6)
    qtbot.waitUntil(lambda: dialog.message.isVisible() and dialog.height() > 100, timeout=2000)
    tall = dialog.height()
    dialog.say("")
    qtbot.wait(100)
    assert dialog.height() == tall, "a message going away leaves the size alone"
    dialog.fit(shrink=True)
    qtbot.waitUntil(lambda: dialog.height() < tall, timeout=2000)


def test_a_dialog_that_chose_its_size_keeps_it_when_it_shows(qtbot: QtBot) -> None:
    guessed = _shown(qtbot, _Dialog())
    sized = _Dialog()
    sized.resize(500, guessed.height() + 300)
    _shown(qtbot, sized)
    assert sized.height() == guessed.height() + 300

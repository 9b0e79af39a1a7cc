"""Someone else saved the same record: the fields side by side, and the person chooses.

Three versions of each field: the one the editor opened (before), the one saved
now (theirs) and the form's (yours). Where theirs and yours differ the person
keeps one or the other, field by field: by default mine where they changed the
field and theirs elsewhere. Fields nobody changed are shown dimmed, for
context. Nothing is saved here: the editor saves the merged values over the
version saved now, so the database checks them against that version again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.record_fields import Field
from desktop.ui.widgets.colors import MUTED_COLOR, paint
from desktop.ui.widgets.labels import title_label

MINE = "mine"
THEIRS = "theirs"
VALUE_WIDTH = 230  # each value column wraps at about this width
LONG_TEXT = 600  # longer values are cut in the cell (the tooltip has them whole)
DIM_COLOR = "#9ca3af"
CHOSEN_STYLE = "background: #dcfce7; border: 1px solid #16a34a; border-radius: 4px;"
UNCHOSEN_STYLE = "background: transparent; border: 1px solid #e5e7eb; border-radius: 4px;"


def tr(text: str) -> str:
    return QCoreApplication.translate("ConflictDialog", text)


# -- the dialog ----------------------------------------------------------------------


class _ClickableLabel(QLabel):
    """A value beside its radio button: clicking the text chooses it too."""

    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


def _value_label(text: str, *, color: str | None = None, bold: bool = False) -> _ClickableLabel:
    label = _ClickableLabel()
    shown = text if len(text) <= LONG_TEXT else text[:LONG_TEXT] + "…"
    label.setText(shown)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setMinimumWidth(120)
    label.setMaximumWidth(VALUE_WIDTH)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    if shown != text:
        label.setToolTip(text)
    paint(label, color, bold=bold)
    return label


class _Choice(QFrame):
    """A radio button and the value it keeps, highlighted when chosen."""

    def __init__(self, side: str, key: str, text: str, *, changed: bool) -> None:
        super().__init__()
        self.setObjectName("conflictChoice")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(6)
        self.radio = QRadioButton()
        self.radio.setObjectName(f"keep_{side}_{key}")
        self.radio.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.label = _value_label(text, bold=changed)
        self.label.setObjectName(f"{side}_{key}")
        self.label.clicked.connect(self.radio.click)
        layout.addWidget(self.radio, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        self.radio.toggled.connect(self._paint)
        self._paint(False)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """A click anywhere in the cell chooses its value."""
        if event.button() == Qt.MouseButton.LeftButton:
            self.radio.click()
        super().mouseReleaseEvent(event)

    def _paint(self, chosen: bool) -> None:
        self.setStyleSheet(
            f"QFrame#conflictChoice {{ {CHOSEN_STYLE if chosen else UNCHOSEN_STYLE} }}"
        )


class ConflictDialog(QDialog):
    """Yours, theirs now and the original, side by side; ``resolved`` carries the merge.

    ``saving`` (a save was refused): OK saves the merged values. Otherwise (Compare,
    before saving) OK only puts them into the form.
    """

    resolved = Signal(dict)  # key -> the value chosen, for every field

    def __init__(
        self,
        fields: Sequence[Field],
        *,
        mine: Mapping[str, Any],
        theirs: Mapping[str, Any],
        original: Mapping[str, Any],
        noun: str,
        saving: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.fields = list(fields)
        self.mine = dict(mine)
        self.theirs = dict(theirs)
        self.original = dict(original)
        self._groups: dict[str, QButtonGroup] = {}
        self._radios: dict[tuple[str, str], QRadioButton] = {}
        self.setWindowTitle(
            tr("Someone else changed this {0}").format(noun)
            if saving
            else tr("Compare with the {0} as saved now").format(noun)
        )
        self.setMinimumWidth(860)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        title = title_label(
            tr("Someone else saved this {0} while you were editing it").format(noun)
            if saving
            else tr("This {0} was changed on another workstation").format(noun)
        )
        layout.addWidget(title)
        to_decide = self.to_decide()
        self.intro = QLabel()
        self.intro.setObjectName("conflictIntro")
        self.intro.setWordWrap(True)
        if saving:
            intro = tr("Nothing was saved yet. ")
        else:
            intro = tr("Nothing is saved from here: your choices go into the form. ")
        if to_decide:
            intro += tr(
                "For each field in bold, keep their value or yours. Fields where you both "
                "agree, or nobody changed, are shown for reference."
            )
        else:
            intro += tr("Their changes do not touch what you changed; nothing to choose.")
        self.intro.setText(intro)
        layout.addWidget(self.intro)

        grid_box = QWidget()
        self.grid = QGridLayout(grid_box)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(6)
        self.grid.setContentsMargins(0, 0, 8, 0)
        headers = (
            tr("Field"),
            tr("Before (when you opened it)"),
            tr("Theirs (saved now)"),
            tr("Yours (in your form)"),
        )
        for column, text in enumerate(headers):
            header = QLabel(text)
            header.setObjectName("conflictHeader")
            header.setStyleSheet("font-weight: 600;")
            self.grid.addWidget(header, 0, column)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        self.grid.addWidget(line, 1, 0, 1, 4)
        for row, field in enumerate(self.fields, start=2):
            self._add_row(row, field)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        self.grid.setColumnStretch(3, 1)
        self.grid.setRowStretch(len(self.fields) + 2, 1)
        scroll = QScrollArea()
        scroll.setObjectName("conflictFields")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(grid_box)
        layout.addWidget(scroll, 1)

        self.buttons = QDialogButtonBox()
        self.all_theirs = QPushButton(tr("Keep all &theirs"))
        self.all_theirs.setObjectName("keepAllTheirs")
        self.all_mine = QPushButton(tr("Keep all &mine"))
        self.all_mine.setObjectName("keepAllMine")
        for button in (self.all_theirs, self.all_mine):
            button.setAutoDefault(False)
            button.setEnabled(bool(to_decide))
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ResetRole)
        self.ok_button = self.buttons.addButton(
            tr("&Save these values") if saving else tr("&Use these values"),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.ok_button.setObjectName("resolveConflict")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("cancelConflict")
        self.all_theirs.clicked.connect(lambda: self.choose_all(THEIRS))
        self.all_mine.clicked.connect(lambda: self.choose_all(MINE))
        self.buttons.accepted.connect(self._resolve)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.ok_button.setDefault(True)

        # Tall enough for every field without scrolling, when the screen has the room.
        screen = self.screen()
        room = screen.availableGeometry().height() - 120 if screen is not None else 700
        grid_box.adjustSize()
        wanted = self.sizeHint().height() - scroll.sizeHint().height() + grid_box.height() + 4
        self.resize(920, max(360, min(wanted, room)))
        first = next(iter(self._radios.values()), None)
        (first or self.ok_button).setFocus()

    # -- building ----------------------------------------------------------------------

    def _add_row(self, row: int, field: Field) -> None:
        before = self.original.get(field.key)
        theirs = self.theirs.get(field.key)
        mine = self.mine.get(field.key)
        they_changed = theirs != before
        i_changed = mine != before
        caption = QLabel(field.label)
        caption.setObjectName(f"label_{field.key}")
        caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        caption.setContentsMargins(0, 4, 0, 0)
        if not field.choosable or theirs == mine:
            # Nothing to decide: both agree, or the field is not the form's to choose.
            quiet = not they_changed and not i_changed
            color = DIM_COLOR if quiet else MUTED_COLOR
            caption.setStyleSheet(f"color: {color};")
            self.grid.addWidget(caption, row, 0)
            cells = (
                _value_label(field.show(before), color=color),
                _value_label(field.show(theirs), color=color, bold=they_changed),
                _value_label(
                    field.show(theirs if not field.choosable else mine),
                    color=color,
                    bold=i_changed and field.choosable,
                ),
            )
            for column, cell in enumerate(cells, start=1):
                cell.setContentsMargins(7, 5, 7, 5)
                cell.setObjectName(f"{('original', THEIRS, MINE)[column - 1]}_{field.key}")
                self.grid.addWidget(cell, row, column)
            return
        caption.setStyleSheet("font-weight: 600;")
        self.grid.addWidget(caption, row, 0)
        original = _value_label(field.show(before), color=MUTED_COLOR)
        original.setObjectName(f"original_{field.key}")
        original.setContentsMargins(7, 5, 7, 5)
        self.grid.addWidget(original, row, 1)
        group = QButtonGroup(self)
        group.setExclusive(True)
        for column, side, value, changed in (
            (2, THEIRS, theirs, they_changed),
            (3, MINE, mine, i_changed),
        ):
            choice = _Choice(side, field.key, field.show(value), changed=changed)
            choice.radio.setToolTip(
                tr("Keep their value") if side == THEIRS else tr("Keep your value")
            )
            group.addButton(choice.radio)
            self._radios[(field.key, side)] = choice.radio
            self.grid.addWidget(choice, row, column)
        self._groups[field.key] = group
        self.choose(field.key, MINE if i_changed else THEIRS)

    # -- choosing ----------------------------------------------------------------------

    def to_decide(self) -> list[str]:
        """The fields where theirs and yours differ: the person chooses."""
        return [
            f.key
            for f in self.fields
            if f.choosable and self.theirs.get(f.key) != self.mine.get(f.key)
        ]

    def radio(self, key: str, side: str) -> QRadioButton:
        return self._radios[(key, side)]

    def shown(self, key: str, column: str) -> str:
        """The text a cell shows: ``column`` is "original", THEIRS or MINE."""
        label = self.findChild(QLabel, f"{column}_{key}")
        return label.text() if label is not None else ""

    def choose(self, key: str, side: str) -> None:
        self._radios[(key, side)].setChecked(True)

    def choose_all(self, side: str) -> None:
        for key in self._groups:
            self.choose(key, side)

    def choice(self, key: str) -> str:
        """Whose value a field keeps now."""
        if key in self._groups:
            return MINE if self._radios[(key, MINE)].isChecked() else THEIRS
        field = next(f for f in self.fields if f.key == key)
        return MINE if field.choosable else THEIRS

    def merged(self) -> dict[str, Any]:
        """Every field: the chosen value where there was a choice, the agreed one elsewhere."""
        values: dict[str, Any] = {}
        for field in self.fields:
            side = self.choice(field.key)
            values[field.key] = (self.mine if side == MINE else self.theirs).get(field.key)
        return values

    def _resolve(self) -> None:
        merged = self.merged()
        self.accept()
        self.resolved.emit(merged)

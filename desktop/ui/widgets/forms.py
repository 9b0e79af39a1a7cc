"""Forms with inline validation: a message under each field, Save enabled only when valid.

A dialog lists its fields once (name -> editor); ``check()`` returns the
problems it can see locally, and the service's ``ValidationError`` fields land
under the same editors. Nothing typed is cleared when the server refuses.
How a dialog saves its form is ``desktop.ui.dialogs.form_dialog``'s.

What every form gets from here, whatever its dialog:

- each field's message line keeps its space, so nothing jumps when one appears;
- required fields are marked (``add(required=True)``, or learnt: a field whose
  problem shows while it is empty is one);
- while Save is off, a line above the buttons and the button's tooltip say what is
  still missing or wrong;
- a field that reads what is typed (a date) says under itself what it read, and
  its "that is no date" keeps Save off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import ValidationError
from desktop.ui.live import OFFLINE_TIP, connection
from desktop.ui.widgets.colors import MUTED_COLOR, paint
from desktop.ui.widgets.field_values import editor_value, is_empty, typing_note, typing_problem


def tr(text: str) -> str:
    return QCoreApplication.translate("Forms", text)


class FieldMessage(QLabel):
    """The red line under a field (or, in grey, a note on what was typed)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldError")
        self.setWordWrap(True)
        self.setVisible(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._problem = False
        self._noted = False  # painted grey for a note; the own colour is kept aside
        self._own_style = ""

    @property
    def is_problem(self) -> bool:
        """A problem is shown (not a note, not nothing)."""
        return self._problem and not self.isHidden()

    def show_problem(self, text: str | None) -> None:
        if self._noted:
            self._noted = False
            self.setStyleSheet(self._own_style)
        self._problem = bool(text)
        self.setText(text or "")
        self.setVisible(bool(text))

    def show_note(self, text: str | None) -> None:
        """What the field read from the typing ("Mon 21 Dec 2026: the 21st of this month")."""
        if not text and not self._noted:
            self.show_problem(None)
            return
        if not self._noted:
            self._noted = True
            self._own_style = self.styleSheet()
            paint(self, MUTED_COLOR)
        self._problem = False
        self.setText(text or "")
        self.setVisible(bool(text))


def with_message(editor: QWidget) -> tuple[QWidget, FieldMessage]:
    """The editor with its message line below it, as one widget for a form row.

    The line's space is kept while it is empty, so the rows below stay where they
    are when a message appears (a longer message still takes the lines it needs).
    """
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(1)
    layout.addWidget(editor)
    slot = QWidget(box)
    slot.setObjectName("messageSlot")
    slot_layout = QVBoxLayout(slot)
    slot_layout.setContentsMargins(0, 0, 0, 0)
    message = FieldMessage(slot)
    message.ensurePolished()  # the style sheet's font decides the line's height
    slot.setMinimumHeight(message.fontMetrics().height())
    slot_layout.addWidget(message)
    layout.addWidget(slot)
    return box, message


def set_buddy(layout: QFormLayout, field: QWidget, buddy: QWidget) -> QLabel | None:
    """Point the row's label mnemonic (&Customer) at the editor, not the box around it."""
    container = field.parentWidget()
    label = layout.labelForField(container) if container is not None else None
    if isinstance(label, QLabel):
        label.setBuddy(buddy)
        return label
    return None


class FieldRow(QWidget):
    """An editor with notes beside it, as one form field (``changed`` tells the Form)."""

    changed = Signal()

    def __init__(self, editor: QWidget, *extras: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(editor)
        for extra in extras:
            layout.addWidget(extra)
        layout.addStretch(1)
        signal = getattr(editor, "changed", None)
        if signal is not None:
            signal.connect(self.changed.emit)
        elif isinstance(editor, QDateEdit):
            editor.dateChanged.connect(lambda _d: self.changed.emit())
        elif isinstance(editor, QSpinBox):
            editor.textChanged.connect(lambda _text: self.changed.emit())  # emptied, too

    def setFocus(self, reason: Qt.FocusReason = Qt.FocusReason.OtherFocusReason) -> None:
        """Focus goes to the editor (no focus proxy: a proxy would make the row a Tab stop
        of its own, after the dialog's last button)."""
        self.editor.setFocus(reason)

    def typing_problem(self) -> str | None:
        return typing_problem(self.editor)

    def typing_note(self) -> str:
        return typing_note(self.editor)

    def value(self) -> object:
        return editor_value(self.editor)

    def is_empty(self) -> bool:
        return is_empty(self.editor)


def _vertical_slot(layout: QLayout, target: QWidget) -> tuple[QBoxLayout, int] | None:
    """Where ``target`` sits in ``layout``, in the innermost vertical box layout holding it."""
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None:
            continue
        if item.widget() is target:
            if isinstance(layout, QBoxLayout) and layout.direction() in (
                QBoxLayout.Direction.TopToBottom,
                QBoxLayout.Direction.BottomToTop,
            ):
                return layout, index
            return None
        inner = item.layout()
        if inner is not None:
            found = _vertical_slot(inner, target)
            if found is not None:
                return found
            if _holds(inner, target) and isinstance(layout, QVBoxLayout):
                return layout, index
    return None


def _holds(layout: QLayout, target: QWidget) -> bool:
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None:
            continue
        if item.widget() is target:
            return True
        inner = item.layout()
        if inner is not None and _holds(inner, target):
            return True
    return False


class Form(QObject):
    """The fields of one dialog, their messages, and the button that submits them."""

    edited = Signal(str)  # a field changed (its name): a refusal of the old values is stale

    def __init__(
        self,
        layout: QFormLayout,
        submit: QAbstractButton,
        check: Callable[[], Mapping[str, str]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._layout = layout
        self._submit = submit
        self._check = check
        self._messages: dict[str, FieldMessage] = {}
        self._editors: dict[str, QWidget] = {}
        self._captions: dict[str, tuple[QLabel, str]] = {}  # the label and its own text
        self._required: set[str] = set()
        self._never_required: set[str] = set()
        self._server_problems: dict[str, str] = {}
        self._general: FieldMessage | None = None
        self._touched: set[str] = set()
        self._busy = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.revalidate)
        # What keeps Save off, said above the buttons (placed once the dialog is laid out).
        self.summary = QLabel()
        self.summary.setObjectName("formSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        paint(self.summary, MUTED_COLOR)
        self.summary.ensurePolished()
        self.summary.setMinimumHeight(self.summary.fontMetrics().height())  # kept when empty
        self._summary_placed = False
        submit.installEventFilter(self)
        # Saving pauses while the database is unreachable; what was typed stays.
        connection().online_changed.connect(self._online_changed)

    def add(
        self, name: str, label: str, editor: QWidget, *, required: bool | None = None
    ) -> QWidget:
        """A row of the form: label, editor, and the editor's message line.

        ``required`` marks the label; None learns it (a problem shown while the field
        is empty makes it a required one), False never marks it.
        """
        box, message = with_message(editor)
        self._layout.addRow(label, box)
        caption = self._layout.labelForField(box)
        if isinstance(caption, QLabel):
            caption.setBuddy(editor)  # the label's &mnemonic focuses the editor, not the box
            self._captions[name] = (caption, caption.text())
        self._messages[name] = message
        self._editors[name] = editor
        if required:
            self._mark_required(name)
        elif required is False:
            self._never_required.add(name)
        self._watch(name, editor)
        return editor

    def general_message(self, message: FieldMessage) -> None:
        """Where problems that belong to no single field are shown."""
        self._general = message

    def _watch(self, name: str, editor: QWidget) -> None:
        def changed(*_args: object) -> None:
            self._touched.add(name)
            self._server_problems.pop(name, None)
            # The button follows at once (Enter right after the last key must work),
            # and so does a message whose problem is gone; new problems are shown
            # once the typing pauses.
            problems = self._problems()
            self._show_messages(problems, new_problems=False)
            self._enable_submit(problems)
            self._timer.start()
            self.edited.emit(name)

        if isinstance(editor, QLineEdit | QPlainTextEdit):
            editor.textChanged.connect(changed)
        elif isinstance(editor, QComboBox):
            editor.currentIndexChanged.connect(changed)
            if editor.isEditable():
                editor.editTextChanged.connect(changed)
        elif isinstance(editor, QDateEdit):
            editor.dateChanged.connect(changed)
        elif isinstance(editor, QSpinBox):
            editor.editingFinished.connect(changed)
            editor.textChanged.connect(changed)  # emptied too: Save waits for a number
        elif isinstance(editor, QAbstractSpinBox):
            editor.editingFinished.connect(changed)
            if hasattr(editor, "valueChanged"):
                editor.valueChanged.connect(changed)
        elif isinstance(editor, QCheckBox):
            editor.toggled.connect(changed)
        elif hasattr(editor, "changed"):
            editor.changed.connect(changed)

    def take_typing(self) -> None:
        """Before saving: what a field reads from its typing (a date) becomes its value."""
        for editor in self._editors.values():
            inner = editor.editor if isinstance(editor, FieldRow) else editor
            take = getattr(inner, "take_typed", None)
            if callable(take):
                take()

    def touch_all(self) -> None:
        self._touched.update(self._messages)

    def set_busy(self, busy: bool) -> None:
        """While a save is on its way: the button waits, the fields stay as typed."""
        self._busy = busy
        self.revalidate()

    def revalidate(self) -> bool:
        problems = self._problems()
        self._show_messages(problems, new_problems=True)
        return self._enable_submit(problems)

    def values(self) -> dict[str, object]:
        """What each field holds now (to tell whether the form is still as it opened)."""
        return {name: editor_value(editor) for name, editor in self._editors.items()}

    def _show_messages(self, problems: Mapping[str, str], *, new_problems: bool) -> None:
        """Problems under the touched fields (new ones only when asked), else the notes."""
        for name, message in self._messages.items():
            problem = problems.get(name) if name in self._touched else None
            if problem is not None and (new_problems or message.is_problem):
                message.show_problem(problem)
            elif problem is None or not message.is_problem:
                message.show_note(typing_note(self._editors[name]))

    def _problems(self) -> dict[str, str]:
        problems = dict(self._check())
        for name, problem in self._server_problems.items():
            problems.setdefault(name, problem)
        for name, editor in self._editors.items():
            typed = typing_problem(editor)
            if typed:
                problems[name] = typed  # what the field shows is not what it holds
        return problems

    def _enable_submit(self, problems: Mapping[str, str]) -> bool:
        valid = not problems
        online = connection().online
        self._submit.setEnabled(valid and not self._busy and online)
        self._learn_required(problems)
        if not online:
            tip, line = tr(OFFLINE_TIP), tr(OFFLINE_TIP)
        elif self._busy or valid:
            tip, line = "", ""
        else:
            tip, line = self._why_not(problems)
        self._submit.setToolTip(tip)
        self._place_summary()
        self.summary.setText(line)
        return valid

    def _online_changed(self, _online: bool) -> None:
        self.revalidate()

    # -- required fields and what is missing ------------------------------------------

    def _learn_required(self, problems: Mapping[str, str]) -> None:
        for name in problems:
            if (
                name in self._editors
                and name not in self._required
                and name not in self._never_required
                and is_empty(self._editors[name])
            ):
                self._mark_required(name)

    def _mark_required(self, name: str) -> None:
        self._required.add(name)
        caption = self._captions.get(name)
        if caption is not None:
            label, text = caption
            label.setText(tr("{0} *").format(text))
            label.setToolTip(tr("Required"))

    def is_required(self, name: str) -> bool:
        """Whether the field's label is marked required."""
        return name in self._required

    def caption(self, name: str) -> str:
        """A field's label as a person reads it ("Start date"; no mnemonic, no mark)."""
        caption = self._captions.get(name)
        text = caption[1] if caption is not None else name
        return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(":").strip()

    def _why_not(self, problems: Mapping[str, str]) -> tuple[str, str]:
        """The tooltip (every problem) and the line (short) saying why Save is off."""
        fields = [name for name in self._editors if name in problems]
        others = [problems[name] for name in problems if name not in self._editors]
        # The line names the fields (their messages say the rest), so it stays one line.
        missing = [self.caption(n) for n in fields if is_empty(self._editors[n])]
        wrong = [self.caption(n) for n in fields if not is_empty(self._editors[n])]
        parts = list(others)
        if missing:
            parts.append(tr("Still needed: {0}.").format(", ".join(missing)))
        if wrong:
            parts.append(tr("To correct: {0}.").format(", ".join(wrong)))
        tip_lines = [tr("Not yet possible:"), *(f"• {text}" for text in others)]
        tip_lines.extend(tr("• {0}: {1}").format(self.caption(n), problems[n]) for n in fields)
        return "\n".join(tip_lines), " ".join(parts)

    def _place_summary(self) -> None:
        """Put the line just above the row of buttons the submit button sits in."""
        if self._summary_placed:
            return
        anchor: QWidget = self._submit
        parent = anchor.parentWidget()
        while parent is not None:
            layout = parent.layout()
            found = _vertical_slot(layout, anchor) if layout is not None else None
            if found is not None:
                box, index = found
                box.insertWidget(index, self.summary)
                self._summary_placed = True
                self._follow_submit()
                return
            if parent.isWindow():
                return
            anchor, parent = parent, parent.parentWidget()

    def _follow_submit(self) -> None:
        self.summary.setVisible(self._summary_placed and not self._submit.isHidden())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._submit and event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
            self._follow_submit()
        return super().eventFilter(watched, event)

    # -- the service's word ------------------------------------------------------------

    def show_refusal(self, error: ValidationError) -> None:
        """The service's verdict, under the fields it names; other problems on top."""
        self._server_problems = {k: v for k, v in error.fields.items() if k in self._messages}
        others = [v for k, v in error.fields.items() if k not in self._messages]
        self._touched.update(self._server_problems)
        if self._general is not None:
            self._general.show_problem(" ".join(others) if others else None)
        self.revalidate()
        first = next(iter(self._server_problems), None)
        if first is not None:
            self._editors[first].setFocus()

    def message(self, name: str) -> str:
        """The problem shown under a field now ("" when none is shown)."""
        label = self._messages[name]
        return label.text() if label.is_problem else ""

    def note(self, name: str) -> str:
        """The note shown under a field now (what a date field read; "" when none)."""
        label = self._messages[name]
        return "" if label.is_problem or label.isHidden() else label.text()

    def show_general(self, text: str | None) -> None:
        if self._general is not None:
            self._general.show_problem(text)

    def general_text(self) -> str:
        """The line under the form now ("" when it shows nothing)."""
        general = self._general
        return general.text() if general is not None and not general.isHidden() else ""

"""Forms with inline validation: a message under each field, Save enabled only when valid.

A dialog lists its fields once (name -> editor); ``check()`` returns the
problems it can see locally, and the service's ``ValidationError`` fields land
under the same editors. Nothing typed is cleared when the server refuses.
How a dialog saves its form is ``desktop.ui.dialogs.form_dialog``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import ValidationError
from desktop.ui.live import OFFLINE_TIP, connection


def tr(text: str) -> str:
    return QCoreApplication.translate("Forms", text)


class FieldMessage(QLabel):
    """The red line under a field."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldError")
        self.setWordWrap(True)
        self.setVisible(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def show_problem(self, text: str | None) -> None:
        self.setText(text or "")
        self.setVisible(bool(text))


def with_message(editor: QWidget) -> tuple[QWidget, FieldMessage]:
    """The editor with its message label below it, as one widget for a form row."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(editor)
    message = FieldMessage(box)
    layout.addWidget(message)
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
        self.setFocusProxy(editor)
        if isinstance(editor, QDateEdit):
            editor.dateChanged.connect(lambda _d: self.changed.emit())
        elif isinstance(editor, QSpinBox):
            editor.valueChanged.connect(lambda _v: self.changed.emit())


class Form(QObject):
    """The fields of one dialog, their messages, and the button that submits them."""

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
        self._server_problems: dict[str, str] = {}
        self._general: FieldMessage | None = None
        self._touched: set[str] = set()
        self._busy = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.revalidate)
        # Saving pauses while the database is unreachable; what was typed stays.
        connection().online_changed.connect(self._online_changed)

    def add(self, name: str, label: str, editor: QWidget) -> QWidget:
        """A row of the form: label, editor, and the editor's message line."""
        box, message = with_message(editor)
        self._layout.addRow(label, box)
        caption = self._layout.labelForField(box)
        if isinstance(caption, QLabel):
            caption.setBuddy(editor)  # the label's &mnemonic focuses the editor, not the box
        self._messages[name] = message
        self._editors[name] = editor
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
            for field, message in self._messages.items():
                if field not in problems:
                    message.show_problem(None)
            self._enable_submit(problems)
            self._timer.start()

        if isinstance(editor, QLineEdit | QPlainTextEdit):
            editor.textChanged.connect(changed)
        elif isinstance(editor, QComboBox):
            editor.currentIndexChanged.connect(changed)
            if editor.isEditable():
                editor.editTextChanged.connect(changed)
        elif isinstance(editor, QDateEdit):
            editor.dateChanged.connect(changed)
        elif isinstance(editor, QAbstractSpinBox):
            editor.editingFinished.connect(changed)
            if hasattr(editor, "valueChanged"):
                editor.valueChanged.connect(changed)
        elif isinstance(editor, QCheckBox):
            editor.toggled.connect(changed)
        elif hasattr(editor, "changed"):
            editor.changed.connect(changed)

    def touch_all(self) -> None:
        self._touched.update(self._messages)

    def set_busy(self, busy: bool) -> None:
        """While a save is on its way: the button waits, the fields stay as typed."""
        self._busy = busy
        self.revalidate()

    def revalidate(self) -> bool:
        problems = self._problems()
        for name, message in self._messages.items():
            message.show_problem(problems.get(name) if name in self._touched else None)
        return self._enable_submit(problems)

    def _problems(self) -> dict[str, str]:
        problems = dict(self._check())
        for name, problem in self._server_problems.items():
            problems.setdefault(name, problem)
        return problems

    def _enable_submit(self, problems: Mapping[str, str]) -> bool:
        valid = not problems
        online = connection().online
        self._submit.setEnabled(valid and not self._busy and online)
        self._submit.setToolTip("" if online else tr(OFFLINE_TIP))
        return valid

    def _online_changed(self, _online: bool) -> None:
        self.revalidate()

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
        return "" if label.isHidden() else label.text()

    def show_general(self, text: str | None) -> None:
        if self._general is not None:
            self._general.show_problem(text)

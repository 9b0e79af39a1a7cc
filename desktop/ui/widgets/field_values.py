"""What a form reads from its editors, whatever they are: the value, whether it is empty,
and what an editor that reads its typing (a date) made of it.

Plain Qt editors are read directly; a compound field (a price and its currency) by
the text field inside it; an editor of ours says it itself (``value()``,
``is_empty()``, ``typing_problem()``, ``typing_note()``).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)


def typing_problem(editor: QWidget) -> str | None:
    """Why the text typed into an editor that reads it (a date) means nothing yet."""
    probe = getattr(editor, "typing_problem", None)
    return probe() if callable(probe) else None


def typing_note(editor: QWidget) -> str:
    """What an editor that reads its text (a date) read from it."""
    probe = getattr(editor, "typing_note", None)
    return probe() if callable(probe) else ""


def editor_value(editor: QWidget) -> object:
    """What an editor holds, to tell whether a form is as it opened."""
    if isinstance(editor, QAbstractSpinBox):
        return editor.text()
    own = getattr(editor, "value", None)
    if callable(own):
        return own()
    if isinstance(editor, QLineEdit):
        return editor.text()
    if isinstance(editor, QPlainTextEdit):
        return editor.toPlainText()
    if isinstance(editor, QComboBox):
        return editor.currentIndex(), editor.currentText()
    if isinstance(editor, QAbstractButton):
        return editor.isChecked()
    return tuple(editor_value(child) for child in _inputs(editor, every=True))


def is_empty(editor: QWidget) -> bool:
    """Nothing typed or chosen (a required field's problem then is that it is missing)."""
    own = getattr(editor, "is_empty", None)
    if callable(own):
        return bool(own())
    if isinstance(editor, QLineEdit):
        return not editor.text().strip()
    if isinstance(editor, QPlainTextEdit):
        return not editor.toPlainText().strip()
    if isinstance(editor, QComboBox):
        return editor.currentIndex() < 0 or (editor.isEditable() and not editor.currentText())
    if isinstance(editor, QAbstractSpinBox | QAbstractButton):
        return False
    inputs = _inputs(editor, every=False)
    return len(inputs) == 1 and is_empty(inputs[0])


def _inputs(widget: QWidget, *, every: bool) -> list[QWidget]:
    """The editors inside a compound field (a price and its currency, a tag list).

    Text fields only, or (``every``) check boxes, spin boxes and combo boxes too;
    never the line edits inside spin and combo boxes.
    """
    kinds: tuple[type[QWidget], ...] = (QLineEdit, QPlainTextEdit)
    if every:
        kinds = (*kinds, QAbstractSpinBox, QComboBox, QCheckBox)
    found = []
    for child in widget.findChildren(QWidget):
        if not isinstance(child, kinds):
            continue
        parent = child.parentWidget()
        if isinstance(child, QLineEdit) and isinstance(parent, QAbstractSpinBox | QComboBox):
            continue
        found.append(child)
    return found

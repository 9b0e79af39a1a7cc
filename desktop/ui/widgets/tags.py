"""Editable tags (a destination's features): Enter adds a chip, its cross removes it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QWidget,
)

TAG_MAX = 2048  # the longest entry the services accept in a list column
CHIP_TEXT_WIDTH = 260  # longer tags are elided in the chip; the tooltip has them whole


def tr(text: str) -> str:
    return QCoreApplication.translate("TagEditor", text)


class FlowLayout(QLayout):
    """Lays its items out left to right, wrapping to a new line when the width runs out."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def insert_widget(self, index: int, widget: QWidget) -> None:
        """Put ``widget`` at ``index`` (the chips stay in front of the text field)."""
        self.addWidget(widget)  # adopts the widget and appends its item
        item = self._items.pop()
        self._items.insert(index, item)
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place (or only measure) the items; the height they need."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if item.expandingDirections() & Qt.Orientation.Horizontal:
                # The text field takes what is left of its line, or a line of its own.
                remaining = area.right() + 1 - x
                if remaining < item.minimumSize().width() and x > area.x():
                    x, y = area.x(), y + line_height + self._gap
                    line_height = 0
                    remaining = area.width()
                hint = QSize(max(remaining, item.minimumSize().width()), hint.height())
            elif x + hint.width() > area.right() + 1 and x > area.x():
                x, y = area.x(), y + line_height + self._gap
                line_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


class TagChip(QFrame):
    """One tag: its text and a cross that removes it."""

    remove_requested = Signal(str)

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = text
        self.setObjectName("tagChip")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(9, 1, 3, 1)
        layout.setSpacing(2)
        self.label = QLabel()
        self.label.setObjectName("tagText")
        metrics = self.label.fontMetrics()
        self.label.setText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, CHIP_TEXT_WIDTH))
        self.setToolTip(text)
        layout.addWidget(self.label)
        self.remove_button = QToolButton()
        self.remove_button.setObjectName("removeTag")
        self.remove_button.setText("\N{MULTIPLICATION SIGN}")
        self.remove_button.setAutoRaise(True)
        # Keyboard users remove chips with Backspace in the text field: one Tab stop, not one
        # per chip.
        self.remove_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.remove_button.setToolTip(tr("Remove “{0}”").format(text))
        self.remove_button.setAccessibleName(tr("Remove {0}").format(text))
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self.text))
        layout.addWidget(self.remove_button)
        self.setStyleSheet(
            # The application's accent tints (resources/styles/app.qss).
            "QFrame#tagChip { background: #e0f2f6; border: 1px solid #9fd0dc;"
            " border-radius: 11px; }"
            "QLabel#tagText { color: #155e75; background: transparent; }"
            "QToolButton#removeTag { border: none; padding: 0 3px; color: #155e75;"
            " background: transparent; font-weight: bold; }"
            "QToolButton#removeTag:hover { color: #b91c1c; }"
        )

    def set_removable(self, removable: bool) -> None:
        self.remove_button.setVisible(removable)


class _TagInput(QLineEdit):
    """The text field at the end of the chips: Enter adds, Backspace on empty removes."""

    commit = Signal()
    remove_last = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.text().strip():
            self.commit.emit()
            event.accept()  # a dialog's default button must not fire for this Enter
            return
        if key == Qt.Key.Key_Backspace and not self.text() and not self.hasSelectedText():
            self.remove_last.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        # A tag typed but not yet entered is kept rather than silently dropped.
        if self.text().strip():
            self.commit.emit()
        super().focusOutEvent(event)


class TagEditor(QFrame):
    """A list of short texts edited as chips; ``changed`` fires on every addition or removal."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, placeholder: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("tagEditor")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.Base)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._chips: list[TagChip] = []
        self._read_only = False
        self._flow = FlowLayout(self, spacing=5)
        self._flow.setContentsMargins(5, 4, 5, 4)
        self.input = _TagInput()
        self.input.setObjectName("tagInput")
        self.input.setFrame(False)
        self.input.setMaxLength(TAG_MAX)
        self.input.setMinimumWidth(160)
        self.input.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._placeholder = placeholder or tr("Type and press Enter to add")
        self.input.setPlaceholderText(self._placeholder)
        self.input.commit.connect(self.commit_pending)
        self.input.remove_last.connect(self._remove_last)
        self._flow.addWidget(self.input)

    # -- reading and writing -------------------------------------------------------

    def tags(self) -> list[str]:
        return [chip.text for chip in self._chips]

    def set_tags(self, tags: list[str] | tuple[str, ...]) -> None:
        for chip in self._chips:
            self._flow.removeWidget(chip)
            chip.deleteLater()
        self._chips = []
        for tag in tags:
            self._add_chip(tag)
        self._relayout()
        self.changed.emit()

    def add_tag(self, text: str) -> bool:
        """Add one tag; False (and nothing changes) when it is blank or already there."""
        tag = " ".join(text.split())
        if not tag or tag in self.tags():
            return False
        self._add_chip(tag)
        self._relayout()
        self.changed.emit()
        return True

    def remove_tag(self, text: str) -> None:
        for chip in self._chips:
            if chip.text == text:
                self._chips.remove(chip)
                self._flow.removeWidget(chip)
                chip.deleteLater()
                self._relayout()
                self.changed.emit()
                return

    def commit_pending(self) -> None:
        """Turn what is typed in the text field into a tag (a save calls this first)."""
        text = self.input.text()
        if not text.strip():
            return
        for line in text.splitlines():  # a pasted list becomes one tag per line
            self.add_tag(line)
        self.input.clear()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.input.setReadOnly(read_only)
        self._update_input()
        for chip in self._chips:
            chip.set_removable(not read_only)
        self._relayout()

    def setFocus(self, reason: Qt.FocusReason = Qt.FocusReason.OtherFocusReason) -> None:
        """Focus goes to the text field (no focus proxy: a proxy would pull Tab out of order)."""
        self.input.setFocus(reason)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A click on the box beside the chips starts typing."""
        if not self._read_only:
            self.input.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mousePressEvent(event)

    def chips(self) -> list[TagChip]:
        return list(self._chips)

    # -- internals -------------------------------------------------------------------

    def _add_chip(self, tag: str) -> None:
        chip = TagChip(tag, self)
        chip.set_removable(not self._read_only)
        chip.remove_requested.connect(self.remove_tag)
        self._flow.insert_widget(len(self._chips), chip)
        self._chips.append(chip)
        chip.show()

    def _remove_last(self) -> None:
        if self._chips and not self._read_only:
            self.remove_tag(self._chips[-1].text)

    def _update_input(self) -> None:
        """Read-only, the text field only shows up to say there is nothing."""
        self.input.setVisible(not self._read_only or not self._chips)
        self.input.setPlaceholderText(tr("None") if self._read_only else self._placeholder)

    def _relayout(self) -> None:
        self._update_input()
        self._flow.invalidate()
        self.updateGeometry()

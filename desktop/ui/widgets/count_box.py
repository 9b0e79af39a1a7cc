"""A whole number typed into a form (guests, days): kept as typed, never corrected.

Qt's ``QSpinBox`` clamps what is typed to its range without a word: 0 became 1,
-3 became 3, a number over the maximum was ignored. A ``CountBox`` takes any
number a person may type and leaves it as typed; the form says what is wrong
with it and keeps Save off. Only its arrows stay between the lowest and the
highest number that makes sense.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractSpinBox, QSpinBox, QWidget

TYPED_RANGE = (-999, 99_999)  # what may be typed; what makes sense is said inline


class CountBox(QSpinBox):
    """A count with arrows between ``lowest`` and ``limit``; anything else typed stays.

    ``limit`` may change (a destination's guests) or be unknown yet (None: the
    arrows stop at ``lowest``). The form asks ``is_empty()``, ``value()`` and
    ``limit`` and says what is wrong in its own words.
    """

    def __init__(
        self, *, lowest: int = 1, limit: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setRange(*TYPED_RANGE)
        self._lowest = lowest
        self._limit = limit
        self.setValue(lowest)

    @property
    def lowest(self) -> int:
        """The lowest count that makes sense (the arrows stop there)."""
        return self._lowest

    @property
    def limit(self) -> int | None:
        """The highest count that makes sense (None until it is known)."""
        return self._limit

    def set_limit(self, limit: int | None) -> None:
        """A new highest count; what is typed stays as it is, even when now over it."""
        self._limit = limit

    def is_empty(self) -> bool:
        return not self.cleanText().strip()

    def stepBy(self, steps: int) -> None:
        top = max(self._limit or self._lowest, self._lowest)
        self.setValue(min(max(self.value() + steps, self._lowest), top))
        self.selectAll()

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        value, top = self.value(), max(self._limit or self._lowest, self._lowest)
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if self.isReadOnly():
            return flags
        if value < top:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        if value > self._lowest:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return flags

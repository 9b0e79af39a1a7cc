"""The dialogs' date field: typed the way a person says a date, or picked from a calendar.

Qt's ``QDateEdit`` with a "Mon 7 Dec 2026" format takes neither digits nor words
typed over it, only arrows and its calendar. This field reads what is typed
(``desktop.ui.date_parsing``: "21 Dec 2026", "21/12/2026", "21.12.", "21", "+7",
"today") as it is typed and says under the field which date that is; Enter,
leaving the field or saving takes it, and the field then shows it in the long
form. Until then the field keeps its date (typing "31/13" passes through "3" and
"31": nothing moves on the way). A text that is no date stays as typed, and the
field says so. Up and Down move it a day, Page Up and Page Down a month,
Alt+Down (or the calendar button) opens the calendar.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.date_parsing import DateWords, Reading, TypedDate, day_first, read_date
from desktop.ui.dates import pydate, qdate, today
from desktop.ui.formats import LONG_DATE, days_text, short_date_format
from desktop.ui.resources import icon

EARLIEST = QDate(1900, 1, 1)
LATEST = QDate(9999, 12, 31)


def tr(text: str) -> str:
    return QCoreApplication.translate("DateField", text)


def ordinal(day: int) -> str:
    """ "21st", "2nd", "13th": a day of the month as it is said."""
    if 11 <= day % 100 <= 13:
        return tr("{0}th").format(day)
    suffix = {1: tr("{0}st"), 2: tr("{0}nd"), 3: tr("{0}rd")}.get(day % 10, tr("{0}th"))
    return suffix.format(day)


@cache
def _words(locale_name: str) -> DateWords:
    """The locale's month and weekday names (and English ones), today's words, its order."""
    locale = QLocale(locale_name)
    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    for names in (QLocale.c(), locale):
        for number in range(1, 13):
            for kind in (QLocale.FormatType.LongFormat, QLocale.FormatType.ShortFormat):
                months[_key(names.monthName(number, kind))] = number
                months[_key(names.standaloneMonthName(number, kind))] = number
        for number in range(1, 8):  # Qt counts Monday as 1, Python as 0
            for kind in (QLocale.FormatType.LongFormat, QLocale.FormatType.ShortFormat):
                weekdays[_key(names.dayName(number, kind))] = number - 1
    days_from_today = {"today": 0, "tomorrow": 1, "yesterday": -1}
    for word, days in ((tr("today"), 0), (tr("tomorrow"), 1), (tr("yesterday"), -1)):
        days_from_today[_key(word)] = days
    return DateWords(
        months={name: number for name, number in months.items() if name},
        weekdays={name: number for name, number in weekdays.items() if name},
        days_from_today=days_from_today,
        day_first=day_first(locale.dateFormat(QLocale.FormatType.ShortFormat)),
    )


def _key(name: str) -> str:
    return name.strip().rstrip(".").casefold()


def date_words(locale: QLocale | None = None) -> DateWords:
    """What a date may be typed with in this locale."""
    return _words((locale or QLocale()).name())


class _CalendarPopup(QFrame):
    """The calendar under the field; a click or Enter picks a day, Escape closes it."""

    picked = Signal(QDate)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        self.calendar = QCalendarWidget(self)
        self.calendar.setObjectName("calendar")
        hint = self.calendar.sizeHint()  # Qt's calendar is a row too short with most fonts
        self.calendar.setMinimumSize(max(hint.width(), 280), max(hint.height() * 4 // 3, 200))
        layout.addWidget(self.calendar)
        self.calendar.clicked.connect(self._pick)
        self.calendar.activated.connect(self._pick)

    def _pick(self, value: QDate) -> None:
        self.hide()
        self.picked.emit(value)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            event.accept()
            return
        super().keyPressEvent(event)


class _DateLine(QLineEdit):
    """The field's text: Enter takes a typed date (a second Enter reaches the dialog),
    Escape goes back to the date before typing, arrows step, Alt+Down opens the calendar."""

    def __init__(self, field: DateField) -> None:
        super().__init__(field)
        self._field = field

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, modifiers = event.key(), event.modifiers()
        field = self._field
        alt = bool(modifiers & Qt.KeyboardModifier.AltModifier)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and field.typing:
            field.take_typed()
            event.accept()
            return
        if key == Qt.Key.Key_Escape and field.typing:
            field.undo_typing()
            event.accept()
            return
        if key == Qt.Key.Key_F4 or (key == Qt.Key.Key_Down and alt):
            field.open_calendar()
            event.accept()
            return
        steps = {
            Qt.Key.Key_Up: (1, 0),
            Qt.Key.Key_Down: (-1, 0),
            Qt.Key.Key_PageUp: (0, 1),
            Qt.Key.Key_PageDown: (0, -1),
        }
        if key in steps and not alt:
            days, months = steps[Qt.Key(key)]
            field.step(days=days, months=months)
            event.accept()
            return
        super().keyPressEvent(event)


class DateField(QWidget):
    """A date typed or picked; ``date()``, ``setDate()`` and ``dateChanged`` as ``QDateEdit``.

    What ``+7`` counts from is ``set_counting_from``'s (today unless told); a short
    form (``21``, ``21.12.``, ``Fri``) is the first such date from the earliest one
    the field offers (its minimum, or today when that is later).
    """

    dateChanged = Signal(QDate)  # noqa: N815 - QDateEdit's name, which the dialogs use
    changed = Signal()  # the date, or the text being typed (the Form listens)

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._date = qdate(today())
        self._minimum = EARLIEST
        self._maximum = LATEST
        self._typing = False  # the text is being typed and is not the date's own yet
        self._typed: TypedDate | None = None  # what the text being typed reads as
        self._base: Callable[[], datetime.date] = today
        self._base_name = tr("today")

        self.edit = _DateLine(self)
        self.edit.setObjectName(f"{object_name}Text")
        metrics = self.edit.fontMetrics()
        self.edit.setMinimumWidth(metrics.horizontalAdvance("Wed 30 Sep 2026") + 64)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.setFocusProxy(self.edit)
        self.calendar_action = self.edit.addAction(
            icon("calendar"), QLineEdit.ActionPosition.TrailingPosition
        )
        self.calendar_action.setObjectName(f"{object_name}Calendar")
        self.calendar_action.setToolTip(tr("Choose from a calendar (Alt+Down)"))
        self.calendar_action.triggered.connect(self.open_calendar)
        self._popup = _CalendarPopup(self)
        self._popup.picked.connect(self._picked)

        self.edit.textEdited.connect(self._text_edited)
        self.edit.editingFinished.connect(self.take_typed)
        self._update_tip()
        self._show_date()

    # -- as QDateEdit ----------------------------------------------------------------

    def date(self) -> QDate:
        return QDate(self._date)

    def setDate(self, value: QDate) -> None:
        """Set by the program: kept within the minimum and maximum, as QDateEdit does."""
        if not value.isValid():
            return
        self._set(min(max(value, self._minimum), self._maximum))

    def minimumDate(self) -> QDate:
        return QDate(self._minimum)

    def setMinimumDate(self, value: QDate) -> None:
        self._minimum = QDate(value)
        self._maximum = max(self._maximum, self._minimum)
        self._popup.calendar.setDateRange(self._minimum, self._maximum)
        if self._date < self._minimum and not self._typing:
            self._set(self._minimum)

    def maximumDate(self) -> QDate:
        return QDate(self._maximum)

    def setMaximumDate(self, value: QDate) -> None:
        self._maximum = QDate(value)
        self._minimum = min(self._minimum, self._maximum)
        self._popup.calendar.setDateRange(self._minimum, self._maximum)
        if self._date > self._maximum and not self._typing:
            self._set(self._maximum)

    def calendarWidget(self) -> QCalendarWidget:
        return self._popup.calendar

    # -- typing ------------------------------------------------------------------------

    @property
    def typing(self) -> bool:
        """A text is being typed that is not yet shown as its date."""
        return self._typing

    def set_counting_from(self, base: Callable[[], datetime.date], name: str) -> None:
        """What ``+7`` counts from (the start date, for an end date) and how it is named."""
        self._base = base
        self._base_name = name
        self._update_tip()

    def take_typed(self) -> None:
        """Enter, leaving the field, or saving: a readable text becomes the field's date.

        Not kept within the minimum: a date too early is said by the form, never moved
        behind the person's back. A text that is no date stays as typed.
        """
        typed = self._typed
        if self._typing and typed is not None:
            self._set(qdate(typed.value), force_text=True)
            self.changed.emit()

    def undo_typing(self) -> None:
        """Escape while typing: the text goes back to the field's date."""
        self._set(self._date, force_text=True)
        self.changed.emit()

    def typing_problem(self) -> str | None:
        """Why the text typed is no date (None when it is one, or nothing is being typed)."""
        if not self._typing or self._typed is not None:
            return None
        text = self.edit.text().strip()
        examples = self._examples()
        if not text:
            return tr("Type a date, such as {0}, {1}, 21, +7 or today.").format(*examples)
        return tr("“{0}” is not a date. Type it as {1}, {2}, 21, +7 or today.").format(
            text, *examples
        )

    def typing_note(self) -> str:
        """Which date the text being typed is, and why ("the 21st of next month")."""
        typed = self._typed
        if not self._typing or typed is None:
            return ""
        shown = QLocale().toString(qdate(typed.value), LONG_DATE)
        why = self._why(typed)
        return tr("{0}: {1}").format(shown, why) if why else shown

    def value(self) -> tuple[datetime.date, str]:
        """The date, and a text typed but not taken yet (what closing would lose)."""
        return pydate(self._date), self.edit.text() if self._typing else ""

    def is_empty(self) -> bool:
        return self._typing and not self.edit.text().strip()

    # -- steps and the calendar --------------------------------------------------------

    def step(self, *, days: int = 0, months: int = 0) -> None:
        """Up/Down a day, Page Up/Down a month, within the minimum and maximum."""
        if self._typing:
            if self._typed is None:
                return  # nothing to step from: the text says what is wrong
            self.take_typed()
        moved = self._date.addDays(days).addMonths(months)
        self._set(min(max(moved, self._minimum), self._maximum))

    def open_calendar(self) -> None:
        self.take_typed()
        calendar = self._popup.calendar
        calendar.setSelectedDate(self._date)
        calendar.setCurrentPage(self._date.year(), self._date.month())
        popup = self._popup
        popup.adjustSize()
        below = self.mapToGlobal(QPoint(0, self.height()))
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is not None and below.y() + popup.height() > screen.bottom():
            below = self.mapToGlobal(QPoint(0, -popup.height()))
        if screen is not None:
            below.setX(max(screen.left(), min(below.x(), screen.right() - popup.width())))
        popup.move(below)
        popup.show()
        calendar.setFocus(Qt.FocusReason.PopupFocusReason)

    # -- behaviour ---------------------------------------------------------------------

    def _picked(self, value: QDate) -> None:
        self._typing = False
        self._typed = None
        self._set(value, force_text=True)
        self.edit.setFocus(Qt.FocusReason.PopupFocusReason)

    def _text_edited(self, text: str) -> None:
        if text == self._text():
            self._typing = False
            self._typed = None
            self.changed.emit()
            return
        self._typing = True
        earliest = max(pydate(self._minimum), today())
        self._typed = read_date(
            text, anchor=earliest, base=self._base(), today=today(), words=date_words()
        )
        self.changed.emit()

    def _set(self, value: QDate, *, force_text: bool = False) -> None:
        moved = value != self._date
        self._date = QDate(value)
        self._typing = False
        self._typed = None
        if moved or force_text or self.edit.text() != self._text():
            self._show_date()
        if moved:
            self.dateChanged.emit(QDate(value))
            self.changed.emit()

    def _text(self) -> str:
        return QLocale().toString(self._date, LONG_DATE)

    def _show_date(self) -> None:
        self.edit.setText(self._text())
        self.edit.setCursorPosition(0)

    def _why(self, typed: TypedDate) -> str:
        value, now = typed.value, today()
        month_offset = (value.year - now.year) * 12 + value.month - now.month
        if typed.reading is Reading.DAY:
            day = ordinal(value.day)
            if month_offset == 0:
                return tr("the {0} of this month").format(day)
            if month_offset == 1:
                return tr("the {0} of next month").format(day)
            return tr("the next {0}").format(day)
        if typed.reading is Reading.DAY_AND_MONTH:
            return tr("this year") if value.year == now.year else tr("next year")
        if typed.reading is Reading.WEEKDAY:
            return tr("the next {0}").format(QLocale().dayName(value.isoweekday()))
        if typed.reading is Reading.RELATIVE:
            if typed.days >= 0:
                return tr("{0} after {1}").format(days_text(typed.days), self._base_name)
            return tr("{0} before {1}").format(days_text(-typed.days), self._base_name)
        return ""

    def _examples(self) -> tuple[str, str]:
        sample = QDate(today().year, 12, 21)
        locale = QLocale()
        return locale.toString(sample, "d MMM yyyy"), locale.toString(sample, short_date_format())

    def _update_tip(self) -> None:
        long_example, short_example = self._examples()
        self.edit.setToolTip(
            tr(
                "Type a date: {0} or {1}; 21 for the next 21st (this month's, or next "
                "month's once it has passed); 21.12. for the next 21 December; +7 for 7 "
                "days after {2}; today or tomorrow.\n"
                "Up and Down move it a day, Page Up and Page Down a month; Alt+Down opens "
                "the calendar."
            ).format(long_example, short_example, self._base_name)
        )


def date_edit(object_name: str) -> DateField:
    """A dialog's date field (the long form, "Mon 7 Dec 2026"; typed or picked)."""
    return DateField(object_name)

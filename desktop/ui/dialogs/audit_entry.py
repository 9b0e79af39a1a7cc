"""One audit entry, read-only: who, when and where, and its values before and after.

It also holds the trail's words: what each recorded action and resource is
called. The Audit log list and this dialog both read them from here, so an
entry never says "Booking cancelled" in the list and ``booking.cancel`` when
opened.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import Role
from desktop.domain.permissions import ROLE_LABELS
from desktop.domain.records import AuditRow
from desktop.ui.dates import qdatetime
from desktop.ui.formats import format_money, long_date, long_datetime
from desktop.ui.record_fields import picture_words
from desktop.ui.widgets.labels import title_label

Index = QModelIndex | QPersistentModelIndex
CHANGE_ROLE = Qt.ItemDataRole.UserRole + 1  # REMOVED, ADDED or None, on the value cells
REMOVED = "removed"
ADDED = "added"
REMOVED_COLOR = QColor("#fde2e1")  # the value before, where it changed or went
ADDED_COLOR = QColor("#dcfce7")  # the value after, where it changed or came
MARKED_TEXT = QColor("#1f2937")  # readable on both tints, in light and dark themes

FIELD, BEFORE, AFTER = range(3)
CELL_PADDING = 10  # pixels above and below a wrapped value, together
MONEY_FIELDS = frozenset({"price", "total_price", "amount", "refund_amount"})
WORD_FIELDS = frozenset({"status", "payment_status"})
# The order a person reads a record in; other fields follow alphabetically.
FIELD_ORDER = (
    "name",
    "email",
    "phone",
    "role",
    "user_id",
    "destination_id",
    "booking_id",
    "start_date",
    "end_date",
    "guests",
    "total_price",
    "status",
    "payment_status",
    "payment_intent_id",
    "special_requests",
    "cancellation_reason",
    "cancelled_at",
    "description",
    "country",
    "city",
    "price",
    "duration",
    "max_guests",
    "features",
    "images",
    "active",
    "rating",
    "comment",
    "helpful_count",
)
# What each recorded action means, in the words of the people who read the trail.
ACTION_LABELS = {
    "auth.sign_in": "Signed in",
    "auth.sign_in_failed": "Failed sign-in",
    "auth.sign_in_throttled": "Sign-in refused (too many attempts)",
    "booking.create": "Booking made",
    "booking.change": "Booking changed",
    "booking.confirm": "Booking confirmed",
    "booking.cancel": "Booking cancelled",
    "booking.complete": "Booking completed",
    "booking.payment": "Payment recorded",
    "customer.create": "Customer added",
    "customer.update": "Customer changed",
    "destination.create": "Destination added",
    "destination.update": "Destination changed",
    "destination.activate": "Destination opened for booking",
    "destination.deactivate": "Destination closed for booking",
    "destination.delete": "Destination deleted",
    "image.store": "Picture stored",
    "review.create": "Review recorded",
    "review.delete": "Review deleted",
    "review.helpful": "Review marked helpful",
    "staff.create": "Staff member added",
    "staff.create_first_admin": "First administrator created",
    "staff.update": "Staff member changed",
    "staff.password_change": "Own password changed",
    "staff.password_reset": "Password reset",
}
# The resources entries are about: (code, the list filter's label, one of them).
RESOURCE_TYPES = (
    ("booking", "Bookings", "Booking"),
    ("destination", "Destinations", "Destination"),
    ("user", "People", "Person"),
    ("review", "Reviews", "Review"),
    ("image", "Pictures", "Picture"),
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def tr(text: str) -> str:
    return QCoreApplication.translate("AuditEntry", text)


def action_label(action: str) -> str:
    """An action in words; another client's action shows as it recorded it."""
    label = ACTION_LABELS.get(action)
    return tr(label) if label else action


def resource_types() -> list[tuple[str, str]]:
    """(code, label) of the resources the trail's filter offers."""
    return [(code, tr(plural)) for code, plural, _one in RESOURCE_TYPES]


def resource_label(resource_type: str, resource_id: int | None) -> str:
    """ "Booking #12"; the noun alone when the entry names no row (a failed sign-in)."""
    nouns = {code: one for code, _plural, one in RESOURCE_TYPES}
    noun = tr(nouns[resource_type]) if resource_type in nouns else resource_type
    return noun if resource_id is None else tr("{0} #{1}").format(noun, resource_id)


def field_labels() -> dict[str, str]:
    return {
        "name": tr("Name"),
        "email": tr("E-mail"),
        "phone": tr("Phone"),
        "role": tr("Role"),
        "user_id": tr("Customer"),
        "destination_id": tr("Destination"),
        "booking_id": tr("Booking"),
        "start_date": tr("Start date"),
        "end_date": tr("End date"),
        "guests": tr("Guests"),
        "total_price": tr("Total price"),
        "status": tr("Status"),
        "payment_status": tr("Payment"),
        "payment_intent_id": tr("Payment reference"),
        "special_requests": tr("Special requests"),
        "cancellation_reason": tr("Cancellation reason"),
        "cancelled_at": tr("Cancelled at"),
        "description": tr("Description"),
        "country": tr("Country"),
        "city": tr("City"),
        "price": tr("Price per person"),
        "duration": tr("Duration (days)"),
        "max_guests": tr("Maximum guests"),
        "features": tr("Features"),
        "images": tr("Images"),
        "active": tr("Active"),
        "rating": tr("Rating"),
        "comment": tr("Comment"),
        "helpful_count": tr("Helpful votes"),
        "password_reset": tr("Password reset"),
        "password_changed": tr("Password changed"),
        "password_rehashed": tr("Password re-hashed"),
    }


def field_label(field: str, labels: Mapping[str, str] | None = None) -> str:
    labels = labels if labels is not None else field_labels()
    return labels.get(field) or field.replace("_", " ").capitalize()


def readable(field: str, value: Any) -> str:
    """An audit value as a person reads it: money, dates, words, lists joined."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return tr("Yes") if value else tr("No")
    if isinstance(value, list | tuple):
        return ", ".join(readable(field, v) for v in value) if value else tr("(none)")
    if isinstance(value, Mapping):
        return "; ".join(f"{field_label(k)}: {readable(k, v)}" for k, v in value.items())
    if field in MONEY_FIELDS:
        return _money(value)
    if isinstance(value, int):
        return f"#{value}" if field.endswith("_id") else QLocale().toString(value)
    if isinstance(value, str):
        return _readable_text(field, value)
    return str(value)


def _money(value: Any) -> str:
    try:
        return format_money(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


def _readable_text(field: str, value: str) -> str:
    """Codes as words, ISO dates and moments in the locale's format, other text as is."""
    if field == "role" and value in {r.value for r in Role}:
        return tr(ROLE_LABELS[Role(value)])
    if field in WORD_FIELDS:
        return value.capitalize()
    if field == "images" and (picture := picture_words(value)) is not None:
        return picture
    try:
        if _ISO_DATE.match(value):
            return long_date(date.fromisoformat(value))
        if _ISO_DATETIME.match(value):
            return long_datetime(datetime.fromisoformat(value))
    except ValueError:
        pass
    return value


def ordered_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    present = set(old) | set(new)
    known = [f for f in FIELD_ORDER if f in present]
    return known + sorted(present - set(FIELD_ORDER))


def long_moment(value: datetime | None) -> str:
    """The entry's time as dialogs say a moment ("Mon 7 Dec 2026, 15:04")."""
    if value is None:
        return "—"
    return long_datetime(value)


def exact_moment(value: datetime | None) -> str:
    """The entry's time to the second, with the workstation's time zone (its tooltip)."""
    if value is None:
        return ""
    return QLocale().toString(qdatetime(value), QLocale.FormatType.LongFormat)


def _swatch(color: QColor, word: str) -> str:
    """A colour's name on that colour, for the legend (rich text)."""
    return f"<span style='background:{color.name()}'>&nbsp;{word}&nbsp;</span>"


def _selectable(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class _TintDelegate(QStyledItemDelegate):
    """Paints a cell's tint itself: the style sheet's ``::item`` rule hides BackgroundRole."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        tint = index.data(Qt.ItemDataRole.BackgroundRole)
        if isinstance(tint, QBrush | QColor):
            painter.fillRect(option.rect, tint)
        super().paint(painter, option, index)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), size.height() + CELL_PADDING)


class AuditEntryDialog(QDialog):
    """The entry's circumstances on top, then Field | Before | After with changes tinted."""

    def __init__(self, entry: AuditRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = entry
        self.setObjectName("auditEntryDialog")
        what = action_label(entry.action)
        where = resource_label(entry.resource_type, entry.resource_id)
        self.setWindowTitle(tr("Audit entry #{0} — {1} — {2}").format(entry.id, what, where))
        layout = QVBoxLayout(self)
        self.heading = title_label(tr("{0} — {1}").format(what, where))
        # The code as recorded, for whoever reads the database or the log alongside.
        self.heading.setToolTip(
            tr("Recorded as {0} on {1}").format(entry.action, entry.resource_type)
        )
        layout.addWidget(self.heading)

        facts = QFormLayout()
        facts.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        if entry.actor_name:
            person = tr("{0} (#{1})").format(entry.actor_name, entry.user_id)
        else:
            person = tr("— (nobody signed in)")
        self.who = _selectable(person)
        self.who.setObjectName("entryWho")
        self.when = _selectable(long_moment(entry.created_at))
        self.when.setObjectName("entryWhen")
        self.when.setToolTip(exact_moment(entry.created_at))
        self.where = _selectable(entry.ip_address or "—")
        self.where.setObjectName("entryWhere")
        self.agent = _selectable(entry.user_agent or "—")
        self.agent.setObjectName("entryUserAgent")
        facts.addRow(tr("Who:"), self.who)
        facts.addRow(tr("When:"), self.when)
        facts.addRow(tr("Workstation:"), self.where)
        facts.addRow(tr("Application:"), self.agent)
        layout.addLayout(facts)

        old = entry.old_values or {}
        new = entry.new_values or {}
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("auditDiff")
        self.table.setHorizontalHeaderLabels([tr("Field"), tr("Before"), tr("After")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setWordWrap(True)
        self.table.setShowGrid(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setItemDelegate(_TintDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(150)
        header.setSectionResizeMode(FIELD, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(BEFORE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(AFTER, QHeaderView.ResizeMode.Stretch)
        self._fill(old, new)
        # A creation has no "before", a deletion no "after": show only the side it has.
        self.table.setColumnHidden(BEFORE, not old and bool(new))
        self.table.setColumnHidden(AFTER, not new and bool(old))
        self.resize(780, min(720, 250 + 34 * max(1, self.table.rowCount())))
        self.empty = QLabel(tr("This entry records no values: the action says it all."))
        self.empty.setObjectName("hint")
        self.empty.setVisible(not old and not new)
        self.table.setVisible(bool(old or new))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        red, green = _swatch(REMOVED_COLOR, tr("red")), _swatch(ADDED_COLOR, tr("green"))
        if old and new:
            key = tr("{0} the value before the change, {1} the value after it.").format(red, green)
        elif new:
            key = tr("{0} the values this entry recorded.").format(green)
        else:
            key = tr("{0} the values as they were before.").format(red)
        legend = QLabel(key)
        legend.setObjectName("hint")
        legend.setVisible(bool(old or new))
        layout.addWidget(legend)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        header.sectionResized.connect(lambda *_a: self._fit_rows())

    def _fit_rows(self) -> None:
        """Long text wraps: row heights follow the columns' widths (once they settle)."""
        QTimer.singleShot(0, self.table, self.table.resizeRowsToContents)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_rows()

    def _fill(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        labels = field_labels()
        fields = ordered_fields(old, new)
        self.table.setRowCount(len(fields))
        for row, field in enumerate(fields):
            name = QTableWidgetItem(field_label(field, labels))
            name.setToolTip(field)
            before = QTableWidgetItem(readable(field, old[field]) if field in old else "")
            after = QTableWidgetItem(readable(field, new[field]) if field in new else "")
            changed = field not in old or field not in new or old[field] != new[field]
            if changed:
                font = QFont(name.font())
                font.setBold(True)
                name.setFont(font)
                if field in old:
                    self._mark(before, REMOVED, REMOVED_COLOR)
                if field in new:
                    self._mark(after, ADDED, ADDED_COLOR)
            for column, item in ((FIELD, name), (BEFORE, before), (AFTER, after)):
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()

    @staticmethod
    def _mark(item: QTableWidgetItem, change: str, color: QColor) -> None:
        item.setData(CHANGE_ROLE, change)
        item.setBackground(QBrush(color))
        item.setForeground(QBrush(MARKED_TEXT))

    def rows(self) -> list[tuple[str, str, str]]:
        """What the table shows, row by row (field, before, after)."""
        shown = []
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c) for c in (FIELD, BEFORE, AFTER)]
            field, before, after = (c.text() if c is not None else "" for c in cells)
            shown.append((field, before, after))
        return shown

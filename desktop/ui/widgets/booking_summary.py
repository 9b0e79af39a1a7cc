"""Every field of a booking, read-only: the details dialog, and the action dialogs' summary."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QWidget

from desktop.domain.records import BookingRow
from desktop.ui.formats import format_money, long_date, long_datetime, nights_text
from desktop.ui.widgets.colors import paint
from desktop.ui.widgets.labels import note_label
from desktop.ui.widgets.status_badge import StatusBadge


def tr(text: str) -> str:
    return QCoreApplication.translate("BookingSummary", text)


SUMMARY_ROWS: tuple[tuple[str, str], ...] = (  # the booking's number is in the dialog's title
    ("customer", "Customer"),
    ("destination", "Destination"),
    ("stay", "Stay"),
    ("guests", "Guests"),
    ("total", "Total"),
    ("status", "Status"),
    ("payment", "Payment"),
    ("reference", "Payment reference"),
    ("requests", "Special requests"),
    ("cancelled", "Cancelled"),
    ("reason", "Cancellation reason"),
    ("created", "Created"),
    ("updated", "Last changed"),
)
COMPACT_ROWS = frozenset(
    {"customer", "destination", "stay", "guests", "total", "status", "payment"}
)


class BookingSummary(QFrame):
    """Every field of a booking, read-only; ``compact`` (framed) shows what an action needs."""

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("bookingSummary")
        self._compact = compact
        self.layout_ = QFormLayout(self)
        if compact:
            self.setStyleSheet(
                "QFrame#bookingSummary { background: palette(base); "
                "border: 1px solid palette(mid); border-radius: 4px; }"
            )
            self.layout_.setContentsMargins(12, 10, 12, 10)
        else:
            self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setHorizontalSpacing(16)
        self.layout_.setVerticalSpacing(7)
        self.layout_.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values: dict[str, QLabel] = {}
        self._rows: dict[str, int] = {}
        for key, caption in SUMMARY_ROWS:
            value: QLabel
            if key in ("status", "payment"):
                value = StatusBadge()
            else:
                value = QLabel()
                value.setWordWrap(key in ("requests", "reason", "customer"))
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                value.setTextFormat(Qt.TextFormat.PlainText)
                if key == "total":
                    paint(value, None, bold=True)
            value.setObjectName("summary" + key.capitalize())
            caption_label = note_label()
            caption_label.setText(tr(caption))
            self._rows[key] = self.layout_.rowCount()
            self.layout_.addRow(caption_label, value)
            self.values[key] = value

    def set_booking(self, booking: BookingRow) -> None:
        nights = (booking.end_date - booking.start_date).days
        texts = {
            "customer": tr("{0}  ·  {1}").format(booking.customer_name, booking.customer_email),
            "destination": booking.destination_name,
            "stay": tr("{0} → {1}  ·  {2}").format(
                long_date(booking.start_date), long_date(booking.end_date), nights_text(nights)
            ),
            "guests": str(booking.guests),
            "total": format_money(booking.total_price),
            "reference": booking.payment_intent_id or tr("—"),
            "requests": booking.special_requests or tr("None"),
            "cancelled": long_datetime(booking.cancelled_at),
            "reason": booking.cancellation_reason or "",
            "created": long_datetime(booking.created_at),
            "updated": long_datetime(booking.updated_at),
        }
        for key, text in texts.items():
            self.values[key].setText(text)
        status = self.values["status"]
        payment = self.values["payment"]
        assert isinstance(status, StatusBadge)  # noqa: S101 - built above
        assert isinstance(payment, StatusBadge)  # noqa: S101
        status.set_status(booking.status)
        payment.set_status(booking.payment_status)
        cancelled = booking.cancelled_at is not None or bool(booking.cancellation_reason)
        for key, row in self._rows.items():
            visible = key in COMPACT_ROWS if self._compact else True
            if key in ("cancelled", "reason"):
                visible = visible and cancelled
            self.layout_.setRowVisible(row, visible)

"""Cancelling a booking, with the reason; a paid booking's refund is recorded afterwards."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from desktop.domain.bookings import ACTIVE_STATUSES
from desktop.domain.enums import BookingStatus, PaymentStatus
from desktop.domain.records import BookingRow
from desktop.domain.validation import TEXT_MAX
from desktop.ui.dialogs.booking_action import NOTE_STYLE, BookingActionDialog
from desktop.ui.session import Session
from desktop.ui.widgets.booking_summary import BookingSummary
from desktop.ui.widgets.forms import set_buddy
from desktop.ui.widgets.labels import note_label, title_label


def tr(text: str) -> str:
    return QCoreApplication.translate("BookingActions", text)


class CancelBookingDialog(BookingActionDialog):
    """Cancel with a reason; a paid booking's refund is recorded afterwards."""

    def __init__(self, session: Session, booking: BookingRow, parent: QWidget | None = None):
        super().__init__(session, booking, parent)
        self.setObjectName("cancelBookingDialog")
        self.setWindowTitle(tr("Cancel booking #{0}").format(booking.id))
        self.setMinimumWidth(520)
        self.layout_.addWidget(title_label(tr("Cancel booking #{0}").format(booking.id)))
        self.summary = BookingSummary(compact=True)
        self.layout_.addWidget(self.summary)
        self.refund_note = QLabel(
            tr(
                "This booking is paid. Cancelling does not refund it: afterwards, record the "
                "refund with Record payment… → Refunded."
            )
        )
        self.refund_note.setObjectName("refundNote")
        self.refund_note.setWordWrap(True)
        self.refund_note.setStyleSheet(NOTE_STYLE)
        self.layout_.addWidget(self.refund_note)
        self.layout_.addLayout(self.form_layout)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("cancellationReason")
        self.reason.setPlaceholderText(
            tr("Why is it cancelled? For example: the customer's request, illness, weather.")
        )
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 4 + 14)
        self.form.add("cancellation_reason", tr("&Reason"), self.reason, required=True)
        set_buddy(self.form_layout, self.reason, self.reason)
        hint = note_label()
        hint.setText(tr("Ctrl+Enter cancels the booking."))
        self.form_layout.addRow("", hint)
        self._finish_layout()
        self.save_button.setText(tr("Cancel &booking"))
        self.save_button.setObjectName("confirmCancel")
        self.cancel_button.setText(tr("&Keep booking"))
        self.cancel_button.setObjectName("keepBooking")
        for sequence in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.activated.connect(self._submit_if_valid)
        QWidget.setTabOrder(self.reason, self.save_button)
        QWidget.setTabOrder(self.save_button, self.cancel_button)
        self._show_booking(booking, reloaded=False)
        self.form.revalidate()
        self.reason.setFocus()

    def _discard_question(self) -> str:
        return tr("Close without cancelling booking #{0}?").format(self.booking.id)

    def _submit_if_valid(self) -> None:
        if self.save_button.isEnabled():
            self._submit()

    def _show_booking(self, booking: BookingRow, *, reloaded: bool) -> None:
        self.summary.set_booking(booking)
        self.refund_note.setVisible(booking.payment_status is PaymentStatus.PAID)
        if booking.status not in ACTIVE_STATUSES:
            self.bar.show_problem(
                tr("This booking is {0}; it can no longer be cancelled.").format(
                    booking.status.value
                )
            )

    def _problems(self) -> Mapping[str, str]:
        problems: dict[str, str] = dict(self._status_problem(tr("cancelled")))
        reason = self.reason.toPlainText().strip()
        if not reason:
            problems["cancellation_reason"] = tr("Type the reason for cancelling.")
        elif len(reason) > TEXT_MAX:
            problems["cancellation_reason"] = tr(
                "{0} characters; at most {1} fit. Shorten it."
            ).format(len(reason), TEXT_MAX)
        return problems

    def _save_work(self) -> Callable[[], BookingRow]:
        reason = self.reason.toPlainText().strip()
        office, actor, booking = self.session.office, self.session.actor, self.booking
        return lambda: office.bookings.cancel(actor, booking.id, booking.version, reason)

    def _landed_test(self) -> Callable[[BookingRow], bool]:
        reason = self.reason.toPlainText().strip()
        return lambda booking: (
            booking.status is BookingStatus.CANCELLED and booking.cancellation_reason == reason
        )

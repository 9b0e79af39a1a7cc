"""Recording a booking's payment: paid, failed or refunded, only as its state allows."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.bookings import PAYMENT_TRANSITIONS
from desktop.domain.enums import BookingStatus, PaymentStatus
from desktop.domain.records import BookingRow
from desktop.domain.validation import PAYMENT_REFERENCE_MAX
from desktop.ui.dialogs.booking_action import NOTE_STYLE, BookingActionDialog
from desktop.ui.formats import format_money
from desktop.ui.session import Session
from desktop.ui.widgets.booking_summary import BookingSummary
from desktop.ui.widgets.colors import MUTED_COLOR, paint
from desktop.ui.widgets.forms import set_buddy
from desktop.ui.widgets.labels import note_label, title_label


def tr(text: str) -> str:
    return QCoreApplication.translate("BookingActions", text)


def payment_targets(booking: BookingRow) -> list[PaymentStatus]:
    """The payment outcomes that may be recorded now, from the one table of transitions."""
    current = booking.payment_status or PaymentStatus.PENDING
    return [
        target
        for target in PaymentStatus
        if booking.status in PAYMENT_TRANSITIONS.get((current, target), frozenset())
    ]


def no_payment_reason(booking: BookingRow) -> str:
    """Why nothing can be recorded, and what to do instead."""
    current = booking.payment_status or PaymentStatus.PENDING
    if current is PaymentStatus.REFUNDED:
        return tr("The payment was refunded; there is nothing more to record.")
    if current is PaymentStatus.PAID and booking.status is not BookingStatus.CANCELLED:
        return tr(
            "This booking is paid. To refund it, cancel the booking first, then record the "
            "refund here."
        )
    if booking.status is BookingStatus.CANCELLED:
        return tr("This booking is cancelled and was never paid; there is no payment to record.")
    return tr("No payment change is possible for a {0} booking whose payment is {1}.").format(
        booking.status.value, current.value
    )


class _Choices(QWidget):
    """Radio buttons as one form field (``changed`` tells the Form)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self._values: dict[QAbstractButton, Any] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 2, 0, 2)
        self._layout.setSpacing(6)
        self.group.buttonToggled.connect(lambda _button, _on: self.changed.emit())

    def set_choices(self, choices: list[tuple[Any, str, str]], keep: Any = None) -> None:
        """(value, text, objectName) for each choice; keeps ``keep`` checked if offered."""
        for button in self.group.buttons():
            self.group.removeButton(button)
            self._layout.removeWidget(button)
            button.deleteLater()
        self._values.clear()
        for value, text, name in choices:
            button = QRadioButton(text)
            button.setObjectName(name)
            self._values[button] = value  # the value itself (a Qt property would be a str)
            self.group.addButton(button)
            self._layout.addWidget(button)
            if value == keep or len(choices) == 1:
                button.setChecked(True)
        buttons = self.group.buttons()
        if buttons:
            self.setFocusProxy(buttons[0])
        self.changed.emit()

    def value(self) -> Any:
        button = self.group.checkedButton()
        return self._values.get(button) if button is not None else None

    def buttons(self) -> list[QRadioButton]:
        return [b for b in self.group.buttons() if isinstance(b, QRadioButton)]


class PaymentDialog(BookingActionDialog):
    """Paid, failed or refunded: only what the booking's state allows, with the reference."""

    def __init__(self, session: Session, booking: BookingRow, parent: QWidget | None = None):
        super().__init__(session, booking, parent)
        self.setObjectName("paymentDialog")
        self.setWindowTitle(tr("Record payment — booking #{0}").format(booking.id))
        self.setMinimumWidth(520)
        self.layout_.addWidget(title_label(tr("Record payment — booking #{0}").format(booking.id)))
        self.summary = BookingSummary(compact=True)
        self.layout_.addWidget(self.summary)
        self.nothing = QLabel()
        self.nothing.setObjectName("noPaymentChange")
        self.nothing.setWordWrap(True)
        self.nothing.setStyleSheet(NOTE_STYLE)
        self.layout_.addWidget(self.nothing)
        self.layout_.addLayout(self.form_layout)
        self.outcome = _Choices()
        self.outcome.setObjectName("paymentOutcome")
        self.reference = QLineEdit()
        self.reference.setObjectName("paymentReference")
        self.reference.setMaxLength(PAYMENT_REFERENCE_MAX)
        self.reference.setPlaceholderText(tr("The receipt, transfer or refund reference"))
        self.form.add("payment_status", tr("What happened"), self.outcome, required=True)
        # Needed for paid and refunded only: the note under it says so.
        self.form.add("payment_intent_id", tr("Payment r&eference"), self.reference, required=False)
        set_buddy(self.form_layout, self.reference, self.reference)
        self.reference_hint = note_label("referenceHint")
        self.form_layout.addRow("", self.reference_hint)
        self.outcome.changed.connect(self._outcome_changed)
        self._finish_layout()
        self.save_button.setText(tr("&Save payment"))
        self.save_button.setObjectName("savePayment")
        self._show_booking(booking, reloaded=False)
        self.form.revalidate()

    def _discard_question(self) -> str:
        return tr("Close without recording the payment of booking #{0}?").format(self.booking.id)

    def _choice_texts(self, booking: BookingRow) -> dict[PaymentStatus, tuple[str, str]]:
        return {
            PaymentStatus.PAID: (
                tr("&Paid — the customer paid {0}").format(format_money(booking.total_price)),
                "paymentPaid",
            ),
            PaymentStatus.FAILED: (tr("&Failed — the payment did not go through"), "paymentFailed"),
            PaymentStatus.REFUNDED: (
                tr("&Refunded — the money went back to the customer"),
                "paymentRefunded",
            ),
        }

    def _show_booking(self, booking: BookingRow, *, reloaded: bool) -> None:
        self.summary.set_booking(booking)
        targets = payment_targets(booking)
        texts = self._choice_texts(booking)
        self.outcome.set_choices(
            [(target, *texts[target]) for target in targets if target in texts],
            keep=self.outcome.value(),
        )
        self.nothing.setText(no_payment_reason(booking) if not targets else "")
        self.nothing.setVisible(not targets)
        for row in range(self.form_layout.rowCount()):
            self.form_layout.setRowVisible(row, bool(targets))
        self.save_button.setVisible(bool(targets))
        self.cancel_button.setText(tr("Cancel") if targets else tr("Close"))
        self._outcome_changed()
        chain: list[QWidget] = [
            *self.outcome.buttons(),
            self.reference,
            self.save_button,
            self.cancel_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        (chain[0] if targets else self.cancel_button).setFocus()

    def _outcome_changed(self) -> None:
        target = self.outcome.value()
        needs_reference = target in (PaymentStatus.PAID, PaymentStatus.REFUNDED)
        self.reference_hint.setText(
            tr("Required for paid and refunded.") if needs_reference or target is None else ""
        )
        paint(self.reference_hint, MUTED_COLOR)

    def _problems(self) -> Mapping[str, str]:
        problems: dict[str, str] = {}
        target = self.outcome.value()
        if target is None:
            problems["payment_status"] = (
                tr("Choose what happened to the payment.")
                if payment_targets(self.booking)
                else no_payment_reason(self.booking)
            )
        if (
            target in (PaymentStatus.PAID, PaymentStatus.REFUNDED)
            and not self.reference.text().strip()
        ):
            problems["payment_intent_id"] = tr(
                "Type the payment reference: the receipt, transfer or refund number."
            )
        return problems

    def _save_work(self) -> Callable[[], BookingRow]:
        target: PaymentStatus = self.outcome.value()
        reference = self.reference.text().strip() or None
        office, actor, booking = self.session.office, self.session.actor, self.booking
        return lambda: office.bookings.record_payment(
            actor, booking.id, booking.version, target, reference
        )

    def _landed_test(self) -> Callable[[BookingRow], bool]:
        target: PaymentStatus = self.outcome.value()
        reference = self.reference.text().strip() or None
        version = self.booking.version  # a repeated failure writes the row all the same
        return lambda booking: (
            booking.payment_status is target
            and booking.version != version
            and (reference is None or booking.payment_intent_id == reference)
        )

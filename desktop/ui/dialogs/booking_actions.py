"""What a clerk does to an existing booking: change the stay, cancel it, record its payment.

Each dialog saves over the version of the booking it was opened with. When another
workstation changes the booking while a dialog is open, the dialog says so at once
and offers to reload it; a stay change refused as stale opens the conflict dialog.
A save whose connection died is checked once the database answers, and the clerk
is told whether it landed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.bookings import ACTIVE_STATUSES, PAYMENT_TRANSITIONS
from desktop.domain.enums import BookingStatus, PaymentStatus
from desktop.domain.errors import (
    BackOfficeError,
    Conflict,
    DatabaseUnavailable,
    NotFound,
)
from desktop.domain.records import BookingRow, DestinationRow
from desktop.domain.validation import PAYMENT_REFERENCE_MAX, TEXT_MAX
from desktop.services.bookings import StayChange
from desktop.ui.dialogs.conflict import Field, show_choice, show_date, show_text
from desktop.ui.errors import describe, show_error
from desktop.ui.ops import run_op
from desktop.ui.session import Session
from desktop.ui.table_model import format_money
from desktop.ui.widgets.booking_widgets import (
    BookingFormDialog,
    BookingSummary,
    ProblemBar,
    StayEditor,
    booking_changes,
    date_range,
    guests_text,
    note_label,
    set_buddy,
    title_label,
    today,
    watch_booking,
)
from desktop.ui.widgets.colors import MUTED_COLOR, paint
from desktop.ui.widgets.forms import Form
from desktop.ui.widgets.record_watch import EditedRecord, OutcomeCheck, RecordWatch

NOTE_STYLE = (
    "QLabel { background: #fef3c7; color: #78350f; border: 1px solid #f59e0b; "
    "border-radius: 4px; padding: 8px; }"
)


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


def _stay_line(booking: BookingRow) -> str:
    return tr("{0}  ·  {1}  ·  now {2}, {3}, {4}").format(
        booking.customer_name,
        booking.destination_name,
        date_range(booking.start_date, booking.end_date),
        guests_text(booking.guests),
        format_money(booking.total_price),
    )


def stay_fields() -> list[Field]:
    """A booking's stay as the conflict dialog shows it; the status for context."""
    return [
        Field("start_date", tr("Start date"), show_date),
        Field("end_date", tr("End date"), show_date),
        Field("guests", tr("Guests"), show_text),
        Field("special_requests", tr("Special requests"), show_text),
        Field("status", tr("Status"), show_choice({}), choosable=False),
    ]


def stay_values(booking: BookingRow) -> dict[str, Any]:
    return {
        "start_date": booking.start_date,
        "end_date": booking.end_date,
        "guests": booking.guests,
        "special_requests": booking.special_requests or None,
        "status": booking.status,
    }


def booking_gone_text(booking_id: int) -> str:
    return tr(
        "Booking #{0} was deleted on another workstation; there is nothing left to save."
    ).format(booking_id)


class BookingActionDialog(BookingFormDialog):
    """What the three dialogs share: the booking, the form, the refusal bar, Reload,
    news of other workstations' changes and the check after a lost connection."""

    booking: BookingRow

    def __init__(self, session: Session, booking: BookingRow, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.session = session
        self.booking = booking
        self._gone = False
        self.watch: RecordWatch | None = None
        self.layout_ = QVBoxLayout(self)
        self.layout_.setSpacing(10)
        self.bar = ProblemBar()
        self.bar.reload_requested.connect(self.reload)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.form_layout = QFormLayout()
        self.form_layout.setHorizontalSpacing(14)
        self.form_layout.setVerticalSpacing(6)
        self.form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form = Form(self.form_layout, self.save_button, self._checked_problems, self)
        self.form.general_message(self.bar.message)
        self.save_check = OutcomeCheck(self)  # after a lost connection: did it land?
        self.save_check.landed.connect(self._landed_after_loss)
        self.save_check.not_landed.connect(self._not_landed_after_loss)
        self.save_check.failed.connect(self._check_failed)
        self._landed: Callable[[BookingRow], bool] = lambda _row: False

    def _finish_layout(self) -> None:
        self.layout_.addWidget(self.bar)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.buttons)
        self.save_button.setDefault(True)  # once in the dialog: Enter saves
        self._start_watching()

    # -- what each dialog provides -------------------------------------------------

    def _problems(self) -> Mapping[str, str]:
        raise NotImplementedError

    def _show_booking(self, booking: BookingRow, *, reloaded: bool) -> None:
        """Show this version of the booking (on open, and after Reload)."""
        raise NotImplementedError

    def _landed_test(self) -> Callable[[BookingRow], bool]:
        """From the form, as it is saved: whether a booking read later holds this save."""
        raise NotImplementedError

    # -- other workstations ----------------------------------------------------------

    def _checked_problems(self) -> Mapping[str, str]:
        problems = dict(self._problems())
        if self._gone:
            problems["record"] = booking_gone_text(self.booking.id)
        if self.save_check.active:
            problems["record"] = tr("Checking whether the last save landed.")
        return problems

    def _start_watching(self) -> None:
        """Hear of other workstations' saves of this booking (when the window listens)."""
        self.watch = watch_booking(
            self, self.session, self.booking.id, lambda: self.booking.version
        )
        if self.watch is not None:
            self.watch.changed_elsewhere.connect(self._changed_elsewhere)
            self.watch.deleted_elsewhere.connect(self._deleted_elsewhere)

    def _changed_elsewhere(self, booking: BookingRow) -> None:
        changes = booking_changes(self.booking, booking)
        self.bar.show_notice(
            tr(
                "Someone else changed booking #{0} just now{1}. Reload to see it as it is now."
            ).format(booking.id, tr(" ({0})").format(", ".join(changes)) if changes else ""),
            reload=True,
        )

    def _deleted_elsewhere(self) -> None:
        self._gone = True
        self.bar.show_notice(booking_gone_text(self.booking.id))
        self.form.revalidate()

    def _hold(self, busy: bool) -> None:
        """Around a save: the watch waits, so the dialog's own save is not news."""
        if self.watch is not None:
            self.watch.saving(busy)

    # -- saving and reloading ------------------------------------------------------

    def _while_saving(self, busy: bool) -> None:
        if busy:
            self._landed = self._landed_test()
            self.bar.clear()
        self._hold(busy)

    def _not_saved(self, exc: BaseException) -> None:
        """Why, inline; what was typed stays until the person chooses to reload."""
        if self._take_refusal(exc):
            pass
        elif isinstance(exc, BackOfficeError):
            self.bar.refusal(exc)
            self._after_conflict(exc)
        else:
            self.bar.show_problem(tr("Nothing was saved. Nothing you typed was lost."))
            show_error(self, exc)

    def _take_refusal(self, exc: BaseException) -> bool:
        """A lost connection: find out whether the save landed. True when handled here."""
        if isinstance(exc, NotFound):
            self._deleted_elsewhere()
            return True
        if not isinstance(exc, DatabaseUnavailable):
            return False
        office, actor, booking_id = self.session.office, self.session.actor, self.booking.id
        self.bar.show_notice(
            tr(
                "The connection was lost while saving; checking whether booking #{0} was "
                "changed… What you typed is kept."
            ).format(booking_id)
        )
        self._hold(True)
        self.save_check.start(lambda: office.bookings.get(actor, booking_id), self._landed)
        self.form.revalidate()
        return True

    def _landed_after_loss(self, booking: BookingRow) -> None:
        """The save did land: the list hears of it, and the dialog says so and stays."""
        self._hold(False)
        self.booking = booking
        self._show_booking(booking, reloaded=True)
        self.bar.show_problem(
            tr("It was saved: booking #{0} holds your change.").format(booking.id), error=False
        )
        self.save_button.setVisible(False)
        self.cancel_button.setText(tr("Close"))
        self.cancel_button.setDefault(True)
        self.form.revalidate()
        self.saved.emit(booking)

    def _not_landed_after_loss(self, _booking: BookingRow) -> None:
        self._hold(False)
        self.form.revalidate()
        self.bar.show_problem(
            tr("It was not saved. What you typed is still here: press {0} again.").format(
                self.save_button.text().replace("&", "")
            )
        )

    def _check_failed(self, exc: BaseException) -> None:
        self._hold(False)
        self.form.revalidate()
        if isinstance(exc, NotFound):
            self._deleted_elsewhere()
        else:
            self.bar.show_problem(describe(exc)[1])

    def _after_conflict(self, exc: BackOfficeError) -> None:
        """A hook: the stay dialog looks at availability again after an overlap."""

    def reload(self) -> None:
        """Fetch the booking as it is now and show it (what was typed gives way)."""
        office, actor, booking_id = self.session.office, self.session.actor, self.booking.id
        self.bar.reload_button.setEnabled(False)

        def done(booking: BookingRow) -> None:
            self.bar.reload_button.setEnabled(True)
            self.booking = booking
            self.bar.show_problem(
                tr("Reloaded: this is booking #{0} as it is now.").format(booking.id),
                error=False,
            )
            self._show_booking(booking, reloaded=True)
            self.form.revalidate()

        def failed(exc: BaseException) -> None:
            self.bar.reload_button.setEnabled(True)
            self.bar.refusal(exc)
            self.bar.reload_button.setVisible(True)

        run_op(lambda: office.bookings.get(actor, booking_id), done, parent=self, on_failed=failed)

    def _status_problem(self, verb: str) -> dict[str, str]:
        if self.booking.status in ACTIVE_STATUSES:
            return {}
        return {
            "status": tr("A {0} booking cannot be {1}.").format(self.booking.status.value, verb)
        }


class ChangeStayDialog(BookingActionDialog):
    """New dates, guests or requests; the price follows the destination's current price."""

    def __init__(self, session: Session, booking: BookingRow, parent: QWidget | None = None):
        super().__init__(session, booking, parent)
        self.setObjectName("changeStayDialog")
        self.setWindowTitle(tr("Change booking #{0}").format(booking.id))
        self.setMinimumWidth(600)
        self.title = title_label(tr("Change booking #{0}").format(booking.id))
        self.layout_.addWidget(self.title)
        self.current = note_label("currentStay")
        self.current.setWordWrap(True)
        self.layout_.addWidget(self.current)
        self.layout_.addLayout(self.form_layout)
        self.stay = StayEditor(
            session,
            self,
            except_booking_id=booking.id,
            total_label=tr("New total"),
            no_destination_text=tr("Loading the destination's current price…"),
        )
        self.previous_total = note_label("previousTotal")
        total_layout = self.stay.total_row.layout()
        if isinstance(total_layout, QHBoxLayout):
            total_layout.insertWidget(2, self.previous_total)  # before the stretch
        self.stay.add_rows(self.form, self.form_layout)
        self.stay.changed.connect(self._show_difference)
        self.record = EditedRecord(
            self,
            table="bookings",
            noun=tr("booking"),
            fields=stay_fields(),
            bar=self.bar,
            fetch=lambda ident: session.office.bookings.get(session.actor, ident),
            row_values=stay_values,
            form_values=self.form_values,
            fill=self._fill_values,
            adopt=self._adopt,
            row=booking,
            connect_bar=False,  # Reload is the dialog's own (it says what it shows)
        )
        self.bar.compare_requested.connect(self.record.compare)
        self.record.state_changed.connect(self.form.revalidate)
        self.record.reloaded.connect(self._reloaded)
        self.record.saved_after_loss.connect(self._saved_after_loss)
        self._finish_layout()
        self.save_button.setText(tr("&Save changes"))
        self.save_button.setObjectName("saveChanges")
        chain: list[QWidget] = [
            *self.stay.tab_chain(),
            self.bar.reload_button,
            self.bar.compare_button,
            self.save_button,
            self.cancel_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self._show_booking(booking, reloaded=False)
        self.form.touch_all()  # a stay already under way says at once why it cannot change
        self.form.revalidate()
        self.stay.start_date.setFocus()
        self._load_destination()

    def _show_booking(self, booking: BookingRow, *, reloaded: bool) -> None:
        self.current.setText(_stay_line(booking))
        self.stay.set_earliest(min(today(), booking.start_date))
        self.stay.fill(
            booking.start_date, booking.end_date, booking.guests, booking.special_requests
        )
        self._show_difference()

    # -- the booking as others change it -------------------------------------------

    def form_values(self) -> dict[str, Any]:
        start, end, guests, requests = self.stay.stay()
        return {
            "start_date": start,
            "end_date": end,
            "guests": guests,
            "special_requests": requests.strip() or None,
            "status": self.booking.status,
        }

    def _fill_values(self, values: Mapping[str, Any]) -> None:
        self.stay.fill(
            values["start_date"], values["end_date"], values["guests"], values["special_requests"]
        )
        self._show_difference()

    def _adopt(self, booking: BookingRow) -> None:
        """The stay's edits are over this version now."""
        self.booking = booking
        self.current.setText(_stay_line(booking))
        self._show_difference()
        self.form.revalidate()

    def _start_watching(self) -> None:
        self.record.start_watching()

    def _hold(self, busy: bool) -> None:
        self.record.saving(busy)

    def _saved(self, booking: BookingRow) -> None:
        self.record.saved(booking)
        super()._saved(booking)

    def _take_refusal(self, exc: BaseException) -> bool:
        return self.record.refused(exc, resave=self._submit)

    def _saved_after_loss(self, booking: BookingRow) -> None:
        """The change whose connection died did land: say so, tell the list, stay open."""
        self.bar.show_problem(
            tr("It was saved: booking #{0} holds your change.").format(booking.id), error=False
        )
        self.save_button.setVisible(False)
        self.cancel_button.setText(tr("Close"))
        self.cancel_button.setDefault(True)
        self.saved.emit(booking)

    def reload(self) -> None:
        self.record.reload()

    def _reloaded(self, booking: BookingRow) -> None:
        self.bar.show_problem(
            tr("Reloaded: this is booking #{0} as it is now.").format(booking.id), error=False
        )
        self.stay.hint.refresh()
        self.form.revalidate()

    def _landed_test(self) -> Callable[[BookingRow], bool]:
        return lambda _booking: False  # the EditedRecord compares the stay itself

    def _load_destination(self) -> None:
        office, actor = self.session.office, self.session.actor
        destination_id = self.booking.destination_id

        def done(destination: DestinationRow) -> None:
            self.stay.set_destination(destination, propose_end=False)
            if not destination.active:
                self.bar.show_problem(
                    tr("{0} is no longer open for booking, so this stay cannot be changed.").format(
                        destination.name
                    )
                )
            self.form.revalidate()

        def failed(exc: BaseException) -> None:
            self.stay.breakdown.setText("")
            self.bar.refusal(exc)

        run_op(
            lambda: office.destinations.get(actor, destination_id),
            done,
            parent=self,
            on_failed=failed,
        )

    def _show_difference(self) -> None:
        destination = self.stay.destination
        if destination is None:
            self.previous_total.setText("")
            return
        self.previous_total.setText(tr("(was {0})").format(format_money(self.booking.total_price)))

    def _problems(self) -> Mapping[str, str]:
        problems: dict[str, str] = dict(self._status_problem(tr("changed")))
        problems.update(self.record.problems())
        if self.stay.destination is None:
            problems["destination"] = tr("The destination's price is still loading.")
        problems.update(self.stay.problems())
        return problems

    def _work(self) -> Callable[[], BookingRow]:
        start, end, guests, requests = self.stay.stay()
        change = StayChange(start, end, guests, requests.strip() or None)
        office, actor, booking = self.session.office, self.session.actor, self.booking
        return lambda: office.bookings.change_stay(actor, booking.id, booking.version, change)

    def _after_conflict(self, exc: BackOfficeError) -> None:
        if isinstance(exc, Conflict):
            self.stay.hint.refresh()


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
        self.form.add("cancellation_reason", tr("&Reason"), self.reason)
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

    def _work(self) -> Callable[[], BookingRow]:
        reason = self.reason.toPlainText().strip()
        office, actor, booking = self.session.office, self.session.actor, self.booking
        return lambda: office.bookings.cancel(actor, booking.id, booking.version, reason)

    def _landed_test(self) -> Callable[[BookingRow], bool]:
        reason = self.reason.toPlainText().strip()
        return lambda booking: (
            booking.status is BookingStatus.CANCELLED and booking.cancellation_reason == reason
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
        self.form.add("payment_status", tr("What happened"), self.outcome)
        self.form.add("payment_intent_id", tr("Payment r&eference"), self.reference)
        set_buddy(self.form_layout, self.reference, self.reference)
        self.reference_hint = note_label("referenceHint")
        self.form_layout.addRow("", self.reference_hint)
        self.outcome.changed.connect(self._outcome_changed)
        self._finish_layout()
        self.save_button.setText(tr("&Save payment"))
        self.save_button.setObjectName("savePayment")
        self._show_booking(booking, reloaded=False)
        self.form.revalidate()

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

    def _work(self) -> Callable[[], BookingRow]:
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

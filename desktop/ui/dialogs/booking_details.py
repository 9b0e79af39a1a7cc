"""One booking, every field, and the actions its status allows.

Nothing is typed here, so when another workstation changes the booking the
details show the new version at once and say so. A confirm or complete whose
connection died is checked once the database answers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.bookings import ACTIVE_STATUSES
from desktop.domain.enums import BookingStatus
from desktop.domain.errors import BackOfficeError, DatabaseUnavailable, NotFound
from desktop.domain.permissions import Permission
from desktop.domain.records import BookingRow
from desktop.ui.dates import today
from desktop.ui.dialogs import open_dialog
from desktop.ui.dialogs.booking_action import BookingActionDialog, completion_blocker
from desktop.ui.dialogs.booking_watch import booking_changes, watch_booking
from desktop.ui.dialogs.cancel_booking import CancelBookingDialog
from desktop.ui.dialogs.change_stay import ChangeStayDialog
from desktop.ui.dialogs.fitting_dialog import FittingDialog
from desktop.ui.dialogs.payment import PaymentDialog, payment_targets
from desktop.ui.errors import describe, show_error
from desktop.ui.ops import run_op
from desktop.ui.resources import icon
from desktop.ui.session import Session
from desktop.ui.widgets.booking_summary import BookingSummary
from desktop.ui.widgets.labels import note_label, title_label
from desktop.ui.widgets.record_bar import ProblemBar
from desktop.ui.widgets.record_watch import OutcomeCheck


def tr(text: str) -> str:
    return QCoreApplication.translate("BookingDetails", text)


class BookingDetailsDialog(FittingDialog):
    """Read-only details; the buttons open the action dialogs or confirm and complete."""

    saved = Signal(object)  # the updated BookingRow, after each action

    def __init__(self, session: Session, booking: BookingRow, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.booking = booking
        self.action_dialog: QDialog | None = None
        self._working = False
        self._gone = False
        self.setObjectName("bookingDetailsDialog")
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        self.title = title_label("")
        layout.addWidget(self.title)
        self.subtitle = note_label("bookingSubtitle")
        layout.addWidget(self.subtitle)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)
        self.summary = BookingSummary()
        layout.addWidget(self.summary)
        layout.addSpacing(4)

        self.actions_box = QWidget()
        self.actions_box.setObjectName("bookingActions")
        actions = QHBoxLayout(self.actions_box)
        actions.setContentsMargins(0, 0, 0, 0)
        actions.setSpacing(6)
        self.confirm_button = self._action(tr("&Confirm"), "confirmBooking", "confirm")
        self.change_button = self._action(tr("Change &dates or guests…"), "changeBooking", "edit")
        self.cancel_button = self._action(tr("C&ancel booking…"), "cancelBooking", "cancel")
        self.complete_button = self._action(tr("Co&mplete"), "completeBooking", "complete")
        self.payment_button = self._action(tr("Record &payment…"), "recordPayment", "payment")
        for button in self.action_buttons():
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addWidget(self.actions_box)
        self.actions_note = note_label("actionsNote")
        self.actions_note.setWordWrap(True)
        layout.addWidget(self.actions_note)
        self.bar = ProblemBar()
        self.bar.reload_requested.connect(self.reload)
        layout.addWidget(self.bar)
        layout.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("closeDetails")
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.close_button.setDefault(True)  # once in the dialog: Enter never confirms

        self.confirm_button.clicked.connect(self.confirm)
        self.complete_button.clicked.connect(self.complete)
        self.change_button.clicked.connect(lambda: self._open(ChangeStayDialog))
        self.cancel_button.clicked.connect(lambda: self._open(CancelBookingDialog))
        self.payment_button.clicked.connect(lambda: self._open(PaymentDialog))
        chain = [*self.action_buttons(), self.bar.reload_button, self.close_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self._show(booking)
        self.close_button.setFocus()  # Enter must not confirm or complete by accident
        self.save_check = OutcomeCheck(self)  # after a lost connection: did it land?
        self.save_check.landed.connect(self._landed_after_loss)
        self.save_check.not_landed.connect(self._not_landed_after_loss)
        self.save_check.failed.connect(self._check_failed)
        self._target = BookingStatus.PENDING
        self.watch = watch_booking(self, session, booking.id, lambda: self.booking.version)
        if self.watch is not None:
            self.watch.changed_elsewhere.connect(self._changed_elsewhere)
            self.watch.deleted_elsewhere.connect(self._deleted_elsewhere)

    def _action(self, text: str, name: str, icon_name: str) -> QPushButton:
        button = QPushButton(icon(icon_name), text)
        button.setObjectName(name)
        return button

    def action_buttons(self) -> list[QPushButton]:
        return [
            self.confirm_button,
            self.change_button,
            self.cancel_button,
            self.complete_button,
            self.payment_button,
        ]

    # -- showing ---------------------------------------------------------------------

    def _show(self, booking: BookingRow) -> None:
        self.booking = booking
        self.setWindowTitle(tr("Booking #{0}").format(booking.id))
        self.title.setText(tr("Booking #{0}").format(booking.id))
        self.subtitle.setText(
            tr("{0}  ·  {1}").format(booking.customer_name, booking.destination_name)
        )
        self.summary.set_booking(booking)
        self._update_actions()

    def _update_actions(self) -> None:
        booking = self.booking
        manage = self.session.can(Permission.MANAGE_BOOKINGS)
        active = booking.status in ACTIVE_STATUSES
        allowed = {
            self.confirm_button: booking.status is BookingStatus.PENDING,
            self.change_button: active,
            self.cancel_button: active,
            self.complete_button: booking.status is BookingStatus.CONFIRMED,
            self.payment_button: bool(payment_targets(booking)),
        }
        for button, ok in allowed.items():
            button.setVisible(manage and ok and not self._gone)
            button.setEnabled(not self._working)
        # Shown for a confirmed booking; off, saying why, until its stay has ended.
        not_yet = completion_blocker(booking, today())
        if not_yet:
            self.complete_button.setEnabled(False)
        self.complete_button.setToolTip(
            not_yet or tr("Mark the stay as done: the customer has travelled.")
        )
        any_action = manage and any(allowed.values())
        self.actions_box.setVisible(any_action)
        if not manage:
            note = tr("Your role can look at bookings but not change them.")
        elif not any_action:
            note = tr("Nothing more to do: this booking is {0}.").format(booking.status.value)
        else:
            note = ""
        self.actions_note.setText(note)
        self.actions_note.setVisible(bool(note))

    # -- actions ---------------------------------------------------------------------

    def confirm(self) -> None:
        office, actor, booking = self.session.office, self.session.actor, self.booking
        self._run(
            lambda: office.bookings.confirm(actor, booking.id, booking.version),
            BookingStatus.CONFIRMED,
        )

    def complete(self) -> None:
        office, actor, booking = self.session.office, self.session.actor, self.booking
        self._run(
            lambda: office.bookings.complete(actor, booking.id, booking.version),
            BookingStatus.COMPLETED,
        )

    def _run(self, work: Callable[[], BookingRow], target: BookingStatus) -> None:
        if self._working:
            return
        self._working = True
        self._target = target
        self.bar.clear()
        self._update_actions()
        self._hold(True)
        run_op(work, self._done, parent=self, on_failed=self._failed, busy=True)

    def _hold(self, busy: bool) -> None:
        """Around an action: the watch waits, so the dialog's own save is not news."""
        if self.watch is not None:
            self.watch.saving(busy)

    def _done(self, booking: BookingRow) -> None:
        self._working = False
        self._hold(False)
        self.updated(booking)

    def _failed(self, exc: BaseException) -> None:
        self._working = False
        self._hold(False)
        if isinstance(exc, DatabaseUnavailable):
            self._check_outcome()
            return
        if isinstance(exc, NotFound):
            self._deleted_elsewhere()
            return
        self._update_actions()
        if isinstance(exc, BackOfficeError):
            self.bar.refusal(exc)
        else:
            self.bar.show_problem(tr("Nothing was changed."))
            show_error(self, exc)

    # -- a lost connection, other workstations ---------------------------------------

    def _check_outcome(self) -> None:
        """Once the database answers: is the booking in the state the action moved it to?"""
        office, actor, booking_id = self.session.office, self.session.actor, self.booking.id
        target = self._target
        self._working = True  # the actions wait for the answer
        self._update_actions()
        self._hold(True)
        self.bar.show_notice(
            tr(
                "The connection was lost while saving; checking whether booking #{0} is {1}…"
            ).format(booking_id, target.value)
        )
        self.save_check.start(
            lambda: office.bookings.get(actor, booking_id),
            lambda booking: booking.status is target,
        )

    def _landed_after_loss(self, booking: BookingRow) -> None:
        self._working = False
        self._hold(False)
        self.updated(booking)
        self.bar.show_problem(
            tr("It was saved: booking #{0} is {1}.").format(booking.id, booking.status.value),
            error=False,
        )

    def _not_landed_after_loss(self, booking: BookingRow) -> None:
        self._working = False
        self._hold(False)
        self._show(booking)
        self.bar.show_problem(
            tr("It was not saved: booking #{0} is still {1}. Try again.").format(
                booking.id, booking.status.value
            )
        )

    def _check_failed(self, exc: BaseException) -> None:
        self._working = False
        self._hold(False)
        if isinstance(exc, NotFound):
            self._deleted_elsewhere()
            return
        self._update_actions()
        self.bar.show_problem(describe(exc)[1])

    def _changed_elsewhere(self, booking: BookingRow) -> None:
        """Nothing is typed here: show the new version at once, and say what changed."""
        changes = booking_changes(self.booking, booking)
        self._show(booking)
        self.bar.show_notice(
            tr("Someone else changed this booking just now{0}; this is it as it is now.").format(
                tr(" ({0})").format(", ".join(changes)) if changes else ""
            )
        )

    def _deleted_elsewhere(self) -> None:
        self._gone = True
        self._update_actions()
        self.bar.show_notice(
            tr("Booking #{0} was deleted on another workstation.").format(self.booking.id)
        )

    def _open(self, dialog_class: type[BookingActionDialog]) -> None:
        dialog = dialog_class(self.session, self.booking, self)
        dialog.saved.connect(self.updated)
        self.action_dialog = dialog
        open_dialog(dialog)

    def updated(self, booking: BookingRow) -> None:
        """An action saved: show the new row and tell the list."""
        self.bar.clear()
        self._show(booking)
        self.saved.emit(booking)

    def reload(self) -> None:
        office, actor, booking_id = self.session.office, self.session.actor, self.booking.id

        def done(booking: BookingRow) -> None:
            self.updated(booking)
            self.bar.show_problem(
                tr("Reloaded: this is booking #{0} as it is now.").format(booking.id),
                error=False,
            )

        run_op(
            lambda: office.bookings.get(actor, booking_id),
            done,
            parent=self,
            on_failed=self.bar.refusal,
        )

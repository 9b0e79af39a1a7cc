"""What a clerk's action on an existing booking shares: the booking, the form, the line
under it, Reload, news of other workstations' changes and the check after a lost connection.

Each dialog saves over the version of the booking it was opened with (as every
dialog saves: ``FormDialog``). When another workstation changes the booking
while a dialog is open, the dialog says so at once and offers to reload it. A
save whose connection died is checked once the database answers, and the clerk
is told whether it landed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QVBoxLayout, QWidget

from desktop.domain.bookings import ACTIVE_STATUSES
from desktop.domain.enums import BookingStatus
from desktop.domain.errors import BackOfficeError, DatabaseUnavailable, NotFound
from desktop.domain.records import BookingRow
from desktop.ui.dialogs.booking_watch import booking_changes, watch_booking
from desktop.ui.dialogs.form_dialog import FormDialog
from desktop.ui.errors import describe, show_error
from desktop.ui.formats import long_date
from desktop.ui.ops import run_op
from desktop.ui.session import Session
from desktop.ui.widgets.forms import Form
from desktop.ui.widgets.record_bar import ProblemBar
from desktop.ui.widgets.record_watch import OutcomeCheck, RecordWatch

NOTE_STYLE = (  # a note that asks for attention (a paid booking, nothing to record)
    "QLabel { background: #fef3c7; color: #78350f; border: 1px solid #f59e0b; "
    "border-radius: 4px; padding: 8px; }"
)


def tr(text: str) -> str:
    return QCoreApplication.translate("BookingActions", text)


def booking_gone_text(booking_id: int) -> str:
    return tr(
        "Booking #{0} was deleted on another workstation; there is nothing left to save."
    ).format(booking_id)


def confirm_blocker(booking: BookingRow) -> str:
    """Why the booking cannot be confirmed ("" when it can)."""
    if booking.status is BookingStatus.PENDING:
        return ""
    return tr("Only a pending booking can be confirmed; booking #{0} is {1}.").format(
        booking.id, booking.status.value
    )


def change_blocker(booking: BookingRow) -> str:
    """Why the booking's stay cannot be changed, nor the booking cancelled ("" when it can)."""
    if booking.status in ACTIVE_STATUSES:
        return ""
    return tr("Booking #{0} is {1}: it can no longer be changed or cancelled.").format(
        booking.id, booking.status.value
    )


def review_blocker(booking: BookingRow) -> str:
    """Why no review can be recorded for the booking ("" when one can): stays are reviewed
    once they are completed."""
    if booking.status is BookingStatus.COMPLETED:
        return ""
    return tr("Only a completed stay can be reviewed; booking #{0} is {1}.").format(
        booking.id, booking.status.value
    )


def completion_blocker(booking: BookingRow, today: date) -> str:
    """Why the booking cannot be completed today ("" when it can): the service's rule."""
    if booking.status is not BookingStatus.CONFIRMED:
        return tr("Only a confirmed booking can be completed; booking #{0} is {1}.").format(
            booking.id, booking.status.value
        )
    if today < booking.end_date:
        return tr("Booking #{0} can be completed from its end date, {1}, on.").format(
            booking.id, long_date(booking.end_date)
        )
    return ""


class BookingActionDialog(FormDialog[BookingRow]):
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

    def _took(self, booking: BookingRow) -> None:
        self.booking = booking
        super()._took(booking)

    def _not_saved(self, exc: BaseException) -> None:
        """Why, inline; what was typed stays until the person chooses to reload."""
        if isinstance(exc, BackOfficeError):
            self.bar.refusal(exc)
            self._after_conflict(exc)
        else:
            self.bar.show_problem(tr("Nothing was saved. Nothing you typed was lost."))
            show_error(self, exc)

    def _refusal_taken(self, exc: BaseException) -> bool:
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

    def _clear_refusal(self) -> None:
        self.bar.clear()

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

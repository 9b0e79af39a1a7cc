"""An open booking and the other workstations: the watch on it, and what changed, in words."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog

from desktop.domain.records import BookingRow
from desktop.ui.formats import date_range, format_money, guests_text
from desktop.ui.live import current_live
from desktop.ui.session import Session
from desktop.ui.widgets.record_watch import RecordWatch


def tr(text: str) -> str:
    return QCoreApplication.translate("BookingWatch", text)


def watch_booking(
    owner: QDialog, session: Session, booking_id: int, version: Callable[[], str | None]
) -> RecordWatch | None:
    """Hear of other workstations' saves of one booking (None: the window does not listen).

    ``version`` is the version the dialog shows now: its own saves are no news.
    """
    live = current_live(owner)
    if live is None:
        return None
    office, actor = session.office, session.actor
    return RecordWatch(
        live,
        "bookings",
        booking_id,
        lambda: office.bookings.get(actor, booking_id),
        version,
        parent=owner,
    )


def booking_changes(before: BookingRow, after: BookingRow) -> list[str]:
    """What differs between two versions of a booking, in a few words each."""
    changes: list[str] = []
    if after.status != before.status:
        changes.append(tr("now {0}").format(after.status.value))
    if after.payment_status != before.payment_status and after.payment_status is not None:
        changes.append(tr("payment {0}").format(after.payment_status.value))
    if (after.start_date, after.end_date) != (before.start_date, before.end_date):
        changes.append(tr("dates {0}").format(date_range(after.start_date, after.end_date)))
    if after.guests != before.guests:
        changes.append(guests_text(after.guests))
    if after.total_price != before.total_price:
        changes.append(tr("total {0}").format(format_money(after.total_price)))
    if after.special_requests != before.special_requests:
        changes.append(tr("special requests"))
    if after.payment_intent_id != before.payment_intent_id:
        changes.append(tr("payment reference"))
    return changes

"""What the audit trail records: the actions and resources this application writes.

One list for the services (which may record nothing else) and for the audit
log's filters (which accept these, or what other clients of the database have
recorded).
"""

from __future__ import annotations

AUDIT_ACTIONS = frozenset(
    {
        "auth.sign_in",
        "auth.sign_in_failed",
        "auth.sign_in_throttled",
        "booking.create",
        "booking.change",
        "booking.confirm",
        "booking.cancel",
        "booking.complete",
        "booking.payment",
        "customer.create",
        "customer.update",
        "destination.create",
        "destination.update",
        "destination.activate",
        "destination.deactivate",
        "destination.delete",
        "image.store",
        "review.create",
        "review.delete",
        "review.helpful",
        "staff.create",
        "staff.create_first_admin",
        "staff.update",
        "staff.password_change",
        "staff.password_reset",
    }
)

RESOURCE_TYPES = frozenset({"booking", "destination", "user", "review", "image"})

# The columns' width (VARCHAR(100)): a longer filter value cannot match any entry.
ACTION_MAX = 100
RESOURCE_TYPE_MAX = 100

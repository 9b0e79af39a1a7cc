"""Every action the services record reads in words, and the words name nothing else.

The services may record only ``AUDIT_ACTIONS`` (the domain's list); the window says
each in words (``ACTION_LABELS``). Two lists in two layers drift apart unless a
test holds them together: an action added to the services without words would
show as its code, and words kept for an action no service records any more would
offer a filter that never matches.
"""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import desktop.services
from desktop.domain.audit import AUDIT_ACTIONS
from desktop.domain.audit import RESOURCE_TYPES as RECORDED_RESOURCES
from desktop.domain.records import AuditRow
from desktop.ui.dialogs.audit_entry import ACTION_LABELS, RESOURCE_TYPES, AuditEntryDialog

# An action code as the services write it: "booking.cancel", "staff.password_reset".
ACTION_SHAPE = re.compile(r"^[a-z]+\.[a-z_]+$")


def _actions_in_the_services() -> set[str]:
    """Every action code the services' source holds: what ``ServiceContext.record`` is
    given, directly or through a table of them (``BookingService._move``)."""
    folder = Path(desktop.services.__file__).parent
    found: set[str] = set()
    for source in folder.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and ACTION_SHAPE.match(text):
                found.add(text)
    return found


def test_every_recorded_action_has_words_and_nothing_else_is_listed() -> None:
    recorded = _actions_in_the_services()
    assert recorded == AUDIT_ACTIONS, (
        f"recorded but not listed: {sorted(recorded - AUDIT_ACTIONS)}; "
        f"listed but never recorded: {sorted(AUDIT_ACTIONS - recorded)}"
    )
    assert set(ACTION_LABELS) == AUDIT_ACTIONS, (
        f"no words for: {sorted(AUDIT_ACTIONS - set(ACTION_LABELS))}; "
        f"words for what is never recorded: {sorted(set(ACTION_LABELS) - AUDIT_ACTIONS)}"
    )
    assert {code for code, _plural, _one in RESOURCE_TYPES} == RECORDED_RESOURCES
    assert len(set(ACTION_LABELS.values())) == len(ACTION_LABELS), "two actions, one wording"


def test_an_entry_of_every_action_says_it_in_words(qtbot: QtBot) -> None:
    for number, action in enumerate(sorted(AUDIT_ACTIONS), start=1):
        resource = action.split(".")[0]
        entry = AuditRow(
            id=number,
            user_id=1,
            actor_name="Ada Admin",
            action=action,
            resource_type="user" if resource in ("auth", "customer", "staff") else resource,
            resource_id=7,
            old_values=None,
            new_values=None,
            ip_address="10.0.0.1",
            user_agent="ExoticTravelBackOffice/test",
            created_at=datetime(2026, 12, 8, 12, 55, tzinfo=UTC),
        )
        dialog = AuditEntryDialog(entry)
        qtbot.addWidget(dialog)
        heading = dialog.heading.text()
        assert heading.startswith(ACTION_LABELS[action]), heading
        assert action not in heading, f"{action} shows as its code"
        assert action not in dialog.windowTitle()
        dialog.close()
    QApplication.processEvents()

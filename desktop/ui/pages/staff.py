"""The Staff page: the accounts that sign in (administrators only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget

from desktop.domain.enums import Role
from desktop.domain.listing import Page, PageRequest, PersonFilter, RowCount
from desktop.domain.permissions import ROLE_LABELS, STAFF_ROLES, Permission
from desktop.domain.records import PersonRow
from desktop.ui.dialogs import open_dialog
from desktop.ui.pages.base import tr
from desktop.ui.pages.people import PeoplePage
from desktop.ui.resources import icon
from desktop.ui.session import Session
from desktop.ui.table_model import Column, ColumnKind

K = ColumnKind


def role_label(role: Role) -> str:
    return tr(ROLE_LABELS[role])


@dataclass(frozen=True)
class RoleBadge:
    """A role as the badge draws it: coloured by its code, labelled in words."""

    value: str  # the badge colour's key ("admin", "moderator", "agent")
    label: str

    def __str__(self) -> str:
        return self.label


def role_badge(person: PersonRow) -> RoleBadge:
    return RoleBadge(person.role.value, role_label(person.role))


class StaffPage(PeoplePage):
    title = "Staff"
    list_name = "staff"
    icon_name = "staff"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        # ListView enables sorting (which sorts by column 0, descending) before it shows
        # the model's default sort, so a list sorted by its first column comes out
        # backwards. Put the default back unless a remembered layout chose the order.
        if not getattr(self.view, "_restored", True) and self.model.sort_order != (
            wanted := self.default_sort()
        ):
            keys = [c.key for c in self.model.columns]
            order = (
                Qt.SortOrder.DescendingOrder if wanted.descending else Qt.SortOrder.AscendingOrder
            )
            self.view.horizontalHeader().setSortIndicator(keys.index(wanted.column), order)

    def columns(self) -> Sequence[Column[PersonRow]]:
        return [
            Column("name", tr("Name"), lambda p: p.name),
            Column("email", tr("E-mail"), lambda p: p.email),
            Column("phone", tr("Phone"), lambda p: p.phone),
            Column("role", tr("Role"), role_badge, K.BADGE),
            Column("created_at", tr("Created"), lambda p: p.created_at, K.DATETIME),
        ]

    def nouns(self) -> tuple[str, str]:
        return tr("staff member"), tr("staff members")

    def build_filters(self) -> None:
        self.role = QComboBox()
        self.role.setObjectName("roleFilter")
        self.role.addItem(tr("All roles"), None)
        for role in STAFF_ROLES:
            self.role.addItem(role_label(role), role.value)
        self.add_filter(self.role)

    def build_actions(self) -> None:
        allowed = self.session.can(Permission.MANAGE_STAFF)
        self.add_record_actions(
            "Staff",
            tr("&New staff member…"),
            self.new_member,
            can_manage=allowed,
            new_icon="add",
            can_open=False,  # the page is for administrators alone
        )
        self.reset_action = self.add_action(
            tr("&Reset password…"),
            self.reset_password,
            icon=icon("reset-password"),
            needs_row=True,
            name="resetPassword",
        )
        self.reset_action.setVisible(allowed)
        self.update_actions()

    def update_actions(self) -> None:
        has_row = self.selected() is not None
        self.edit_action.setEnabled(has_row)
        self.reset_action.setEnabled(has_row)

    def current_filter(self) -> PersonFilter:
        role = self.role.currentData()
        return PersonFilter(
            roles=frozenset({Role(role)}) if role else frozenset(),
            text=self.search.text().strip(),
        )

    def fetch_page(self, f: PersonFilter, request: PageRequest) -> Page[PersonRow]:
        return self.session.office.staff.page(self.session.actor, f, request)

    def count_rows(self, f: PersonFilter) -> RowCount:
        return self.session.office.staff.count(self.session.actor, f)

    # -- actions -------------------------------------------------------------------

    def open_row(self, row: PersonRow) -> None:
        if not self.session.can(Permission.MANAGE_STAFF):
            return
        from desktop.ui.dialogs.staff_editor import StaffEditor

        editor = StaffEditor(self.session, row, self)
        editor.saved.connect(self.row_saved)
        open_dialog(editor)

    def new_member(self) -> None:
        from desktop.ui.dialogs.staff_editor import StaffEditor

        editor = StaffEditor(self.session, None, self)
        editor.saved.connect(lambda row: self.reload_selecting(row.id))
        open_dialog(editor)

    def reset_password(self) -> None:
        row = self.selected()
        if row is None:
            return
        from desktop.ui.dialogs.staff_editor import ResetPasswordDialog

        dialog = ResetPasswordDialog(self.session, row, self)
        # A new password changes the row's version: read it again before the next edit.
        dialog.saved.connect(lambda person: self.reload_selecting(person.id))
        open_dialog(dialog)

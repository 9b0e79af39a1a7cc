"""The Audit log page: who changed what, when and from where (administrators, moderators)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QLabel, QWidget

from desktop.domain.listing import (
    AuditFilter,
    Page,
    PageRequest,
    PersonFilter,
    RowCount,
    Sort,
)
from desktop.domain.permissions import Permission
from desktop.domain.records import AuditRow, PersonRow
from desktop.ui.dates import pydate
from desktop.ui.dialogs import open_dialog
from desktop.ui.dialogs.audit_entry import action_label, resource_label, resource_types
from desktop.ui.pages.base import ListPage, tr
from desktop.ui.resources import icon
from desktop.ui.session import Session
from desktop.ui.table_model import Column, ColumnKind

K = ColumnKind
NOBODY = "—"  # who, for entries without a signed-in person (failed sign-ins)


def who(entry: AuditRow) -> str:
    return entry.actor_name or NOBODY


def resource(entry: AuditRow) -> str:
    """ "Booking #12"; the noun alone when the entry names no row."""
    return resource_label(entry.resource_type, entry.resource_id)


def _start_of(day: date) -> datetime:
    """Local midnight at the start of a day, as an aware moment."""
    return datetime(day.year, day.month, day.day).astimezone()


class AuditPage(ListPage[AuditRow, AuditFilter]):
    title = "Audit log"
    list_name = "audit"
    icon_name = "audit"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        if not getattr(self.view, "_restored", False):
            # Date and time in full; the application (user agent) is long but least read.
            self.view.setColumnWidth(0, 160)
            self.view.setColumnWidth(1, 160)

    def live_tables(self) -> frozenset[str]:
        return frozenset({"audit_logs"})

    def columns(self) -> Sequence[Column[AuditRow]]:
        return [
            Column("created_at", tr("Time"), lambda a: a.created_at, K.DATETIME),
            Column("user_id", tr("Who"), who, sortable=False),
            Column("action", tr("Action"), lambda a: action_label(a.action)),
            Column("resource_type", tr("Resource"), resource),
            Column("ip_address", tr("IP address"), lambda a: a.ip_address, sortable=False),
            Column("user_agent", tr("Application"), lambda a: a.user_agent, sortable=False),
        ]

    def default_sort(self) -> Sort:
        return Sort("created_at", descending=True)

    def nouns(self) -> tuple[str, str]:
        return tr("entry"), tr("entries")

    def search_hint(self) -> str:
        return tr("Resource number (Ctrl+F)")

    def build_filters(self) -> None:
        # The audit trail has no free text: the search box finds a resource by its number.
        self.resource_id = self.search
        self.resource_id.setValidator(
            QRegularExpressionValidator(QRegularExpression("[0-9]{0,9}"), self.resource_id)
        )
        self.resource_id.setMinimumWidth(210)
        self.resource_id.setMaximumWidth(240)
        self.filter_bar.removeWidget(self.resource_id)

        self.action = QComboBox()
        self.action.setObjectName("actionFilter")
        self.action.setMinimumWidth(190)
        self.action.addItem(tr("All actions"), "")
        self.add_filter(self.action)
        self.resource_type = QComboBox()
        self.resource_type.setObjectName("resourceTypeFilter")
        self.resource_type.addItem(tr("All resources"), "")
        for code, label in resource_types():
            self.resource_type.addItem(label, code)
        self.add_filter(self.resource_type)
        self.filter_bar.addWidget(self.resource_id)

        self.who: QComboBox | None = None
        if self.session.can(Permission.MANAGE_STAFF):  # only they may list the staff
            self.who = QComboBox()
            self.who.setObjectName("whoFilter")
            self.who.setMinimumWidth(160)
            self.who.addItem(tr("Anyone"), None)
            self.add_filter(self.who)

        self.use_dates = QCheckBox(tr("Between"))
        self.use_dates.setObjectName("dateFilter")
        today = QDate.currentDate()
        self.since = QDateEdit(today.addDays(-7))
        self.since.setObjectName("sinceFilter")
        self.until = QDateEdit(today)
        self.until.setObjectName("untilFilter")
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setEnabled(False)
            edit.dateChanged.connect(self._dates_changed)
        self.use_dates.toggled.connect(self._dates_toggled)
        self.filter_bar.addWidget(self.use_dates)
        self.filter_bar.addWidget(self.since)
        self.and_label = QLabel(tr("and"))
        self.filter_bar.addWidget(self.and_label)
        self.filter_bar.addWidget(self.until)
        self.filter_bar.addStretch(1)
        self._load_choices()

    def _dates_changed(self, _date: QDate) -> None:
        if self.use_dates.isChecked():
            self.requery()

    def _dates_toggled(self, on: bool) -> None:
        self.since.setEnabled(on)
        self.until.setEnabled(on)
        self.requery()

    def _load_choices(self) -> None:
        """The actions the trail holds, and (administrators) the staff to filter by."""
        office, actor = self.session.office, self.session.actor
        if not actor.can(Permission.VIEW_AUDIT):
            return

        def fill_actions(actions: list[str]) -> None:
            self.action.blockSignals(True)
            for action in actions:
                self.action.addItem(action_label(action), action)
            self.action.blockSignals(False)

        self.run(lambda: office.audit.actions(actor), fill_actions, busy=False)
        if self.who is None:
            return

        def fetch_staff() -> list[PersonRow]:
            rows: list[PersonRow] = []
            request = PageRequest(Sort("name"), limit=1000)
            while True:
                page = office.staff.page(actor, PersonFilter(), request)
                rows.extend(page.rows)
                if page.next is None:
                    return rows
                request = PageRequest(Sort("name"), after=page.next, limit=1000)

        def fill_staff(rows: list[PersonRow]) -> None:
            assert self.who is not None  # noqa: S101 - checked before the work started
            self.who.blockSignals(True)
            for person in rows:
                self.who.addItem(person.name, person.id)
            self.who.blockSignals(False)

        self.run(fetch_staff, fill_staff, busy=False)

    def build_actions(self) -> None:
        self.open_action = self.add_action(
            tr("&Open entry"), self.open_selected, icon=icon("open"), needs_row=True, name="open"
        )
        self.update_actions()

    def update_actions(self) -> None:
        self.open_action.setEnabled(self.selected() is not None)

    def current_filter(self) -> AuditFilter:
        digits = self.resource_id.text().strip()
        since = until = None
        if self.use_dates.isChecked():
            first, last = sorted((pydate(self.since.date()), pydate(self.until.date())))
            since, until = _start_of(first), _start_of(last + timedelta(days=1))
        return AuditFilter(
            user_id=self.who.currentData() if self.who is not None else None,
            action=self.action.currentData() or "",
            resource_type=self.resource_type.currentData() or "",
            resource_id=int(digits) if digits else None,
            since=since,
            until=until,
        )

    def fetch_page(self, f: AuditFilter, request: PageRequest) -> Page[AuditRow]:
        return self.session.office.audit.page(self.session.actor, f, request)

    def count_rows(self, f: AuditFilter) -> RowCount:
        return self.session.office.audit.count(self.session.actor, f)

    # -- actions -------------------------------------------------------------------

    def open_row(self, row: AuditRow) -> None:
        from desktop.ui.dialogs.audit_entry import AuditEntryDialog

        open_dialog(AuditEntryDialog(row, self))

    def open_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_row(row)

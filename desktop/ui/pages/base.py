"""What every list page shares: a filter bar, the table, a row count, the page's actions.

An action that needs a row is enabled only while a row shows selected; one that
is off says why in its tooltip ("Select a booking in the list first", or the
page's own reason from ``set_action``). Date filters show dates as the lists do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.changes import Change
from desktop.domain.listing import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Page,
    PageRequest,
    RowCount,
    Sort,
)
from desktop.ui.dialogs import open_dialog
from desktop.ui.errors import describe, show_error
from desktop.ui.formats import short_date_format
from desktop.ui.live import OFFLINE_TIP, LiveUpdates, connection
from desktop.ui.ops import run_op
from desktop.ui.resources import icon
from desktop.ui.session import Session
from desktop.ui.table_model import Column, PagedTableModel
from desktop.ui.widgets.list_view import ListView
from desktop.ui.widgets.notice import NewRowsBar, PageNotice

log = logging.getLogger(__name__)

R = TypeVar("R")  # the row type
F = TypeVar("F")  # the filter type

SEARCH_DELAY_MS = 300
RESYNC_DELAY_MS = 150  # changes arrive in bursts (a row and its audit entry); read once


def tr(text: str) -> str:
    return QCoreApplication.translate("Pages", text)


class ListPage(QWidget, Generic[R, F]):
    """A list bound to one service's ``page``/``count``; subclasses add filters and actions."""

    title = ""
    list_name = ""
    icon_name = ""
    status_message = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName(f"{self.list_name}Page")
        self.model: PagedTableModel[R] = PagedTableModel(
            self.columns(),
            sort=self.default_sort(),
            row_id=lambda row: row.id,  # type: ignore[attr-defined]
            nouns=self.nouns(),
            parent=self,
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 6)
        layout.setSpacing(8)
        self.filter_bar = QHBoxLayout()
        self.filter_bar.setSpacing(8)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.search_hint())
        self.search.setMinimumWidth(200)
        self.filter_bar.addWidget(self.search, 2)
        layout.addLayout(self.filter_bar)
        self.notice = PageNotice(self)
        layout.addWidget(self.notice)
        self.news = NewRowsBar(self)
        self.news.show_requested.connect(self._show_new_rows)
        layout.addWidget(self.news)
        self.view = ListView(self.list_name, self.model, self)
        layout.addWidget(self.view, 1)
        if not self.view.restored:
            keys = [column.key for column in self.model.columns]
            for key, width in self.column_widths().items():
                if key in keys:
                    self.view.setColumnWidth(keys.index(key), width)
        footer = QHBoxLayout()
        self.count_label = QLabel()
        self.count_label.setObjectName("rowCount")
        self.problem_label = QLabel()
        self.problem_label.setObjectName("listProblem")
        self.problem_label.setWordWrap(True)
        footer.addWidget(self.count_label)
        footer.addWidget(self.problem_label, 1)
        layout.addLayout(footer)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.requery)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.search.returnPressed.connect(self.requery)
        self.model.count_changed.connect(lambda _count: self._show_count())
        self.model.reset_done.connect(self._update_empty_text)
        self.model.loading_changed.connect(lambda _loading: self._update_empty_text())
        self.model.load_failed.connect(self._load_failed)
        self.view.open_requested.connect(self.open_row)
        self.view.selection_changed.connect(lambda _row: self.refresh_actions())
        self.model.modelReset.connect(self.refresh_actions)
        self.model.rowsRemoved.connect(lambda *_a: self.refresh_actions())
        self.model.dataChanged.connect(lambda *_a: self.refresh_actions())
        self._resync_timer = QTimer(self)
        self._resync_timer.setSingleShot(True)
        self._resync_timer.setInterval(RESYNC_DELAY_MS)
        self._resync_timer.timeout.connect(self.resync)
        self._resyncing = False
        self._resync_again = False
        # A bound method (not a lambda): Qt disconnects it when the page is deleted.
        connection().online_changed.connect(self._online_changed)
        self.page_actions: list[QAction] = []
        self.build_filters()
        for edit in self.findChildren(QDateEdit):  # as the list shows its dates
            edit.setDisplayFormat(short_date_format())
        self.build_actions()
        self._started = False
        self.refresh_actions()

    # -- what subclasses provide ---------------------------------------------------

    def columns(self) -> Sequence[Column[R]]:
        raise NotImplementedError

    def default_sort(self) -> Sort:
        return Sort("id")

    def nouns(self) -> tuple[str, str]:
        """The row count's noun, singular and plural ("1 booking", "2 bookings")."""
        return tr("row"), tr("rows")

    def search_hint(self) -> str:
        return tr("Search")

    def empty_text(self, filtered: bool) -> str:
        """What an empty list says: nothing matches the filters, or nothing exists yet."""
        if filtered:
            return tr("Nothing matches these filters. Change or clear them to see more.")
        return tr("Nothing here yet.")

    def column_widths(self) -> dict[str, int]:
        """Starting widths by column key (until the person arranges the columns)."""
        return {}

    def build_filters(self) -> None:
        """Add the page's own filter widgets with ``add_filter``."""

    def build_actions(self) -> None:
        """Create the page's actions with ``add_action``."""

    def current_filter(self) -> F:
        raise NotImplementedError

    def fetch_page(self, f: F, request: PageRequest) -> Page[R]:
        raise NotImplementedError

    def count_rows(self, f: F) -> RowCount:
        raise NotImplementedError

    def open_row(self, row: R) -> None:
        """Enter or a double click on a row."""

    def update_actions(self) -> None:
        """Enable the actions that make sense for the selected row."""

    def live_tables(self) -> frozenset[str]:
        """The tables whose changes this list shows (it re-reads when they change)."""
        return frozenset()

    def refresh_actions(self) -> None:
        """The actions' states for the selected row, with saving paused while offline.

        Each action that is off says why in its tooltip: no row selected, the page's
        reason (``set_action``), or the lost connection.
        """
        no_row = self.selected() is None
        for action in self.page_actions:
            action.setProperty("why_not", "")
            action.setToolTip(action.text().replace("&", ""))  # update_actions may say more
            if not (action.property("needs_row") and no_row):
                action.setEnabled(True)  # the page's own update_actions may narrow it
        self.update_actions()
        online = connection().online
        for action in self.page_actions:
            why = str(action.property("why_not") or "")
            if action.property("needs_row") and no_row:
                action.setEnabled(False)
                why = self.select_first_text()
            if action.property("writes") and not online:
                action.setEnabled(False)
                why = tr(OFFLINE_TIP)
            if why and not action.isEnabled():
                action.setToolTip(why)

    def set_action(self, action: QAction, enabled: bool, why_not: str = "") -> None:
        """Enable an action, or disable it saying why (its tooltip): for ``update_actions``."""
        action.setEnabled(enabled)
        action.setProperty("why_not", "" if enabled else why_not)

    def select_first_text(self) -> str:
        """What an action that needs a row says while none is selected."""
        return tr("Select a {0} in the list first.").format(self.nouns()[0])

    # -- helpers for subclasses ----------------------------------------------------

    def add_filter(self, widget: QWidget, label: str | None = None) -> None:
        if label:
            caption = QLabel(label)
            caption.setBuddy(widget)
            self.filter_bar.addWidget(caption)
        self.filter_bar.addWidget(widget)
        if isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(lambda _i: self.requery())

    def add_action(
        self,
        text: str,
        slot: Callable[[], Any],
        *,
        icon: QIcon | None = None,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        needs_row: bool = False,
        name: str = "",
        writes: bool = True,
    ) -> QAction:
        """A page action; ``writes`` ones pause while the database is unreachable."""
        action = QAction(icon or QIcon(), text, self)
        if name:
            action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        action.setProperty("needs_row", needs_row)
        action.setProperty("writes", writes and not name.lower().startswith("open"))
        self.addAction(action)
        self.page_actions.append(action)
        return action

    def add_open_action(self, record: str) -> QAction:
        """Open the selected row (``record`` names it: openBooking)."""
        self.open_action = self.add_action(
            tr("&Open"), self.open_selected, icon=icon("open"), needs_row=True, name=f"open{record}"
        )
        return self.open_action

    def add_record_actions(
        self,
        record: str,
        new_text: str,
        new: Callable[[], Any],
        *,
        can_manage: bool,
        new_icon: str = "new",
        can_open: bool = True,
    ) -> None:
        """New… and Edit… for a role that manages these rows; Open for one that may only look.

        ``record`` names the actions (newCustomer, editCustomer, openCustomer); without
        ``can_open`` there is no Open (the page is only for those who manage its rows).
        """
        self.new_action = self.add_action(new_text, new, icon=icon(new_icon), name=f"new{record}")
        self.edit_action = self.add_action(
            tr("&Edit…"),
            self.open_selected,
            icon=icon("edit"),
            needs_row=True,
            name=f"edit{record}",
        )
        self.new_action.setVisible(can_manage)
        self.edit_action.setVisible(can_manage)
        if can_open:
            self.add_open_action(record).setVisible(not can_manage)

    def selected(self) -> R | None:
        row: R | None = self.view.current_row()
        return row

    def open_selected(self) -> None:
        """Open the selected row, as Enter on it does."""
        row = self.selected()
        if row is not None:
            self.open_row(row)

    def ask_before(
        self,
        then: Callable[[], None],
        *,
        name: str,
        title: str,
        question: str,
        consequence: str,
        button: str,
        button_name: str,
    ) -> None:
        """Ask before a step that cannot be undone; ``then`` runs only on the yes button.

        Cancel is the default, so Enter or Escape never take the step by accident.
        """
        box = QMessageBox(self)
        box.setObjectName(name)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setText(question)
        box.setInformativeText(consequence)
        yes = box.addButton(button, QMessageBox.ButtonRole.DestructiveRole)
        yes.setObjectName(button_name)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def answered(_result: int) -> None:
            chosen = box.clickedButton()
            box.deleteLater()
            if chosen is yes:
                then()

        box.finished.connect(answered)
        open_dialog(box)

    def run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        *,
        busy: bool = True,
    ) -> None:
        """Background work on behalf of this page; failures get the error dialog."""
        run_op(work, done, parent=self, busy=busy)

    # -- behaviour -----------------------------------------------------------------

    def start(self) -> None:
        """First shown: load the first page."""
        if not self._started:
            self._started = True
            self.requery()

    def tell(self, text: str) -> None:
        """Say what an action just did: above the list and in the status bar."""
        self.notice.show_message(text)
        self.status_message.emit(text)

    def requery(self) -> None:
        self._debounce.stop()  # Enter or a filter change may come before the pause ends
        f = self.current_filter()
        self.problem_label.clear()
        self.model.set_source(
            lambda request: self.fetch_page(f, request), lambda: self.count_rows(f)
        )

    def refresh(self) -> None:
        self.problem_label.clear()
        self.model.reload()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def save_layout(self) -> None:
        self.view.save_layout()

    def reload_selecting(self, row_id: int) -> None:
        """Read the list again and select one row once it is in (a row just added)."""

        def select() -> None:
            self.model.reset_done.disconnect(select)
            position = self.model.find_row(row_id)
            if position >= 0:
                self.view.selectRow(position)
                self.view.scrollTo(self.model.index(position, 0))

        self.model.reset_done.connect(select)
        self.refresh()

    def row_saved(self, row: R) -> None:
        """A save returned the new row: redraw it in place, or reload if it is new."""
        if not self.model.replace_row(row):
            self.refresh()
        self.refresh_actions()

    # -- other workstations' changes ------------------------------------------------

    def _online_changed(self, _online: bool) -> None:
        self.refresh_actions()

    def attach_live(self, live: LiveUpdates) -> None:
        live.changed.connect(self._on_change)
        live.reconnected.connect(self.resync)  # notices sent while we were away are lost

    def _on_change(self, change: Change) -> None:
        if change.table in self.live_tables() and self._started:
            self._resync_timer.start()  # a burst of changes costs one read

    def resync(self) -> None:
        """Read the loaded rows again and merge: changed rows redraw, new ones slot in."""
        if not self._started:
            return
        if self._resyncing:
            self._resync_again = True
            return
        self._resyncing = True
        f = self.current_filter()
        sort = self.model.sort_order
        limit = min(max(len(self.model.rows()), DEFAULT_PAGE_SIZE) + 50, MAX_PAGE_SIZE)

        def merged(page: Page[R]) -> None:
            self._resyncing = False
            scrolled = self.view.verticalScrollBar().value() > 0
            first_seen = max(self.view.rowAt(0), 0) if scrolled else 0
            held = self.model.merge(page.rows, complete=page.is_last, keep_above=first_seen)
            self.news.show_count(held, self.nouns())
            self.model.reload_count()
            if self._resync_again:
                self._resync_again = False
                self._resync_timer.start()

        def failed(exc: BaseException) -> None:
            self._resyncing = False
            log.info("Could not resynchronise %s: %s", self.list_name, exc)

        run_op(
            lambda: self.fetch_page(f, PageRequest(sort, None, limit)),
            merged,
            parent=self,
            on_failed=failed,
        )

    def _show_new_rows(self) -> None:
        self.news.show_count(0, self.nouns())
        self.view.scrollToTop()
        self.refresh()

    def _update_empty_text(self) -> None:
        f = self.current_filter()
        try:
            filtered = f != type(f)()
        except TypeError:
            filtered = True
        self.view.set_empty_text(self.empty_text(filtered))

    def _show_count(self) -> None:
        self.count_label.setText(self.model.count_text())

    def _load_failed(self, exc: BaseException) -> None:
        self.problem_label.setText(describe(exc)[1])
        show_error(self, exc)

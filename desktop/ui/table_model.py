"""A table model bound to a repository list: keyset pages loaded off the GUI thread.

``data()`` and ``rowCount()`` only read rows already loaded (immutable row
objects); ``fetchMore()`` asks a worker for the next page after the last row's
sort key, and a "Loading…" row stands in while it is on its way. Sorting asks
the database again. A generation number discards pages of an older query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum, auto
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont, QPalette
from PySide6.QtWidgets import QApplication

from desktop.domain.listing import DEFAULT_PAGE_SIZE, Cursor, Page, PageRequest, RowCount, Sort
from desktop.ui import quiet_gc
from desktop.ui.formats import format_date, format_datetime, format_money
from desktop.ui.ops import ops

T = TypeVar("T")

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row object itself
RAW_ROLE = Qt.ItemDataRole.UserRole + 2  # the cell's unformatted value (badges, tests)
KIND_ROLE = Qt.ItemDataRole.UserRole + 3  # the column's ColumnKind

Index = QModelIndex | QPersistentModelIndex
PageFetcher = Callable[[PageRequest], Page[T]]
Counter = Callable[[], RowCount]


def tr(text: str) -> str:
    return QCoreApplication.translate("Lists", text)


class ColumnKind(Enum):
    TEXT = auto()
    NUMBER = auto()
    MONEY = auto()
    DATE = auto()
    DATETIME = auto()
    BADGE = auto()  # a status shown as a coloured badge
    RATING = auto()
    YES_NO = auto()


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column: its sort key (the repository's), its title and how to read it."""

    key: str
    title: str
    value: Callable[[T], Any]
    kind: ColumnKind = ColumnKind.TEXT
    sortable: bool = True


_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def format_value(kind: ColumnKind, value: Any) -> str:
    if value is None:
        return ""
    if kind is ColumnKind.MONEY:
        return format_money(value)
    if kind is ColumnKind.DATE:
        return format_date(value)
    if kind is ColumnKind.DATETIME:
        return format_datetime(value)
    if kind is ColumnKind.RATING:
        return f"{QLocale().toString(float(value), 'f', 2)} ★"
    if kind is ColumnKind.YES_NO:
        return tr("Yes") if value else tr("No")
    if kind is ColumnKind.NUMBER:
        return QLocale().toString(int(value))
    if kind is ColumnKind.BADGE:
        text = value.value if isinstance(value, Enum) else str(value)
        return text.capitalize()
    return str(value)


class PagedTableModel(QAbstractTableModel, Generic[T]):
    """Rows of one list, loaded page by page as the view scrolls."""

    count_changed = Signal(object)  # RowCount
    loading_changed = Signal(bool)
    load_failed = Signal(object)  # the exception
    reset_done = Signal()  # the first page of a new query is in

    def __init__(
        self,
        columns: Sequence[Column[T]],
        *,
        sort: Sort,
        row_id: Callable[[T], int],
        page_size: int = DEFAULT_PAGE_SIZE,
        nouns: tuple[str, str] = ("row", "rows"),
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._sort = sort
        self._row_id = row_id
        self._page_size = page_size
        self._rows: list[T] = []
        self._texts: dict[int, tuple[T, list[str | None]]] = {}
        self._next: Cursor | None = None
        self._exhausted = True
        self._loading = False
        self._generation = 0
        self._fetch: PageFetcher[T] | None = None
        self._count: Counter | None = None
        self.row_count: RowCount | None = None
        self.nouns = nouns
        self.failed: BaseException | None = None

    # -- the query ---------------------------------------------------------------

    @property
    def sort_order(self) -> Sort:
        return self._sort

    def set_source(self, fetch: PageFetcher[T], count: Counter) -> None:
        """A new query (filters changed): forget every row and load its first page."""
        self._fetch, self._count = fetch, count
        self.reload()

    def reload(self) -> None:
        """Ask the database again for the current query, from the first page."""
        if self._fetch is None:
            return
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._texts.clear()
        self._next = None
        self._exhausted = False
        self.failed = None
        was_loading, self._loading = self._loading, False  # an older page may still be on its way
        self.endResetModel()
        if was_loading:
            self.loading_changed.emit(False)
        self._load_next_page()
        self._load_count()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or not self.columns[column].sortable:
            return
        wanted = Sort(self.columns[column].key, order == Qt.SortOrder.DescendingOrder)
        if wanted == self._sort and self._rows:
            return
        self._sort = wanted
        self.reload()

    def sort_column(self) -> int:
        keys = [c.key for c in self.columns]
        return keys.index(self._sort.column) if self._sort.column in keys else -1

    # -- rows ----------------------------------------------------------------------

    def row(self, index: int) -> T | None:
        return self._rows[index] if 0 <= index < len(self._rows) else None

    def rows(self) -> list[T]:
        return list(self._rows)

    def is_loading(self) -> bool:
        return self._loading

    def is_complete(self) -> bool:
        return self._exhausted and not self._loading

    def find_row(self, ident: int) -> int:
        for i, row in enumerate(self._rows):
            if self._row_id(row) == ident:
                return i
        return -1

    def replace_row(self, row: T) -> bool:
        """Redraw a changed row in place (after a save); False when it is not loaded."""
        position = self.find_row(self._row_id(row))
        if position < 0:
            return False
        self._rows[position] = row
        self.dataChanged.emit(self.index(position, 0), self.index(position, len(self.columns) - 1))
        return True

    def remove_row_id(self, ident: int) -> bool:
        position = self.find_row(ident)
        if position < 0:
            return False
        self.beginRemoveRows(QModelIndex(), position, position)
        del self._rows[position]
        self.endRemoveRows()
        return True

    def merge(self, fresh: Sequence[T], *, complete: bool, keep_above: int = 0) -> int:
        """Bring the loaded rows in line with ``fresh``: the same query's first rows, read again.

        Changed rows redraw in place, rows gone (deleted, or no longer matching the
        filters) disappear, new rows appear where the order puts them; but a new row
        that would land above row ``keep_above`` (the first one the person sees) is not
        inserted, so nothing moves under their eyes: the number of such rows is returned
        ("3 new bookings — show"). ``complete`` says ``fresh`` holds every matching row.
        """
        if self._loading or self._fetch is None:
            return 0  # a page is on its way; the next change notice will merge again
        wanted = {self._row_id(row): row for row in fresh}
        self._remove_missing(wanted)
        order = {ident: i for i, ident in enumerate(wanted)}
        loaded = [self._row_id(row) for row in self._rows]
        if loaded != sorted(loaded, key=order.__getitem__):
            self._reorder(sorted(range(len(loaded)), key=lambda i: order[loaded[i]]))
            loaded = [self._row_id(row) for row in self._rows]
        for position, ident in enumerate(loaded):
            if self._rows[position] != wanted[ident]:
                self._rows[position] = wanted[ident]
                self.dataChanged.emit(
                    self.index(position, 0), self.index(position, len(self.columns) - 1)
                )
        return self._insert_new(fresh, loaded, complete=complete, keep_above=keep_above)

    def _reorder(self, new_order: list[int]) -> None:
        """Put the rows in ``new_order`` (old positions), keeping selection and current row."""
        self.layoutAboutToBeChanged.emit()
        moved_to = {old: new for new, old in enumerate(new_order)}
        self._rows = [self._rows[old] for old in new_order]
        before = self.persistentIndexList()
        after = [
            self.index(moved_to.get(index.row(), index.row()), index.column()) for index in before
        ]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def _remove_missing(self, wanted: dict[int, T]) -> None:
        for position in range(len(self._rows) - 1, -1, -1):
            if self._row_id(self._rows[position]) not in wanted:
                self.beginRemoveRows(QModelIndex(), position, position)
                del self._rows[position]
                self.endRemoveRows()

    def _insert_new(
        self, fresh: Sequence[T], loaded: list[int], *, complete: bool, keep_above: int
    ) -> int:
        present = set(loaded)
        held_back = 0
        before = 0  # loaded rows that come before the current fresh row
        tail_open = not (complete or self._exhausted)
        for row in fresh:
            ident = self._row_id(row)
            if ident in present:
                before += 1
                continue
            if before >= len(self._rows) and tail_open:
                break  # beyond the loaded rows: the next page brings it
            if before < keep_above:
                held_back += 1
                continue
            self.beginInsertRows(QModelIndex(), before, before)
            self._rows.insert(before, row)
            self.endInsertRows()
            present.add(ident)
            before += 1
        if complete:
            self._exhausted = True  # every matching row is in (or held back to show)
        return held_back

    # -- Qt's model interface --------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if parent.isValid():
            return 0
        return len(self._rows) + (1 if self._loading else 0)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column.kind in _RIGHT_KINDS else _LEFT
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.row() >= len(self._rows):
            return Qt.ItemFlag.NoItemFlags  # the "Loading…" row
        return _ROW_FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A view asks for seven roles per cell on every paint: the roles no column
        # answers return at once (plain ints: comparing enums costs more), and a
        # cell's text is formatted once while its row stays in view.
        if role not in _ANSWERED_ROLES:
            return None
        number, section = index.row(), index.column()
        if number < 0 or not 0 <= section < len(self.columns):
            return None
        if number >= len(self._rows):
            return self._placeholder(section, role)
        if role == _DISPLAY:
            return self._text(self._rows[number], section)
        column = self.columns[section]
        if role == _ALIGNMENT:
            return _RIGHT if column.kind in _RIGHT_KINDS else _LEFT
        row = self._rows[number]
        if role == ROW_ROLE:
            return row
        if role == RAW_ROLE:
            return column.value(row)
        if role == KIND_ROLE:
            return column.kind
        if role == _TOOLTIP and column.kind is ColumnKind.TEXT:
            text = column.value(row)
            return text if isinstance(text, str) and len(text) > 40 else None
        return None

    def _text(self, row: T, section: int) -> str:
        """A cell's text, kept for the rows recently painted (a changed row is a new object)."""
        entry = self._texts.get(id(row))
        if entry is None or entry[0] is not row:
            if len(self._texts) >= _TEXT_CACHE_ROWS:
                self._texts.clear()
            entry = (row, [None] * len(self.columns))
            self._texts[id(row)] = entry
        texts = entry[1]
        text = texts[section]
        if text is None:
            column = self.columns[section]
            text = texts[section] = format_value(column.kind, column.value(row))
        return text

    def _placeholder(self, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and column == 0:
            return tr("Loading…")
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QApplication.palette().color(QPalette.ColorRole.PlaceholderText))
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._fetch is None:
            return False
        return not self._exhausted and not self._loading and self.failed is None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._load_next_page()

    # -- loading -----------------------------------------------------------------

    def _set_loading(self, loading: bool) -> None:
        if loading == self._loading:
            return
        at = len(self._rows)
        if loading:
            self.beginInsertRows(QModelIndex(), at, at)
            self._loading = True
            self.endInsertRows()
        else:
            self.beginRemoveRows(QModelIndex(), at, at)
            self._loading = False
            self.endRemoveRows()
        self.loading_changed.emit(loading)

    def _load_next_page(self) -> None:
        fetch = self._fetch
        if fetch is None or self._loading:
            return
        generation = self._generation
        request = PageRequest(sort=self._sort, after=self._next, limit=self._page_size)
        self._set_loading(True)

        def done(page: Page[T]) -> None:
            if generation != self._generation:
                return  # an older query's page
            quiet_gc.note_activity()
            self._set_loading(False)
            first = not self._rows
            if page.rows:
                at = len(self._rows)
                self.beginInsertRows(QModelIndex(), at, at + len(page.rows) - 1)
                self._rows.extend(page.rows)
                self.endInsertRows()
            self._next = page.next
            self._exhausted = page.next is None
            if first:
                self.reset_done.emit()

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._set_loading(False)
            self.failed = exc
            self.load_failed.emit(exc)

        ops().run(lambda: fetch(request), done, failed, owner=self)

    def reload_count(self) -> None:
        """Count again (rows came or went elsewhere)."""
        self._load_count()

    def _load_count(self) -> None:
        count = self._count
        if count is None:
            return
        generation = self._generation

        def done(result: RowCount) -> None:
            if generation == self._generation:
                self.row_count = result
                self.count_changed.emit(result)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.load_failed.emit(exc)

        ops().run(count, done, failed, owner=self)

    def count_text(self) -> str:
        """ "1,000,000 bookings" (or "about …" for an estimate), without loading the rows."""
        if self.row_count is None:
            return ""
        value = self.row_count.value
        noun = self.nouns[0] if value == 1 else self.nouns[1]
        number = QLocale().toString(value)
        if self.row_count.exact:
            return f"{number} {noun}"
        return tr("about {0} {1}").format(number, noun)


_RIGHT_KINDS = frozenset({ColumnKind.NUMBER, ColumnKind.MONEY, ColumnKind.RATING})
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ANSWERED_ROLES = frozenset(
    {
        _DISPLAY,
        _ALIGNMENT,
        _TOOLTIP,
        int(Qt.ItemDataRole.ForegroundRole),  # the placeholder row
        int(Qt.ItemDataRole.FontRole),  # the placeholder row
        int(ROW_ROLE),
        int(RAW_ROLE),
        int(KIND_ROLE),
    }
)
_TEXT_CACHE_ROWS = 2000  # a few screens of rows; the texts of rows long scrolled past go

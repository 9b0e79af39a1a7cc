"""The table view every list uses: badges, remembered layout, Enter opens the row.

A row is "the selected row" only when it shows selected. Qt gives the table a
current row of its own when it takes the focus (the first one, not highlighted);
acting on that row would act on a booking nobody chose, so it counts for nothing
until the person selects it (a click, or Up/Down, which then starts at it).
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QByteArray, QModelIndex, QPersistentModelIndex, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from desktop.ui import quiet_gc
from desktop.ui.app_state import settings
from desktop.ui.table_model import RAW_ROLE, ROW_ROLE, ColumnKind, PagedTableModel
from desktop.ui.widgets.colors import badge_color

Index = QModelIndex | QPersistentModelIndex


class BadgeDelegate(QStyledItemDelegate):
    """Draws a status as a small coloured pill with its label (set on the badge columns only).

    A pill is drawn once per status, size and screen into a pixmap: a screenful of
    badges is then a few pixmap copies rather than antialiased paths and text.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pills: dict[tuple[str, str, int, float, str], QPixmap] = {}

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        raw = index.data(RAW_ROLE)
        if raw is None:
            super().paint(painter, option, index)
            return
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        # The cell's own background: the selection highlight, as Qt's delegate draws it.
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget)
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        pill = self._pill(getattr(raw, "value", str(raw)), text, option, painter)
        rect = option.rect
        size = pill.deviceIndependentSize()
        top = rect.top() + (rect.height() - round(size.height())) // 2 + 1
        if size.width() + 6 > rect.width():
            painter.save()
            painter.setClipRect(rect)
            painter.drawPixmap(rect.left() + 6, top, pill)
            painter.restore()
        else:
            painter.drawPixmap(rect.left() + 6, top, pill)

    def _pill(
        self, key: str, text: str, option: QStyleOptionViewItem, painter: QPainter
    ) -> QPixmap:
        metrics = option.fontMetrics
        height = max(1, min(option.rect.height() - 6, metrics.height() + 4))
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        cache_key = (key, text, height, ratio, option.font.key())
        pill = self._pills.get(cache_key)
        if pill is not None:
            return pill
        width = metrics.horizontalAdvance(text) + 16
        pill = QPixmap(math.ceil(width * ratio), math.ceil(height * ratio))
        pill.setDevicePixelRatio(ratio)
        pill.fill(Qt.GlobalColor.transparent)
        drawing = QPainter(pill)
        drawing.setRenderHint(QPainter.RenderHint.Antialiasing)
        drawing.setFont(option.font)
        color = badge_color(key)
        drawing.setPen(color)
        drawing.setBrush(color.lighter(185))
        area = QRectF(0.5, 0.5, width - 1, height - 1)
        drawing.drawRoundedRect(area, height / 2 - 0.5, height / 2 - 0.5)
        drawing.setPen(color.darker(130))
        drawing.drawText(area, Qt.AlignmentFlag.AlignCenter, text)
        drawing.end()
        self._pills[cache_key] = pill
        return pill


class ListView(QTableView):
    """A list's table: sorting by the database, rows opened with Enter or a double click."""

    open_requested = Signal(object)  # the row object
    selection_changed = Signal(object)  # the selected row object or None

    def __init__(self, list_name: str, model: PagedTableModel[Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.list_name = list_name
        self._empty_text = ""
        self.setObjectName(f"{list_name}Table")
        self.setModel(model)
        self._model = model
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        # Plain cells keep Qt's own delegate: a Python paint() per cell costs a frame.
        badges = BadgeDelegate(self)
        for section, column in enumerate(model.columns):
            if column.kind is ColumnKind.BADGE:
                self.setItemDelegateForColumn(section, badges)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.doubleClicked.connect(self._open_index)
        selection = self.selectionModel()
        selection.currentRowChanged.connect(lambda *_args: self._selection_moved())
        selection.selectionChanged.connect(lambda *_args: self._selection_moved())
        self._default_widths()
        self.restore_layout()
        section = model.sort_column()
        if section >= 0 and not self._restored:
            descending = model.sort_order.descending
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(section, order)
        # Enabling sorting sorts by the indicator: it must show the model's order first.
        self.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._keep_unsortable_indicator)

    def _keep_unsortable_indicator(self, section: int, _order: Qt.SortOrder) -> None:
        """A click on a column the database cannot sort by leaves the sort as it was."""
        columns = self._model.columns
        if 0 <= section < len(columns) and columns[section].sortable:
            return
        descending = self._model.sort_order.descending
        header = self.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(
            self._model.sort_column(),
            Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder,
        )
        header.blockSignals(False)
        header.viewport().update()

    @property
    def restored(self) -> bool:
        """Whether a remembered layout (and its sort) was applied."""
        return self._restored

    def set_empty_text(self, text: str) -> None:
        """What the empty table says once its query found nothing."""
        self._empty_text = text
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._empty_text and self._model.rowCount() == 0 and self._model.is_complete():
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            area = self.viewport().rect().adjusted(24, 24, -24, -24)
            painter.drawText(
                area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._empty_text
            )
            painter.end()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        quiet_gc.note_activity()
        super().scrollContentsBy(dx, dy)

    def current_row(self) -> Any:
        """The row shown selected (None when none shows selected, whatever Qt's current)."""
        index = self.currentIndex()
        if not index.isValid() or not self._shows_selected(index.row()):
            return None
        return index.data(ROW_ROLE)

    def _shows_selected(self, row: int) -> bool:
        return self.selectionModel().isRowSelected(row, QModelIndex())

    def _selection_moved(self) -> None:
        self.selection_changed.emit(self.current_row())

    def _default_widths(self) -> None:
        for section, column in enumerate(self._model.columns):
            if column.kind in (ColumnKind.DATE, ColumnKind.NUMBER, ColumnKind.RATING):
                self.setColumnWidth(section, 100)
            elif column.kind is ColumnKind.DATETIME:
                self.setColumnWidth(section, 150)  # "12/28/2026 12:04 PM" whole
            elif column.kind in (ColumnKind.MONEY, ColumnKind.BADGE):
                self.setColumnWidth(section, 120)
            else:
                self.setColumnWidth(section, 180)

    def _open_index(self, index: Index) -> None:
        row = index.data(ROW_ROLE)
        if row is not None:
            self.open_requested.emit(row)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        current = self.currentIndex()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and current.isValid() and self._shows_selected(current.row()):
            self._open_index(current)
            return
        nothing_selected = not self.selectionModel().hasSelection()
        if (enter or key in (Qt.Key.Key_Down, Qt.Key.Key_Up)) and nothing_selected:
            # Qt would move on from its unseen current row, skipping it, and Enter would
            # open a row nobody sees: select it first (the first row when none is current).
            if self._model.row(0) is not None:
                self.selectRow(current.row() if current.isValid() else 0)
            return
        super().keyPressEvent(event)

    def _header_menu(self, position: Any) -> None:
        header = self.horizontalHeader()
        menu = QMenu(self)
        for section, column in enumerate(self._model.columns):
            action = QAction(column.title, menu)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(section))
            visible_count = sum(
                not header.isSectionHidden(i) for i in range(len(self._model.columns))
            )
            action.setEnabled(header.isSectionHidden(section) or visible_count > 1)
            action.toggled.connect(
                lambda checked, s=section: header.setSectionHidden(s, not checked)
            )
            menu.addAction(action)
        menu.exec(header.mapToGlobal(position))

    # -- remembered layout -------------------------------------------------------

    def _key(self) -> str:
        return f"lists/{self.list_name}/header"

    def restore_layout(self) -> None:
        state = settings().value(self._key())
        self._restored = isinstance(
            state, QByteArray | bytes
        ) and self.horizontalHeader().restoreState(QByteArray(state))
        if self._restored:
            header = self.horizontalHeader()
            self._model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    def save_layout(self) -> None:
        store = settings()
        store.setValue(self._key(), self.horizontalHeader().saveState())
        store.sync()

"""The table view every list uses: badges, remembered layout, Enter opens the row."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QModelIndex, QPersistentModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from desktop.ui.app_state import settings
from desktop.ui.table_model import (
    KIND_ROLE,
    RAW_ROLE,
    ROW_ROLE,
    ColumnKind,
    PagedTableModel,
    badge_color,
)

Index = QModelIndex | QPersistentModelIndex


class BadgeDelegate(QStyledItemDelegate):
    """Draws a status as a small coloured pill with its label."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        if index.data(KIND_ROLE) is not ColumnKind.BADGE or index.data(RAW_ROLE) is None:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        text = option.text
        option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        raw = index.data(RAW_ROLE)
        key = getattr(raw, "value", str(raw))
        metrics = option.fontMetrics
        width = metrics.horizontalAdvance(text) + 16
        height = min(option.rect.height() - 6, metrics.height() + 4)
        rect = QRect(
            option.rect.left() + 6, option.rect.center().y() - height // 2 + 1, width, height
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = badge_color(key)
        fill = color.lighter(185)
        painter.setPen(color)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(color.darker(130))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


class ListView(QTableView):
    """A list's table: sorting by the database, rows opened with Enter or a double click."""

    open_requested = Signal(object)  # the row object
    selection_changed = Signal(object)  # the row object or None

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
        self.setItemDelegate(BadgeDelegate(self))
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
        self.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self.selection_changed.emit(current.data(ROW_ROLE))
        )
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

    def current_row(self) -> Any:
        index = self.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def _default_widths(self) -> None:
        for section, column in enumerate(self._model.columns):
            if column.kind in (ColumnKind.DATE, ColumnKind.NUMBER, ColumnKind.RATING):
                self.setColumnWidth(section, 100)
            elif column.kind in (ColumnKind.MONEY, ColumnKind.DATETIME, ColumnKind.BADGE):
                self.setColumnWidth(section, 120)
            else:
                self.setColumnWidth(section, 180)

    def _open_index(self, index: Index) -> None:
        row = index.data(ROW_ROLE)
        if row is not None:
            self.open_requested.emit(row)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open_index(self.currentIndex())
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

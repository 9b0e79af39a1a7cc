"""The paged table model without widgets: pages, counts, sorting, roles, no database in data()."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, event

from desktop.bootstrap import BackOffice
from desktop.domain.listing import DestinationFilter, PageRequest, Sort
from desktop.domain.permissions import Actor
from desktop.domain.records import DestinationRow
from desktop.ui.formats import format_money
from desktop.ui.table_model import (
    RAW_ROLE,
    ROW_ROLE,
    Column,
    ColumnKind,
    PagedTableModel,
)
from tests.services.conftest import destination_draft
from tests.ui.conftest import settle

COLUMNS = [
    Column[DestinationRow]("name", "Name", lambda d: d.name),
    Column[DestinationRow]("price", "Price", lambda d: d.price, ColumnKind.MONEY),
    Column[DestinationRow]("active", "Active", lambda d: d.active, ColumnKind.YES_NO),
]


@pytest.fixture
def ten(office: BackOffice, admin: Actor) -> list[DestinationRow]:
    return [
        office.destinations.create(
            admin, destination_draft(name=f"Place {n:02d}", price=Decimal(100 + n))
        )
        for n in range(10)
    ]


def _model(office: BackOffice, actor: Actor, page_size: int = 3) -> PagedTableModel[DestinationRow]:
    model: PagedTableModel[DestinationRow] = PagedTableModel(
        COLUMNS,
        sort=Sort("name"),
        row_id=lambda d: d.id,
        page_size=page_size,
        nouns=("destination", "destinations"),
    )
    f = DestinationFilter()
    model.set_source(
        lambda request: office.destinations.page(actor, f, request),
        lambda: office.destinations.count(actor, f),
    )
    return model


def test_pages_arrive_one_at_a_time_through_fetch_more(
    qtbot: QtBot, office: BackOffice, admin: Actor, ten: list[DestinationRow]
) -> None:
    model = _model(office, admin)
    assert model.rowCount() == 1, "a Loading… row stands in for the first page"
    assert model.index(0, 0).data() == "Loading…"
    settle(qtbot)
    assert model.rowCount() == 3
    assert model.canFetchMore(QModelIndex())
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        settle(qtbot)
    assert [model.row(i).name for i in range(model.rowCount())] == [
        f"Place {n:02d}" for n in range(10)
    ]
    assert model.count_text() == "10 destinations"
    assert model.is_complete()


def test_sorting_asks_the_database_again(
    qtbot: QtBot, office: BackOffice, admin: Actor, ten: list[DestinationRow]
) -> None:
    model = _model(office, admin, page_size=50)
    settle(qtbot)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    settle(qtbot)
    prices = [model.index(i, 1).data(RAW_ROLE) for i in range(model.rowCount())]
    assert prices == sorted(prices, reverse=True)
    assert model.index(0, 1).data() == format_money(Decimal(109))
    assert model.index(0, 1).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight


def test_a_newer_query_discards_the_older_querys_pages(
    qtbot: QtBot, office: BackOffice, admin: Actor, ten: list[DestinationRow]
) -> None:
    model = _model(office, admin, page_size=50)
    only_five = DestinationFilter(text="")
    model.set_source(
        lambda request: office.destinations.page(
            admin, only_five, PageRequest(request.sort, request.after, 5)
        ),
        lambda: office.destinations.count(admin, only_five),
    )
    settle(qtbot)
    assert model.rowCount() == 5, "the first query's 10 rows never landed"


def test_data_reads_loaded_rows_only(
    qtbot: QtBot, engine: Engine, office: BackOffice, admin: Actor, ten: list[DestinationRow]
) -> None:
    model = _model(office, admin, page_size=50)
    settle(qtbot)
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                for role in (Qt.ItemDataRole.DisplayRole, ROW_ROLE, RAW_ROLE):
                    model.index(row, column).data(role)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements == []


def test_a_failed_load_is_reported_and_stops_fetching(
    qtbot: QtBot, office: BackOffice, moderator: Actor
) -> None:
    model: PagedTableModel[DestinationRow] = PagedTableModel(
        COLUMNS, sort=Sort("no_such_column"), row_id=lambda d: d.id
    )
    failures: list[BaseException] = []
    model.load_failed.connect(failures.append)
    model.set_source(
        lambda request: office.destinations.page(moderator, DestinationFilter(), request),
        lambda: office.destinations.count(moderator, DestinationFilter()),
    )
    settle(qtbot)
    assert failures, "the unknown sort column is refused by the repository"
    assert "no_such_column" in str(failures[0])
    assert not model.canFetchMore(QModelIndex())
    assert model.rowCount() == 0


def test_replace_and_remove_rows_in_place(
    qtbot: QtBot, office: BackOffice, admin: Actor, ten: list[DestinationRow]
) -> None:
    model = _model(office, admin, page_size=50)
    settle(qtbot)
    changed = office.destinations.set_active(admin, ten[0].id, ten[0].version, False)
    seen: list[int] = []
    model.dataChanged.connect(lambda top, _bottom: seen.append(top.row()))
    assert model.replace_row(changed)
    assert seen == [0]
    assert model.index(0, 2).data() == "No"
    assert model.remove_row_id(ten[1].id)
    assert model.rowCount() == 9
    assert model.find_row(ten[1].id) == -1

"""Every revision walks up, down and up again; models and migrations do not drift."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Engine, create_engine, inspect, text
from sqlalchemy.pool import NullPool

from desktop.db import migrate
from desktop.db.models import Base
from tests.db import catalog


@pytest.fixture
def empty_engine(empty_database_url: URL) -> Iterator[Engine]:
    eng = create_engine(empty_database_url, poolclass=NullPool)
    yield eng
    eng.dispose()


def _revisions(engine: Engine) -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config(engine))
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


def _snapshot(engine: Engine) -> dict[str, object]:
    with engine.connect() as conn:
        return {
            "tables": sorted(t for t in inspect(conn).get_table_names() if t != "alembic_version"),
            "columns": catalog.columns(conn),
            "constraints": catalog.constraints(conn),
            "indexes": catalog.indexes(conn),
            "triggers": catalog.triggers(conn),
            "functions": catalog.functions(conn),
        }


def test_each_revision_walks_up_down_and_up_again(empty_engine: Engine) -> None:
    revisions = _revisions(empty_engine)
    assert revisions[0] == "0001_design_baseline"
    before = _snapshot(empty_engine)
    for revision in revisions:
        below = _snapshot(empty_engine)
        migrate.upgrade(empty_engine, revision)
        above = _snapshot(empty_engine)
        assert above != below, f"{revision} changed nothing visible"
        migrate.downgrade(empty_engine, "-1")
        assert _snapshot(empty_engine) == below, f"{revision} did not downgrade cleanly"
        migrate.upgrade(empty_engine, revision)
        assert _snapshot(empty_engine) == above, f"{revision} did not re-apply identically"
    assert migrate.status(empty_engine).at_head
    migrate.downgrade(empty_engine, "base")
    assert _snapshot(empty_engine) == before


def test_downgrade_to_base_leaves_no_objects(engine: Engine) -> None:
    migrate.downgrade(engine, "base")
    with engine.connect() as conn:
        leftovers = (
            conn.execute(
                text(
                    "SELECT c.relname FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() "
                    "AND c.relname NOT LIKE 'alembic_version%'"
                )
            )
            .scalars()
            .all()
        )
    assert leftovers == []


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_status_reports_pending_revisions_oldest_first(empty_engine: Engine) -> None:
    state = migrate.status(empty_engine)
    assert not state.at_head
    assert [r.revision for r in state.pending] == _revisions(empty_engine)
    migrate.upgrade(empty_engine, "head")
    assert migrate.status(empty_engine).at_head

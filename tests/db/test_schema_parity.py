"""A freshly migrated database holds every object of the design, identical."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.db import catalog
from tests.db.design_catalog import (
    COLUMNS,
    CONSTRAINTS,
    FUNCTIONS,
    IMPROVEMENTS,
    INDEXES,
    TRIGGERS,
)


@pytest.fixture
def live(engine: Engine) -> dict[str, dict]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return {
            "columns": catalog.columns(conn),
            "constraints": catalog.constraints(conn),
            "indexes": catalog.indexes(conn),
            "triggers": catalog.triggers(conn),
            "functions": catalog.functions(conn),
        }


def test_every_design_column_is_identical(live: dict[str, dict]) -> None:  # type: ignore[type-arg]
    actual = {key: (col.type, col.not_null, col.default) for key, col in live["columns"].items()}
    design = {key: value for key, value in actual.items() if key not in IMPROVEMENTS.COLUMNS}
    assert design == COLUMNS
    assert {k: actual[k] for k in IMPROVEMENTS.COLUMNS if k in actual} == IMPROVEMENTS.COLUMNS


@pytest.mark.parametrize("name", sorted(CONSTRAINTS))
def test_design_constraint_present_and_identical(
    live: dict[str, dict],  # type: ignore[type-arg]
    name: str,
) -> None:
    table, definition = CONSTRAINTS[name]
    assert live["constraints"].get(name) == (table, catalog.squash(definition))


@pytest.mark.parametrize("name", sorted(INDEXES))
def test_design_index_present_and_identical(
    live: dict[str, dict],  # type: ignore[type-arg]
    name: str,
) -> None:
    assert live["indexes"].get(name) == catalog.squash(INDEXES[name])


@pytest.mark.parametrize("name", sorted(TRIGGERS))
def test_design_trigger_present_and_identical(
    live: dict[str, dict],  # type: ignore[type-arg]
    name: str,
) -> None:
    assert live["triggers"].get(name) == catalog.squash(TRIGGERS[name])


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_design_function_body_identical(
    live: dict[str, dict],  # type: ignore[type-arg]
    name: str,
) -> None:
    assert live["functions"].get(name) == catalog.squash(FUNCTIONS[name])


def test_nothing_beyond_the_design_and_its_listed_improvements(
    live: dict[str, dict],  # type: ignore[type-arg]
) -> None:
    expected_constraints = {
        name: (table, catalog.squash(d))
        for name, (table, d) in {**CONSTRAINTS, **IMPROVEMENTS.CONSTRAINTS}.items()
    }
    expected_indexes = {
        name: catalog.squash(d) for name, d in {**INDEXES, **IMPROVEMENTS.INDEXES}.items()
    }
    expected_triggers = {
        name: catalog.squash(d) for name, d in {**TRIGGERS, **IMPROVEMENTS.TRIGGERS}.items()
    }
    assert live["constraints"] == expected_constraints
    assert live["indexes"] == expected_indexes
    assert live["triggers"] == expected_triggers
    assert set(live["functions"]) == set(FUNCTIONS) | set(IMPROVEMENTS.FUNCTIONS)

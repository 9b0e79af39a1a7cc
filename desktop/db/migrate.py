"""Alembic, configured in code: no ``alembic.ini`` is needed at run time."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def migrations_dir() -> Path:
    """The Alembic scripts: in the bundle, the source tree, or the installed wheel."""
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", ".")) / "migrations"
    source_tree = Path(__file__).resolve().parents[2] / "migrations"
    if (source_tree / "env.py").is_file():
        return source_tree
    return Path(str(files("desktop._migrations")))


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


@dataclass(frozen=True)
class Revision:
    revision: str
    title: str


@dataclass(frozen=True)
class MigrationStatus:
    current: tuple[str, ...]
    heads: tuple[str, ...]
    pending: tuple[Revision, ...]

    @property
    def at_head(self) -> bool:
        return not self.pending and set(self.current) == set(self.heads)


def status(engine: Engine) -> MigrationStatus:
    """The database's revision and the revisions not yet applied, oldest first."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    with engine.connect() as conn:
        current = tuple(MigrationContext.configure(conn).get_current_heads())
    heads = tuple(script.get_heads())
    applied: set[str] = set()
    for rev in current:
        applied.update(r.revision for r in script.iterate_revisions(rev, "base"))
    pending = [
        Revision(r.revision, (r.doc or "").strip().splitlines()[0] if r.doc else "")
        for r in script.walk_revisions("base", "heads")
        if r.revision not in applied
    ]
    pending.reverse()
    return MigrationStatus(current=current, heads=heads, pending=tuple(pending))

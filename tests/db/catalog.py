"""Reads a database's catalog into plain, comparable values (for the parity tests)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, text

TABLES = (
    "users",
    "destinations",
    "bookings",
    "reviews",
    "audit_logs",
    "review_helpful_votes",
    "destination_images",
)


@dataclass(frozen=True)
class Column:
    type: str
    not_null: bool
    default: str | None


def _squash(sql: str) -> str:
    """Whitespace-insensitive form of a definition; drops the ``public.`` schema prefix."""
    sql = re.sub(r"\bpublic\.", "", sql)
    return re.sub(r"\s+", " ", sql).strip()


def columns(conn: Connection) -> dict[tuple[str, str], Column]:
    rows = conn.execute(
        text(
            """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid)
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE c.relname = ANY(:tables) AND a.attnum > 0 AND NOT a.attisdropped
            """
        ),
        {"tables": list(TABLES)},
    )
    return {(t, c): Column(typ, nn, default) for t, c, typ, nn, default in rows}


def constraints(conn: Connection) -> dict[str, tuple[str, str]]:
    """name -> (table, definition); NOT NULL constraints (catalogued from PG 18) are columns'."""
    rows = conn.execute(
        text(
            """
            SELECT con.conname, c.relname, pg_get_constraintdef(con.oid)
            FROM pg_constraint con
            JOIN pg_class c ON c.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
            WHERE c.relname = ANY(:tables) AND con.contype <> 'n'
            """
        ),
        {"tables": list(TABLES)},
    )
    return {name: (table, _squash(definition)) for name, table, definition in rows}


def indexes(conn: Connection) -> dict[str, str]:
    rows = conn.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = ANY(:tables)"
        ),
        {"tables": list(TABLES)},
    )
    return {name: _squash(definition) for name, definition in rows}


def triggers(conn: Connection) -> dict[str, str]:
    rows = conn.execute(
        text(
            """
            SELECT t.tgname, pg_get_triggerdef(t.oid)
            FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
            WHERE NOT t.tgisinternal AND c.relname = ANY(:tables)
            """
        ),
        {"tables": list(TABLES)},
    )
    return {name: _squash(definition) for name, definition in rows}


def functions(conn: Connection) -> dict[str, str]:
    """Trigger functions of the schema: name -> body (whitespace squashed)."""
    rows = conn.execute(
        text(
            """
            SELECT p.proname, p.prosrc
            FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = current_schema()
            WHERE p.prorettype = 'trigger'::regtype
            """
        )
    )
    return {name: _squash(body) for name, body in rows}


def squash(sql: str) -> str:
    return _squash(sql)

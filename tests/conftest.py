"""The test harness: a real PostgreSQL for every test.

By default one embedded cluster per test session, under a fresh temporary
folder (never the home folder). ``EXOTIC_TEST_DATABASE_URL`` points the suite at
an external server instead; it must allow ``CREATE DATABASE``. A template
database is migrated to head once; each test that needs data gets its own
database cloned from it, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import Phase, settings
from sqlalchemy import URL, Engine, create_engine, text
from sqlalchemy.pool import NullPool

# Keep every test away from the real user profile (config, data, logs).
_PROFILE = Path(tempfile.mkdtemp(prefix="exotic-tests-home-"))
os.environ["EXOTIC_HOME"] = str(_PROFILE)
os.environ.pop("EXOTIC_DATABASE_URL", None)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.db import migrate  # noqa: E402
from desktop.db.embedded import EmbeddedServer  # noqa: E402
from desktop.db.engine import build_engine  # noqa: E402
from desktop.db.location import parse_url  # noqa: E402

TEST_SERVER_ENV = "EXOTIC_TEST_DATABASE_URL"
# "--hypothesis-profile=first-failure" reports a property test's failure without shrinking
# it, which against a database can take many minutes (to check that a test can fail).
settings.register_profile(
    "first-failure",
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    report_multiple_bugs=False,
)
# CI draws the same examples on every run (a submission must not fail by the luck of the
# draw); a developer's runs draw new ones each time, which is how new bugs are found.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
FAST_UNSAFE_SETTINGS = {
    # Throw-away clusters: durability is not worth the time here.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
}


class TestServer:
    """Creates and drops databases on the server the suite runs against."""

    def __init__(self, admin_url: URL) -> None:
        self.admin_url = admin_url
        self._admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.run_id = uuid.uuid4().hex[:8]
        self.template = f"exotic_tpl_{self.run_id}"

    def url(self, database: str) -> URL:
        return self.admin_url.set(database=database)

    def create_database(self, name: str, template: str | None = None) -> URL:
        clause = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def new_name(self) -> str:
        return f"exotic_t_{self.run_id}_{uuid.uuid4().hex[:8]}"

    def version_num(self) -> int:
        with self._admin.connect() as conn:
            return int(conn.execute(text("SHOW server_version_num")).scalar_one())

    def close(self) -> None:
        self._admin.dispose()


@pytest.fixture(scope="session")
def test_server() -> Iterator[TestServer]:
    external = os.environ.get(TEST_SERVER_ENV, "").strip()
    if external:
        server = TestServer(parse_url(external, origin=TEST_SERVER_ENV))
        yield server
        server.close()
        return
    base = Path(tempfile.mkdtemp(prefix="exotic-tests-pg-"))
    cluster = EmbeddedServer(base / "cluster", settings=FAST_UNSAFE_SETTINGS)
    cluster.start()
    server = TestServer(cluster.url("postgres"))
    try:
        yield server
    finally:
        server.close()
        cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def template_database(test_server: TestServer) -> Iterator[str]:
    """A database migrated to head once per session; tests get clones of it."""
    test_server.create_database(test_server.template)
    engine = create_engine(test_server.url(test_server.template), poolclass=NullPool)
    try:
        migrate.upgrade(engine, "head")
    finally:
        engine.dispose()
    yield test_server.template
    test_server.drop_database(test_server.template)


@pytest.fixture
def database_url(test_server: TestServer, template_database: str) -> Iterator[URL]:
    """A fresh database at head, for this test alone."""
    name = test_server.new_name()
    url = test_server.create_database(name, template=template_database)
    yield url
    test_server.drop_database(name)


@pytest.fixture
def empty_database_url(test_server: TestServer) -> Iterator[URL]:
    """A fresh database with no schema at all (for migration tests)."""
    name = test_server.new_name()
    url = test_server.create_database(name)
    yield url
    test_server.drop_database(name)


@pytest.fixture
def engine(database_url: URL) -> Iterator[Engine]:
    eng = build_engine(database_url)
    yield eng
    eng.dispose()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_PROFILE, ignore_errors=True)

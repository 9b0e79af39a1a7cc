"""Where the database is: option, then environment, then saved settings, then embedded."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from desktop.config import (
    AppDirs,
    PoolSettings,
    SavedSettings,
    ServerSettings,
    SettingsError,
    folder_failure,
    load_settings,
    reset_settings,
    save_settings,
)
from desktop.db.location import Source, parse_url, resolve
from desktop.domain.errors import DatabaseUrlError, DiskFull, WayOut


@pytest.fixture
def dirs(tmp_path: Path) -> AppDirs:
    return AppDirs(config=tmp_path / "config", data=tmp_path / "data", log=tmp_path / "log")


def _save_server(dirs: AppDirs) -> None:
    save_settings(
        dirs.settings_file,
        SavedSettings(
            server=ServerSettings(host="db.office", user="clerk", password="s3cret-pass"),
            pool=PoolSettings(max_connections=10, idle_connections=2),
        ),
    )


OPTION = "postgresql+psycopg://a@option-host/option_db"
ENV = "postgresql://b@env-host/env_db"


def test_option_beats_environment_and_saved_settings(dirs: AppDirs) -> None:
    _save_server(dirs)
    location = resolve(OPTION, dirs=dirs, environ={"EXOTIC_DATABASE_URL": ENV})
    assert location.source is Source.OPTION
    assert location.configured_url is not None
    assert location.configured_url.host == "option-host"


def test_environment_beats_saved_settings(dirs: AppDirs) -> None:
    _save_server(dirs)
    location = resolve(None, dirs=dirs, environ={"EXOTIC_DATABASE_URL": ENV})
    assert location.source is Source.ENVIRONMENT
    assert location.configured_url is not None
    assert location.configured_url.drivername == "postgresql+psycopg"
    assert location.pool.max_connections == 10, "pool settings still come from the file"


def test_saved_settings_beat_the_embedded_default(dirs: AppDirs) -> None:
    _save_server(dirs)
    location = resolve(None, dirs=dirs, environ={})
    assert location.source is Source.SAVED
    assert location.describe() == "server db.office:5432, database exotic_travel"
    assert "s3cret-pass" not in location.describe()


def test_without_configuration_the_embedded_database_is_used(dirs: AppDirs) -> None:
    location = resolve(None, dirs=dirs, environ={})
    assert location.is_embedded
    assert location.cluster is not None
    assert location.cluster.data_dir == dirs.embedded_cluster
    assert not dirs.embedded_cluster.exists(), "nothing is started before open()"


def test_settings_file_is_private_and_round_trips(dirs: AppDirs) -> None:
    _save_server(dirs)
    mode = stat.S_IMODE(dirs.settings_file.stat().st_mode)
    assert mode & (stat.S_IRWXG | stat.S_IRWXO) == 0
    loaded = load_settings(dirs.settings_file)
    assert loaded is not None
    assert loaded.server is not None
    assert loaded.server.password == "s3cret-pass"


def test_a_broken_settings_file_says_how_to_fix_it(dirs: AppDirs) -> None:
    dirs.config.mkdir(parents=True)
    dirs.settings_file.write_text("{not json")
    with pytest.raises(SettingsError, match="cannot be read") as caught:
        resolve(None, dirs=dirs, environ={})
    assert str(dirs.settings_file) in caught.value.message
    assert caught.value.fix is not None
    assert "reset the saved settings" in caught.value.fix
    assert WayOut.RESET_SETTINGS in caught.value.offered()


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("mysql://x@h/db", "only PostgreSQL"),
        ("postgresql://x@h", "names no database"),
        ("not a url", "not a database URL"),
    ],
)
def test_bad_urls_are_refused_with_the_fix(raw: str, problem: str) -> None:
    with pytest.raises(SettingsError, match=problem):
        parse_url(raw, origin="--database-url")


def test_a_url_naming_the_local_databases_socket_joins_its_cluster(
    dirs: AppDirs, tmp_path: Path
) -> None:
    # Our cluster's folder (what initdb and our start leave there), serving its socket.
    cluster = tmp_path / "cluster"
    cluster.mkdir()
    (cluster / "PG_VERSION").write_text("18\n")
    (cluster / "exotic-travel.conf").write_text("# ours\n")
    url = f"postgresql://postgres@/exotic_travel?host={cluster}&port=5432"
    location = resolve(url, dirs=dirs, environ={})
    assert location.source is Source.OPTION
    assert location.cluster is not None, "the process joins the cluster's clients"
    assert location.cluster.data_dir == cluster
    assert not location.is_embedded, "the URL is used as given, not migrated as the local one"
    assert location.describe() == f"server {cluster}:5432, database exotic_travel"

    elsewhere = resolve("postgresql://postgres@/db?host=/run/postgresql", dirs=dirs, environ={})
    assert elsewhere.cluster is None, "a socket of a server that is not ours"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("postgresql://x@h/db?exotic_pooler=abc", "exotic_pooler=abc, which is not a port number"),
        ("postgresql://x@h/db?exotic_pooler=70000", "which is not a port number"),
        ("postgresql://x@h:port/db", "port that is not a number"),
    ],
)
def test_bad_ports_in_urls_are_refused_with_the_fix(dirs: AppDirs, raw: str, problem: str) -> None:
    with pytest.raises(DatabaseUrlError, match=problem) as caught:
        resolve(raw, dirs=dirs, environ={})
    assert caught.value.offered() == (WayOut.LOG_FOLDER,), "only a new URL helps"


def test_a_settings_file_with_a_wrong_value_names_it(dirs: AppDirs) -> None:
    dirs.config.mkdir(parents=True)
    dirs.settings_file.write_text('{"server": {"host": "db.office", "port": "5432"}}')
    with pytest.raises(SettingsError, match='port is "5432", not a whole number'):
        load_settings(dirs.settings_file)
    dirs.settings_file.write_text('{"server": {"host": "db.office", "sslmode": "maybe"}}')
    with pytest.raises(SettingsError, match="TLS mode 'maybe' is unknown"):
        load_settings(dirs.settings_file)


def test_reset_keeps_the_old_settings_beside(dirs: AppDirs) -> None:
    _save_server(dirs)
    kept = reset_settings(dirs.settings_file)
    assert kept == dirs.settings_file.with_name("connection.json.old")
    assert not dirs.settings_file.exists()
    assert load_settings(kept) is not None
    assert reset_settings(dirs.settings_file) is None, "nothing saved: nothing to reset"


def test_writing_to_a_full_disk_is_disk_full(tmp_path: Path) -> None:
    """The one mapping from the OS's numbers, fed by a real ENOSPC from /dev/full."""
    try:
        Path("/dev/full").write_text("x")
    except OSError as exc:
        failure = folder_failure(exc, tmp_path, what="its log")
    assert isinstance(failure, DiskFull)
    assert failure.message == f"The disk holding its log is full ({tmp_path})."
    assert failure.fix == "Free some space on that disk, then try again."

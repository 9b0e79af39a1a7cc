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
    load_settings,
    save_settings,
)
from desktop.db.location import Source, parse_url, resolve
from desktop.domain.errors import WayOut


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

"""The window, sent SIGTERM while the local database runs, exits and stops the server."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from desktop.config import AppDirs, SavedSettings, save_settings


@pytest.fixture
def local_profile() -> Iterator[Path]:
    """A profile that chose the local database (so the window starts it at once)."""
    home = Path(tempfile.mkdtemp(prefix="exotic-sigterm-"))
    dirs = AppDirs(config=home / "config", data=home / "data", log=home / "log")
    save_settings(dirs.settings_file, SavedSettings(server=None))
    yield home
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "postgres" and str(home) in " ".join(proc.info["cmdline"] or []):
            proc.kill()
    shutil.rmtree(home, ignore_errors=True)


def _servers(home: Path) -> list[psutil.Process]:
    return [
        p
        for p in psutil.process_iter(["name", "cmdline"])
        if p.info["name"] == "postgres" and str(home) in " ".join(p.info["cmdline"] or [])
    ]


def test_sigterm_closes_the_window_and_stops_the_local_server(local_profile: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "EXOTIC_DATABASE_URL"}
    env.update(EXOTIC_HOME=str(local_profile), QT_QPA_PLATFORM="offscreen")
    window = subprocess.Popen(
        [sys.executable, "-m", "desktop"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while not _servers(local_profile) and time.monotonic() < deadline:
            assert window.poll() is None, window.stderr.read().decode() if window.stderr else ""
            time.sleep(0.2)
        assert _servers(local_profile), "the window starts the local database"
        time.sleep(2)  # let it migrate and show the first-administrator dialog
        window.send_signal(signal.SIGTERM)
        assert window.wait(timeout=30) == 0
    finally:
        if window.poll() is None:
            window.kill()
    deadline = time.monotonic() + 15
    while _servers(local_profile) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _servers(local_profile) == []

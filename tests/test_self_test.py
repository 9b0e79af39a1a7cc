"""``exotic-travel --self-test``, run as a person would run it: a separate process.

The frozen bundle runs the same command in scripts/build-and-smoke; here it runs
from the source tree, offscreen, so it belongs to every test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _self_test(tmp_path: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "TMPDIR": str(temp),
        "EXOTIC_HOME": str(tmp_path / "profile"),
        **extra_env,
    }
    env.pop("EXOTIC_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--self-test"],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=ROOT,
        check=False,
    )


def _left_behind(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "tmp").glob("exotic-self-test-*"))


def test_self_test_passes_and_leaves_nothing_behind(tmp_path: Path) -> None:
    result = _self_test(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("SELF-TEST OK in "), result.stdout
    for check in (
        "embedded PostgreSQL started",
        "migrated to head",
        "password hashed and verified",
        "audit trail written",
        "fonts render text",
        "sign-in window shown, signed in",
        "main window shown",
    ):
        assert any(check in line for line in lines), f"{check!r} missing:\n{result.stdout}"
    assert "platform offscreen" in result.stdout
    assert _left_behind(tmp_path) == [], "the temporary cluster was not deleted"
    assert not (tmp_path / "profile").exists(), "the user's profile was touched"


@pytest.mark.skipif(sys.platform != "linux", reason="fontconfig decides the fonts on Linux")
def test_self_test_fails_without_fonts_and_says_what_to_install(tmp_path: Path) -> None:
    no_fonts = tmp_path / "no-fonts.conf"
    no_fonts.write_text(
        f"<?xml version='1.0'?><fontconfig><cachedir>{tmp_path / 'fc'}</cachedir></fontconfig>",
        "utf-8",
    )

    result = _self_test(tmp_path, FONTCONFIG_FILE=str(no_fonts))

    assert result.returncode == 1, result.stdout + result.stderr
    assert "SELF-TEST OK" not in result.stdout
    assert "SELF-TEST FAILED: fonts render text:" in result.stderr
    assert "fonts-dejavu-core" in result.stderr
    assert _left_behind(tmp_path) == []

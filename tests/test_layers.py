"""The import contracts (import-linter, in pyproject.toml) hold, and they can fail.

``lint-imports`` follows every import, indirect ones and ``from desktop import db``
included; ``scripts/test`` runs it before pytest. Here: the tree keeps the
contracts, a copy of the package with a forbidden import breaks them, importing
the command line loads no Qt (its window imports are lazy, which a static graph
cannot tell), and every package is listed for the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "desktop"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    """Run the project's contracts over the ``desktop`` package found in ``package_parent``."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=package_parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_tree_keeps_the_import_contracts() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken", "chain"),
    [
        (
            "db/keyset.py",
            "import desktop.ui",
            "Layers",
            "desktop.db.keyset -> desktop.ui",
        ),
        (
            "domain/listing.py",
            "from desktop import db",
            "Layers",
            "desktop.domain.listing -> desktop.db",
        ),
        (
            "ui/widgets/colors.py",
            "from desktop.ui.dialogs import open_dialog",
            "The window's parts",
            "desktop.ui.widgets.colors -> desktop.ui.dialogs",
        ),
        (
            "domain/records.py",
            "import PySide6.QtCore",
            "Qt only in the window",
            "desktop.domain.records -> PySide6",
        ),
    ],
)
def test_a_forbidden_import_breaks_a_contract(
    tmp_path: Path, module: str, line: str, broken: str, chain: str
) -> None:
    copy = tmp_path / "desktop"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / module
    target.write_text(target.read_text("utf-8") + f"\n{line}  # noqa\n", "utf-8")

    result = _lint_imports(tmp_path)

    assert result.returncode != 0, result.stdout
    assert "1 broken" in result.stdout, result.stdout
    broken_section = result.stdout.split("Broken contracts", 1)[1]
    assert broken in broken_section
    assert chain in broken_section


def test_cli_and_core_layers_load_without_qt() -> None:
    code = (
        "import sys, pkgutil, importlib, desktop\n"
        "import desktop.cli\n"
        "for layer in ('domain', 'db', 'services'):\n"
        "    pkg = importlib.import_module('desktop.' + layer)\n"
        "    for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(mod.name)\n"
        "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(','.join(qt))\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == ""


def test_every_package_is_listed_for_the_wheel() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    listed = set(project["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts) for init in PACKAGE.rglob("__init__.py")
    }
    assert on_disk <= listed

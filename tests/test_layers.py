"""Import contract: ui -> services -> db -> domain, one way; only the UI imports Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "desktop"

# layer -> module prefixes it must never import
FORBIDDEN = {
    "domain": (
        "PySide6",
        "shiboken6",
        "sqlalchemy",
        "psycopg",
        "alembic",
        "desktop.db",
        "desktop.services",
        "desktop.ui",
    ),
    "db": ("PySide6", "shiboken6", "desktop.services", "desktop.ui"),
    "services": ("PySide6", "shiboken6", "desktop.ui"),
    "ui": ("sqlalchemy", "psycopg", "alembic", "desktop.db"),
}
NON_UI_TOP_LEVEL = ("config.py", "logs.py", "version.py", "bootstrap.py", "self_check.py")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _violations(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in files:
        for name in sorted(_imports(path)):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer: str) -> None:
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files, f"no modules in desktop/{layer}"
    assert _violations(files, FORBIDDEN[layer]) == []


def test_top_level_support_modules_do_not_import_qt() -> None:
    files = [PACKAGE / name for name in NON_UI_TOP_LEVEL if (PACKAGE / name).exists()]
    assert _violations(files, ("PySide6", "shiboken6", "desktop.ui")) == []


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
    project = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text("utf-8"))
    listed = set(project["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(PACKAGE.parent).parts)
        for init in PACKAGE.rglob("__init__.py")
    }
    assert on_disk <= listed

"""The one version number, read from the project's metadata (``pyproject.toml``)."""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

APP_NAME = "Exotic Travel Back Office"
DIST_NAME = "exotic-travel"


def _read_version() -> str:
    try:
        return metadata.version(DIST_NAME)
    except metadata.PackageNotFoundError:
        pass
    # Running from a source tree that was never installed: read pyproject.toml.
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    if pyproject.is_file():
        match = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text("utf-8"), re.M)
        if match:
            return match.group(1)
    return "0+unknown"


__version__ = _read_version()


def user_agent(host: str) -> str:
    """The user agent written to audit rows: application, version, platform and host."""
    return f"ExoticTravelBackOffice/{__version__} ({sys.platform}; {host})"

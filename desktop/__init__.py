"""Exotic Travel Back Office.

Layers, import direction one way: ``ui`` -> ``services`` -> ``db`` -> ``domain``.
Only ``desktop.ui`` imports Qt.
"""

from desktop.version import APP_NAME, __version__

__all__ = ["APP_NAME", "__version__"]

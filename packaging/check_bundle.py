"""Checks on the one-folder bundle that need no display: lean, complete, within budget.

    python packaging/check_bundle.py [--bundle dist/exotic-travel] [--budget-mb 180]

Fails (exit 1, with the list) when

* a Qt module or plugin we do not use slipped in (WebEngine, Quick, Qml, Pdf,
  VirtualKeyboard, Sql, Wayland, GTK theme, Qt's translations);
* a library any binary of the bundle links to is not found (``ldd`` with the
  bundle's folder on the library path, as its launcher sets it), or is found
  outside the bundle without being one the installation notes ask the host for
  (glibc, libGL/libEGL and libxcb): anything else would be missing on a
  minimal system even though this build host happens to have it;
* a file the window needs at run time is missing (the emoji fallback font:
  names with emoji would show empty boxes);
* the folder is bigger than the budget.

Linux only (``ldd``); prints the folder's size.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

UNWANTED = re.compile(
    r"""(
        Qt6?(WebEngine|WebChannel|WebView|Quick|Qml|Pdf|VirtualKeyboard|Sql|Wayland|Designer
             |OpenGL|PrintSupport|Test|UiTools|Multimedia|3D)
      | plugins/(wayland-[^/]+|sqldrivers|platformthemes|qmltooling|printsupport
                 |egldeviceintegrations|generic|designer|networkinformation)/
      | plugins/platforms/libq(wayland|eglfs|linuxfb|vnc|minimal|vkkhrdisplay)
      | PySide6/Qt/translations/.*\.qm$
      | ^pygments/
    )""",
    re.VERBOSE,
)
# What INSTALL.txt asks the host for (libgl1, libegl1 and libglvnd0 under them,
# libxcb1) and glibc itself; PyInstaller leaves exactly these out on purpose.
HOST_LIBRARIES = re.compile(
    r"""^(
        (libc|libm|libdl|libpthread|librt|libresolv|libutil|libanl|libcrypt)\.so\.\d+
      | ld-linux[-\w]*\.so\.\d+
      | lib(GL|EGL|GLX|GLdispatch|OpenGL)\.so\.\d+
      | libxcb\.so\.1
    )$""",
    re.VERBOSE,
)
# Data files the window loads by path, which no import analysis can see are needed.
REQUIRED_FILES = ("resources/fonts/NotoColorEmoji.ttf", "resources/fonts/OFL.txt")
_LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(not found|\S+)", re.M)


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False


def unwanted(bundle: Path) -> list[str]:
    internal = bundle / "_internal"
    return sorted(
        str(path.relative_to(internal)).replace(os.sep, "/")
        for path in internal.rglob("*")
        if UNWANTED.search(str(path.relative_to(internal)).replace(os.sep, "/"))
    )


def library_problems(bundle: Path) -> list[str]:
    internal = (bundle / "_internal").resolve()
    env = dict(os.environ, LD_LIBRARY_PATH=str(internal))
    ldd = shutil.which("ldd") or "ldd"
    problems = []
    for path in sorted(bundle.rglob("*")):
        if path.is_symlink() or not path.is_file() or not _is_elf(path):
            continue
        out = subprocess.run(  # noqa: S603 - ldd on our own files
            [ldd, str(path)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        ).stdout
        rel = path.relative_to(bundle)
        for name, where in _LDD_LINE.findall(out):
            if where == "not found":
                problems.append(f"{rel}: {name} not found")
                continue
            resolved = Path(where).resolve()
            if resolved.is_relative_to(internal):
                continue
            if not HOST_LIBRARIES.match(name):
                problems.append(f"{rel}: {name} comes from the build host ({where})")
    return sorted(set(problems))


def missing_files(bundle: Path) -> list[str]:
    internal = bundle / "_internal"
    return [name for name in REQUIRED_FILES if not (internal / name).is_file()]


def folder_size(bundle: Path) -> int:
    return sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "exotic-travel")
    parser.add_argument("--budget-mb", type=float, default=180.0)
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        parser.error("these checks use ldd: Linux only")

    failed = False
    extra = unwanted(args.bundle)
    if extra:
        failed = True
        print("Unwanted modules or plugins in the bundle:", *extra, sep="\n  ")
    problems = library_problems(args.bundle)
    if problems:
        failed = True
        print("Libraries missing from the bundle:", *problems, sep="\n  ")
    missing = missing_files(args.bundle)
    if missing:
        failed = True
        print("Files missing from the bundle:", *missing, sep="\n  ")
    size_mb = folder_size(args.bundle) / 1e6
    files = sum(1 for p in args.bundle.rglob("*") if p.is_file())
    print(
        f"bundle: {args.bundle} {size_mb:.1f} MB in {files} files (budget {args.budget_mb:.0f} MB)"
    )
    if size_mb > args.budget_mb:
        failed = True
        print(f"The bundle is over its budget by {size_mb - args.budget_mb:.1f} MB.")
    if not failed:
        print("bundle checks: no unwanted Qt parts, every library and file found, within budget")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

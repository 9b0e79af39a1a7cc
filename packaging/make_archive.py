"""The release archive: ``dist/exotic-travel-<version>-<system>-<arch>.tar.gz``.

    python packaging/make_archive.py [--dist dist]

Packs the one-folder bundle that ``pyinstaller build.spec`` left in
``dist/exotic-travel/`` with the menu entry, the icon and INSTALL.txt, under
one top folder ``exotic-travel-<version>/``. The version is pyproject.toml's,
and the bundle must say the same (``exotic-travel --version``). INSTALL.txt
gets the system packages from desktop/self_check.py and, on Linux, the
newest glibc symbol version any file of the bundle needs (``objdump -p``).
Windows gets a .zip instead; the rest is the same but untried.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "packaging"
APP = "exotic-travel"
_GLIBC = re.compile(r"\bGLIBC_(\d+(?:\.\d+)+)\b")
_SYSTEMS = {"linux": "linux", "darwin": "macos", "win32": "windows"}
_ARCHES = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "arm64", "aarch64": "aarch64"}


def project_version() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return str(project["project"]["version"])


def debian_packages() -> str:
    """DEBIAN_PACKAGES of desktop/self_check.py, read without importing the application."""
    tree = ast.parse((ROOT / "desktop" / "self_check.py").read_text("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "DEBIAN_PACKAGES" for t in node.targets
        ):
            return " ".join(ast.literal_eval(node.value))
    raise SystemExit("DEBIAN_PACKAGES is missing from desktop/self_check.py")


def bundle_version(executable: Path) -> str:
    result = subprocess.run(  # noqa: S603 - the bundle we just built
        [str(executable), "--version"], capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.strip().rsplit(" ", 1)[-1]


def _is_elf(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == b"\x7fELF"


def minimum_glibc(bundle: Path) -> tuple[str, str]:
    """The newest GLIBC_x.y version any ELF file of the bundle requires, and one such file."""
    objdump = shutil.which("objdump")
    if objdump is None:
        raise SystemExit("objdump is missing (Debian: apt-get install binutils)")
    newest: tuple[int, ...] = (0,)
    needed_by = ""
    for path in sorted(bundle.rglob("*")):
        if path.is_symlink() or not path.is_file() or not _is_elf(path):
            continue
        out = subprocess.run(  # noqa: S603
            [objdump, "-p", str(path)], capture_output=True, text=True, check=False
        ).stdout
        for found in _GLIBC.findall(out):
            version = tuple(int(part) for part in found.split("."))
            if version > newest:
                newest, needed_by = version, str(path.relative_to(bundle))
    return ".".join(map(str, newest)), needed_by


def build_host() -> str:
    if sys.platform == "linux":
        try:
            release = platform.freedesktop_os_release()
            name = release.get("PRETTY_NAME", "Linux")
        except OSError:
            name = "Linux"
        libc = "-".join(platform.libc_ver())
        return f"{name}, {libc}"
    return f"{platform.system()} {platform.release()}"


def _readable(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Owned by root, readable by everyone (the database server's user reads the bundle)."""
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    if info.isdir():
        info.mode |= 0o755
    elif info.isfile():
        info.mode |= 0o444 | (0o111 if info.mode & 0o100 else 0)
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    bundle = args.dist / APP
    executable = bundle / (f"{APP}.exe" if sys.platform == "win32" else APP)
    if not executable.is_file():
        raise SystemExit(f"{executable} is missing: build it first (pyinstaller build.spec)")

    version = project_version()
    frozen = bundle_version(executable)
    if frozen != version:
        raise SystemExit(f"the bundle says {frozen}, pyproject.toml says {version}")
    system = _SYSTEMS.get(sys.platform, sys.platform)
    arch = _ARCHES.get(platform.machine().lower(), platform.machine().lower())
    folder = f"{APP}-{version}"
    glibc, glibc_file = minimum_glibc(bundle) if system == "linux" else ("n/a", "")
    notes = (HERE / "INSTALL.txt.in").read_text("utf-8")
    for key, value in {
        "VERSION": version,
        "SYSTEM": {"linux": "Linux", "macos": "macOS", "windows": "Windows"}.get(system, system),
        "ARCH": arch,
        "GLIBC": glibc,
        "BUILT_ON": build_host(),
        "PACKAGES": debian_packages(),
        "FOLDER": folder,
        "ARCHIVE": f"{folder}-{system}-{arch}.tar.gz",
    }.items():
        notes = notes.replace(f"@{key}@", value)
    extras = {
        f"{APP}.desktop": (HERE / f"{APP}.desktop").read_bytes(),
        f"{APP}.png": (ROOT / "resources" / "icons" / "app.png").read_bytes(),
        f"{APP}.svg": (ROOT / "resources" / "icons" / "app.svg").read_bytes(),
        "INSTALL.txt": notes.encode("utf-8"),
    }

    if system == "windows":
        archive = args.dist / f"{folder}-{system}-{arch}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
            for path in sorted(bundle.rglob("*")):
                out.write(path, f"{folder}/{APP}/{path.relative_to(bundle).as_posix()}")
            for name, body in extras.items():
                out.writestr(f"{folder}/{name}", body)
    else:
        archive = args.dist / f"{folder}-{system}-{arch}.tar.gz"
        with tarfile.open(archive, "w:gz", compresslevel=6) as out:
            out.add(bundle, f"{folder}/{APP}", filter=_readable)
            for name, body in extras.items():
                info = _readable(tarfile.TarInfo(f"{folder}/{name}"))
                info.size, info.mode, info.mtime = len(body), 0o644, int(os.path.getmtime(bundle))
                out.addfile(info, io.BytesIO(body))
    size_mb = archive.stat().st_size / 1e6
    print(f"archive: {archive} ({size_mb:.1f} MB)")
    if system == "linux":
        print(f"minimum glibc: {glibc} (needed by {glibc_file})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

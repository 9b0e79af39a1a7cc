"""Time from launch to the sign-in window, as a person sees it, on an X display.

    python packaging/measure_startup.py --display :99 [--runs 5] -- dist/exotic-travel/exotic-travel

The command runs in a throw-away profile (``EXOTIC_HOME`` in a temporary
folder). First ``COMMAND create-admin`` creates the local database and an
account, so that the window's start goes straight to the sign-in dialog; then
the window is started ``--runs`` times. Each run is timed from the moment the
process is started to the moment X reports the "Sign in" window viewable
(``xwininfo``, from x11-utils, polled every 10 ms), with the CPU time the
process had used by then (less sensitive to a busy machine than the wall
clock, which includes waiting for a CPU); then the window is sent
SIGTERM, which closes it and stops the local server like Quit does. The first
run reads files from disk (cold for this build); the others are warm starts.
Prints one line per run and a summary; exits non-zero if a window never shows.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TITLE = "Sign in"
TIMEOUT_S = 60.0
POLL_S = 0.01
_WINDOW = re.compile(r'^\s*(0x[0-9a-f]+) "([^"]*)"', re.M)


def _xwininfo(display: str, *args: str) -> str:
    xwininfo = shutil.which("xwininfo") or "xwininfo"
    env = dict(os.environ, DISPLAY=display)
    return subprocess.run(  # noqa: S603 - fixed arguments
        [xwininfo, *args], capture_output=True, text=True, env=env, check=False
    ).stdout


def _viewable_window(display: str, title: str) -> str | None:
    for window_id, name in _WINDOW.findall(_xwininfo(display, "-root", "-tree")):
        if not name.startswith(title):
            continue
        info = _xwininfo(display, "-id", window_id)
        if "Map State: IsViewable" in info:
            return name
    return None


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _one_run(
    command: list[str], env: dict[str, str], display: str, log: Path
) -> tuple[float, float]:
    """Wall-clock seconds to the sign-in window, and the CPU seconds the process used."""
    with log.open("ab") as out:
        began = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out)  # noqa: S603
        try:
            while _viewable_window(display, TITLE) is None:
                if process.poll() is not None:
                    raise RuntimeError(f"the application exited with {process.returncode}")
                if time.perf_counter() - began > TIMEOUT_S:
                    raise RuntimeError(f"no {TITLE!r} window within {TIMEOUT_S:.0f} s")
                time.sleep(POLL_S)
            return time.perf_counter() - began, _cpu_seconds(process.pid)
        finally:
            _stop(process)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--display", required=True, help="a running X server, e.g. :99")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("command", nargs="+", help="the application's command")
    args = parser.parse_args(argv)
    if shutil.which("xwininfo") is None:
        parser.error("xwininfo is missing (Debian: apt-get install x11-utils)")

    home = Path(tempfile.mkdtemp(prefix="exotic-startup-"))
    log = home / "output.log"
    env = {
        **os.environ,
        "EXOTIC_HOME": str(home / "profile"),
        "DISPLAY": args.display,
        "QT_QPA_PLATFORM": "xcb",
    }
    env.pop("EXOTIC_DATABASE_URL", None)
    try:
        setup = subprocess.run(  # noqa: S603
            [
                *args.command,
                "create-admin",
                "--name",
                "Startup Probe",
                "--email",
                "probe@example.invalid",
            ],
            env={**env, "EXOTIC_ADMIN_PASSWORD": secrets.token_urlsafe(18)},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if setup.returncode != 0:
            print(f"create-admin failed:\n{setup.stdout}{setup.stderr}", file=sys.stderr)
            return 1
        times, cpu = [], []
        for number in range(1, args.runs + 1):
            try:
                seconds, cpu_seconds = _one_run(args.command, env, args.display, log)
            except RuntimeError as exc:
                print(f"run {number}: {exc}\n{log.read_text('utf-8', 'replace')}", file=sys.stderr)
                return 1
            times.append(seconds)
            cpu.append(cpu_seconds)
            print(
                f"run {number}: {seconds:.2f} s to the sign-in window "
                f"({cpu_seconds:.2f} s of CPU in the application's process)",
                flush=True,
            )
        warm, warm_cpu = times[1:] or times, cpu[1:] or cpu
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"start-up: first {times[0]:.2f} s, warm median {statistics.median(warm):.2f} s "
            f"(min {min(warm):.2f}, max {max(warm):.2f}, {len(warm)} runs; "
            f"CPU median {statistics.median(warm_cpu):.2f} s; load average {load:.1f})"
        )
        return 0
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())

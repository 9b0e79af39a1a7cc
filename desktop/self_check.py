"""The installation self-test, without Qt: a throw-away database and the services over it.

``exotic-travel --self-test`` proves that an installed copy (above all the
frozen bundle, on a machine without Python) has what it needs: the embedded
PostgreSQL server starts, the migrations run to head, Argon2 hashes and
verifies, and the services answer. The window's part is desktop/ui/self_test.py.
Nothing is left behind: the cluster lives in a temporary folder that is deleted
at the end, and the user's own profile is never touched.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine, text

from desktop import bootstrap
from desktop.bootstrap import BackOffice
from desktop.config import HOME_ENV
from desktop.db import migrate
from desktop.db.embedded import EMBEDDED_DATABASE, EmbeddedServer
from desktop.db.engine import build_engine
from desktop.domain.enums import Role
from desktop.domain.listing import AuditFilter, PageRequest, Sort
from desktop.domain.permissions import Actor
from desktop.services.passwords import Passwords
from desktop.version import APP_NAME, __version__

OK_LINE = "SELF-TEST OK"
FAILED_LINE = "SELF-TEST FAILED"
ADMIN_NAME = "Self Test"
ADMIN_EMAIL = "self-test@example.invalid"
# What the frozen bundle needs from a minimal Debian 12 (measured in a debootstrap
# minbase root); packaging/make_archive.py writes the same list into INSTALL.txt.
DEBIAN_PACKAGES = ("libgl1", "libegl1", "libxcb1", "fontconfig", "fonts-dejavu-core")
# A throw-away cluster: durability is not worth the time.
_SERVER_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


class SelfTestFailed(Exception):
    """A check failed; ``step`` says which, ``reason`` why."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


@dataclass
class Step:
    name: str
    detail: str = ""
    seconds: float = 0.0


@dataclass
class Timings:
    """The checks that ran, how long each took, and what each found."""

    steps: list[Step] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[Step]:
        """Time one check; any exception in it becomes ``SelfTestFailed`` naming the check."""
        current = Step(name)
        began = time.perf_counter()
        try:
            yield current
        except SelfTestFailed:
            raise
        except Exception as exc:
            raise SelfTestFailed(name, _reason(exc)) from exc
        finally:
            current.seconds = time.perf_counter() - began
        self.steps.append(current)

    @property
    def total(self) -> float:
        return time.perf_counter() - self.started

    def report(self) -> str:
        width = max((len(s.name) for s in self.steps), default=0)
        lines = [
            f"{s.seconds:6.2f} s  {s.name.ljust(width)}  {s.detail}".rstrip() for s in self.steps
        ]
        return "\n".join(lines)


def _reason(exc: BaseException) -> str:
    message = str(exc).strip() or "no details"
    return f"{type(exc).__name__}: {message}"


def header(platform: str) -> str:
    how = "frozen bundle" if getattr(sys, "frozen", False) else f"Python {sys.version.split()[0]}"
    return f"{APP_NAME} {__version__} self-test ({how}, Qt platform {platform})"


class Workspace:
    """A private profile and database in a temporary folder, with the services over it.

    On entry: points ``EXOTIC_HOME`` at the folder (window state and logs go there,
    not to the user's profile), starts an embedded server, migrates it to head,
    checks Argon2, builds the services and signs in a first administrator. On
    exit: stops the server and deletes the folder, even after a failure.
    """

    def __init__(self, timings: Timings) -> None:
        self.timings = timings
        self.root = Path(tempfile.mkdtemp(prefix="exotic-self-test-"))
        self.profile = self.root / "profile"
        self.password = secrets.token_urlsafe(18)
        self._server: EmbeddedServer | None = None
        self._engine: Engine | None = None
        self._office: BackOffice | None = None
        self._actor: Actor | None = None
        self._old_home = os.environ.get(HOME_ENV)
        os.environ[HOME_ENV] = str(self.profile)

    @property
    def office(self) -> BackOffice:
        if self._office is None:
            raise RuntimeError("the workspace is not open")
        return self._office

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            raise RuntimeError("the workspace is not open")
        return self._actor

    def __enter__(self) -> Workspace:
        try:
            self._open()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _open(self) -> None:
        with self.timings.step("embedded PostgreSQL started") as step:
            self._server = EmbeddedServer(self.root / "database", settings=_SERVER_SETTINGS)
            self._server.start()
            self._server.ensure_database(EMBEDDED_DATABASE)
            self._engine = build_engine(self._server.url(EMBEDDED_DATABASE))
            with self._engine.connect() as conn:
                version = conn.execute(text("SHOW server_version")).scalar_one()
            step.detail = f"PostgreSQL {version} in a temporary folder"
        with self.timings.step("migrated to head") as step:
            migrate.upgrade(self._engine, "head")
            state = migrate.status(self._engine)
            if not state.at_head:
                raise SelfTestFailed(step.name, f"{len(state.pending)} revision(s) still pending")
            step.detail = ", ".join(state.current)
        with self.timings.step("password hashed and verified") as step:
            passwords = Passwords()
            hashed = passwords.hash(self.password)
            if not passwords.verify(hashed, self.password):
                raise SelfTestFailed(step.name, "the right password did not verify")
            if passwords.verify(hashed, self.password + "x"):
                raise SelfTestFailed(step.name, "a wrong password verified")
            step.detail = "Argon2id, " + hashed.split("$")[3]
        with self.timings.step("administrator created and signed in") as step:
            self._office = bootstrap.build(self._engine, passwords=passwords)
            self._office.auth.create_first_admin(ADMIN_NAME, ADMIN_EMAIL, self.password)
            self._actor = self._office.auth.sign_in(ADMIN_EMAIL, self.password)
            if self._actor.role is not Role.ADMIN:
                raise SelfTestFailed(step.name, f"signed in as {self._actor.role}, not admin")
            step.detail = "through the sign-in service"
        with self.timings.step("audit trail written") as step:
            rows = self._office.audit.page(
                self._actor,
                AuditFilter(action="staff.create_first_admin"),
                PageRequest(Sort("created_at", descending=True), limit=1),
            ).rows
            agent = rows[0].user_agent if rows else None
            if agent is None or f"/{__version__} " not in agent:
                raise SelfTestFailed(step.name, f"the audit row's application is {agent!r}")
            step.detail = agent

    def close(self) -> None:
        """Release everything; safe to call twice and after a failed start."""
        if self._office is not None:
            self._office.close()
            self._office = None
        elif self._engine is not None:
            self._engine.dispose()
        self._engine = None
        if self._server is not None:
            with contextlib.suppress(Exception):
                self._server.destroy()
            self._server = None
        shutil.rmtree(self.root, ignore_errors=True)
        if self._old_home is None:
            os.environ.pop(HOME_ENV, None)
        else:
            os.environ[HOME_ENV] = self._old_home

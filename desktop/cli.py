"""The ``exotic-travel`` command: no arguments opens the window; subcommands run without Qt."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable, Sequence

from desktop import logs
from desktop.config import AppDirs
from desktop.db.embedded import install_exit_handlers
from desktop.domain.errors import BackOfficeError, FolderUnusable, ValidationError
from desktop.version import APP_NAME, __version__

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it

ADMIN_PASSWORD_ENV = "EXOTIC_ADMIN_PASSWORD"  # noqa: S105 - where the password is, not it
PASSWORD_TRIES = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="exotic-travel",
        description=f"{APP_NAME}. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="the database to use (postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE); "
        "overrides EXOTIC_DATABASE_URL and the saved settings",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to the console")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation and exit: a throw-away local database in a temporary "
        "folder, migrations, password hashing, fonts, the sign-in and main windows "
        "(offscreen unless QT_QPA_PLATFORM names a display); prints SELF-TEST OK, or the "
        "reason and exits non-zero. Leaves nothing behind.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    db = commands.add_parser("db", help="database schema: upgrade, downgrade, status, url")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = db_commands.add_parser("upgrade", help="migrate the database up (default: to head)")
    up.add_argument("revision", nargs="?", default="head")
    down = db_commands.add_parser(
        "downgrade", help="migrate the database down (default: one revision; 'base' empties it)"
    )
    down.add_argument("revision", nargs="?", default="-1")
    db_commands.add_parser("status", help="current revision, pending revisions, server")
    db_commands.add_parser("url", help="print the database URL in use (password hidden)")

    admin = commands.add_parser(
        "create-admin",
        help="create the first administrator (only while no staff account exists)",
        description="Create the first administrator account. Works only while the database "
        "has no staff account; after that, administrators add accounts in the window. "
        f"The password is asked twice, or read from {ADMIN_PASSWORD_ENV} for scripted "
        "installs; it is never printed or logged.",
    )
    admin.add_argument("--name", help="the administrator's full name (asked if left out)")
    admin.add_argument("--email", help="the e-mail to sign in with (asked if left out)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; a failure is one ``error:`` line on stderr and a non-zero exit.

    Never a traceback on the terminal: the details go to the log file.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.self_test:
        if args.command is not None:
            parser.error("--self-test takes no command")
        return _self_test()
    try:
        return _run(args)
    except BackOfficeError as exc:
        log.info("Command failed: %s", exc.advice, exc_info=True, extra=logs.FILE_ONLY)
        _say_error(exc.advice)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        log.exception("Unexpected failure", extra=logs.FILE_ONLY)
        _say_error(f"Exotic Travel met an unexpected problem ({type(exc).__name__}).")
        return EXIT_FAILURE


def _say_error(text: str) -> None:
    """The person's one line: what happened, what to do, where the details are."""
    where = logs.log_file()
    details = f" Details are in {where}." if where is not None else ""
    print(f"error: {' '.join(text.split())}{details}", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    dirs = AppDirs.default()
    try:
        logs.configure(dirs.log, console_level=logging.INFO if args.verbose else logging.WARNING)
    except FolderUnusable as exc:  # carry on: the console still gets the essentials
        print(
            f"warning: {' '.join(exc.advice.split())} Nothing is logged to a file this time.",
            file=sys.stderr,
        )
    install_exit_handlers()
    if args.command is None:
        return _open_window(args.database_url)
    handlers: dict[str, Callable[[argparse.Namespace, AppDirs], int]] = {
        "db": _db,
        "create-admin": _create_admin,
    }
    return handlers[args.command](args, dirs)


def gui_main() -> int:
    """Entry point of the GUI script (no console window on Windows)."""
    return main([])


def _open_window(database_url: str | None) -> int:
    from desktop.self_check import DEBIAN_PACKAGES

    try:
        from desktop.ui.app import run
    except ImportError as exc:  # Qt's system libraries (libGL, libEGL, ...) are missing
        log.info("Qt could not be loaded", exc_info=True, extra=logs.FILE_ONLY)
        _say_error(
            f"The window cannot open: Qt could not be loaded ({exc}). Install the system "
            f"packages INSTALL.txt lists (Debian/Ubuntu: {' '.join(DEBIAN_PACKAGES)})."
        )
        return EXIT_FAILURE
    return run(database_url)


def _self_test() -> int:
    """Before logging is configured: the test's files stay in its temporary folder."""
    from desktop.self_check import DEBIAN_PACKAGES, FAILED_LINE

    try:
        from desktop.ui.self_test import run_self_test
    except ImportError as exc:  # Qt's system libraries (libGL, libEGL, ...) are missing
        print(
            f"{FAILED_LINE}: Qt could not be loaded: {exc}. Install the system packages "
            f"INSTALL.txt lists (Debian/Ubuntu: {' '.join(DEBIAN_PACKAGES)}).",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    return run_self_test()


def _db(args: argparse.Namespace, dirs: AppDirs) -> int:
    from desktop.db import migrate
    from desktop.db.diagnostics import check_server
    from desktop.db.engine import build_engine
    from desktop.db.location import resolve

    location = resolve(args.database_url, dirs=dirs)
    url = location.open()
    if args.db_command == "url":
        print(url.render_as_string(hide_password=True))
        if location.is_embedded:
            print("(the local database server runs only while Exotic Travel uses it)")
        return EXIT_OK
    info = check_server(url)
    engine = build_engine(url, location.pool)
    try:
        if args.db_command == "upgrade":
            migrate.upgrade(engine, args.revision)
        elif args.db_command == "downgrade":
            migrate.downgrade(engine, args.revision)
        state = migrate.status(engine)
    finally:
        engine.dispose()
    print(f"Database: {location.describe()} (from {location.source})")
    print(f"Server:   PostgreSQL {info.version}, database {info.database}, user {info.user}")
    print(f"Revision: {', '.join(state.current) or 'none (empty database)'}")
    if state.at_head:
        print("Status:   at head, nothing pending")
    else:
        print(f"Status:   {len(state.pending)} revision(s) pending:")
        for rev in state.pending:
            print(f"  {rev.revision}  {rev.title}")
    return EXIT_OK


def _create_admin(args: argparse.Namespace, dirs: AppDirs) -> int:
    """The first administrator, on the database the ``db`` commands would use.

    The local database is created and migrated on the way (as the window does);
    a shared server must be at the newest schema already.
    """
    from desktop.bootstrap import open_workspace

    office, connection = open_workspace(args.database_url)
    try:
        if not office.auth.needs_first_admin():
            print(
                "error: This database has staff accounts already, so no first administrator "
                "is needed. Sign in as an administrator and add accounts on the Staff page.",
                file=sys.stderr,
            )
            return EXIT_FAILURE
        try:
            name = args.name if args.name is not None else input("Name: ")
            email = args.email if args.email is not None else input("E-mail: ")
            password = os.environ.get(ADMIN_PASSWORD_ENV) or _ask_new_password(email)
        except (EOFError, KeyboardInterrupt):
            print("\nCancelled; nothing was created.", file=sys.stderr)
            return EXIT_FAILURE
        admin = office.auth.create_first_admin(name, email, password)
    finally:
        office.close()
    where = (
        "the local database on this computer"
        if connection.is_local
        else f"database {connection.database} on {connection.server}"
    )
    print(f"Created administrator {admin.name} <{admin.email}> (#{admin.id}) in {where}.")
    print("Sign in with this e-mail and password in the window.")
    return EXIT_OK


def _ask_new_password(email: str) -> str:
    """Asked twice without echo; the rules are checked before anything is written."""
    from desktop.domain.validation import Problems, check_password

    for _ in range(PASSWORD_TRIES):
        password = getpass.getpass("Password (at least 12 characters): ")
        problems = Problems()
        check_password(problems, password, email=email, field="password")
        if problems.fields:
            print(problems.fields["password"], file=sys.stderr)
            continue
        if getpass.getpass("The same password again: ") == password:
            return password
        print("The two passwords differ; type them again.", file=sys.stderr)
    raise ValidationError({"password": "No password was chosen, so nothing was created."})

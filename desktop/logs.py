"""Logging: a rotating file in the user's log folder; secrets are masked on the way out.

Tracebacks go to the file only: the console (a terminal, if there is one) gets one
line per record, so a person never sees a traceback.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from desktop.config import folder_failure

LOG_FILE_NAME = "exotic-travel.log"
_MAX_BYTES = 2 * 1024 * 1024
_BACKUPS = 5
_HANDLER_PREFIX = "exotic-travel-"

_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")
_KEY_VALUE_SECRET = re.compile(
    r"""(?i)
    (\b\w*(?:password|passwd|pwd|secret)\w*)  # password, new_password, password_hash, ...
    (['"]?\s*[=:]\s*)                          # = or :, also after a quoted key (a dict's repr)
    ('[^']*'|"[^"]*"|[^\s,;)}\]]+)              # a quoted value, spaces and all, or a bare one
    """,
    re.VERBOSE,
)
_ARGON2_HASH = re.compile(r"\$argon2(id|i|d)\$[^\s'\"]+")


def redact(message: str) -> str:
    """Mask passwords in URLs, ``password=...`` and ``'password': '...'`` pairs, Argon2 hashes."""
    message = _URL_PASSWORD.sub(r"\1***@", message)
    message = _KEY_VALUE_SECRET.sub(r"\1\2***", message)
    return _ARGON2_HASH.sub("$argon2***", message)


class RedactingFilter(logging.Filter):
    """Redacts the message and the traceback (a database error's text carries its parameters)."""

    def filter(self, record: logging.LogRecord) -> bool:
        rendered = record.getMessage()
        cleaned = redact(rendered)
        if cleaned != rendered:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text as it is, so the redacted text is what gets written.
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_TRACEBACKS = logging.Formatter()


class OneLineFormatter(logging.Formatter):
    """A record without its traceback or stack, its message on one line (the console's)."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            text = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        return " ".join(text.split("\n"))


_log_file: Path | None = None

# ``log.error(..., extra=FILE_ONLY)``: for the file only, when the console already got the
# person's own words for it (the command line's one ``error:`` line).
FILE_ONLY = {"exotic_file_only": True}


def _for_the_console(record: logging.LogRecord) -> bool:
    return not getattr(record, "exotic_file_only", False)


def log_file() -> Path | None:
    """The file this process logs to; None when its folder could not be written."""
    return _log_file


def configure(log_dir: Path, *, console_level: int = logging.WARNING) -> Path:
    """File logging at INFO (details for support), console at ``console_level``.

    A log folder that cannot be written raises ``FolderUnusable`` (or ``DiskFull``) after
    the console is set up, so the caller can carry on without the file.
    """
    global _log_file  # noqa: PLW0603 - one log file per process
    path = log_dir / LOG_FILE_NAME
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in list(root.handlers):
        if (handler.get_name() or "").startswith(_HANDLER_PREFIX):
            root.removeHandler(handler)
            handler.close()
    console = logging.StreamHandler()
    console.setLevel(console_level)
    console.setFormatter(OneLineFormatter("%(levelname)s: %(message)s"))
    console.addFilter(_for_the_console)
    _add(root, "console", console)
    _log_file = None
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8"):
            pass  # written lazily, but a folder that refuses it should say so now
    except OSError as exc:
        raise folder_failure(exc, log_dir, what="its log") from exc
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8", delay=True
    )
    file_handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    )
    _add(root, "file", file_handler)
    _log_file = path
    return path


def _add(root: logging.Logger, name: str, handler: logging.Handler) -> None:
    handler.addFilter(RedactingFilter())
    handler.set_name(_HANDLER_PREFIX + name)
    root.addHandler(handler)

"""Logging: a rotating file in the user's log folder; secrets are masked on the way out."""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

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


def configure(log_dir: Path, *, console_level: int = logging.WARNING) -> Path:
    """File logging at INFO (details for support), console at ``console_level``."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in list(root.handlers):
        if (handler.get_name() or "").startswith(_HANDLER_PREFIX):
            root.removeHandler(handler)
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8", delay=True
    )
    file_handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    )
    console = logging.StreamHandler()
    console.setLevel(console_level)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    for name, handler in (("file", file_handler), ("console", console)):
        handler.addFilter(RedactingFilter())
        handler.set_name(_HANDLER_PREFIX + name)
        root.addHandler(handler)
    return path

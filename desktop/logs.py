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
_KEY_VALUE_SECRET = re.compile(r"(?i)\b(password|passwd|pwd|password_hash|secret)(\s*[=:]\s*)\S+")
_ARGON2_HASH = re.compile(r"\$argon2(id|i|d)\$[^\s'\"]+")


def redact(message: str) -> str:
    """Mask passwords in URLs, ``password=...`` pairs and Argon2 hashes."""
    message = _URL_PASSWORD.sub(r"\1***@", message)
    message = _KEY_VALUE_SECRET.sub(r"\1\2***", message)
    return _ARGON2_HASH.sub("$argon2***", message)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        rendered = record.getMessage()
        cleaned = redact(rendered)
        if cleaned != rendered:
            record.msg, record.args = cleaned, None
        return True


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

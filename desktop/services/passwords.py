"""Password hashing with Argon2id (argon2-cffi).

Parameters: RFC 9106's second recommended option, for memory-constrained
environments ("low memory"): time cost 3, memory 64 MiB, parallelism 4,
16-byte salt, 32-byte hash. It exceeds OWASP's current minimums for
Argon2id (19 MiB, 2 iterations, 1 lane). Hashes made with other parameters
are re-hashed at the next successful sign-in.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

UNUSABLE = "!"  # customers' password_hash: matches no password (they never sign in)


@dataclass(frozen=True)
class HashParameters:
    time_cost: int = RFC_9106_LOW_MEMORY.time_cost
    memory_cost_kib: int = RFC_9106_LOW_MEMORY.memory_cost
    parallelism: int = RFC_9106_LOW_MEMORY.parallelism


class Passwords:
    def __init__(self, params: HashParameters | None = None) -> None:
        self.params = params or HashParameters()
        self._hasher = PasswordHasher(
            time_cost=self.params.time_cost,
            memory_cost=self.params.memory_cost_kib,
            parallelism=self.params.parallelism,
            hash_len=32,
            salt_len=16,
        )
        self._decoy_hash: str | None = None
        self._decoy_lock = threading.Lock()

    @property
    def _decoy(self) -> str:
        """Verified against when the e-mail is unknown, so that costs the same time.

        Made on first use, not at start-up: hashing takes a fifth of a second.
        """
        with self._decoy_lock:
            if self._decoy_hash is None:
                self._decoy_hash = self._hasher.hash("decoy password that matches nothing")
            return self._decoy_hash

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """One Argon2 verification whether or not there is a usable hash.

        No hash, a customer's unusable one, or one that is not Argon2 (written by
        another client) is verified against the decoy, so an attacker cannot tell
        these accounts from real ones by the time an answer takes.
        """
        usable = _is_argon2(stored_hash)
        target = stored_hash if usable and stored_hash is not None else self._decoy
        try:
            return bool(self._hasher.verify(target, password)) and usable
        except (VerificationError, InvalidHashError):  # VerifyMismatchError among them
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True


def _is_argon2(stored_hash: str | None) -> bool:
    if not stored_hash or stored_hash == UNUSABLE:
        return False
    try:
        extract_parameters(stored_hash)
    except InvalidHashError:
        return False
    return True

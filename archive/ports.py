"""The outside world the archive needs: an object store (filesystem or S3) and a clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from .model import Lock, StoredObject


class ObjectStore(Protocol):
    """Immutable objects under keys. Every adapter enforces retention and legal hold itself, whatever its backend
    allows: a protected object is never deleted or replaced, and its lock is never shortened or downgraded."""

    url: str
    """The store's configuration URL without secrets (for logs and reports)."""

    def put(self, key: str, data: bytes, lock: Lock | None = None, legal_hold: bool = False) -> StoredObject:
        """Store `data` under `key`. Writing the same bytes again returns the stored object (idempotent); other
        bytes under an existing key are refused (`ObjectExistsError`, or `ObjectLockedError` when locked)."""
        ...

    def get(self, key: str) -> bytes: ...

    def stat(self, key: str) -> StoredObject: ...

    def exists(self, key: str) -> bool: ...

    def keys(self, prefix: str = "") -> Iterator[str]: ...

    def delete(self, key: str) -> None:
        """Remove an unprotected object (a working revision after sealing, say)."""
        ...

    def extend_lock(self, key: str, lock: Lock) -> StoredObject:
        """Move the retain-until date later (renewal of the 100-year horizon). Never earlier, never weaker."""
        ...

    def set_legal_hold(self, key: str, on: bool) -> StoredObject: ...


class Clock(Protocol):
    def now(self) -> datetime: ...

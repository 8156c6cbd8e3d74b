"""The embedded object store: a folder. Writes are atomic (temp file, fsync, rename, directory fsync); locked
objects are made read-only and their retention and legal hold are enforced here, since a filesystem has none.

Layout: `data/<key>` holds the bytes, `meta/<key>.json` the sha256, size, lock and hold. An object exists once
its metadata exists; the metadata is written last, so a crash leaves at most an orphan data file that the next
write of the same key replaces.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from records import fsync_dir, write_atomic

from .._rules import refuse_delete, refuse_replace, refuse_weaker
from ..clock import SystemClock
from ..errors import ObjectMissingError
from ..model import Lock, LockMode, ObjectVersion, StoredObject, check_key
from ..ports import Clock


def _meta_json(obj: StoredObject) -> bytes:
    data: dict[str, Any] = {"key": obj.key, "sha256": obj.sha256, "size": obj.size, "legal_hold": obj.legal_hold}
    if obj.lock is not None:
        data["lock"] = {"until": obj.lock.until.isoformat(), "mode": obj.lock.mode.value}
    return json.dumps(data, sort_keys=True).encode()


def _from_meta(raw: dict[str, Any]) -> StoredObject:
    lock = raw.get("lock")
    return StoredObject(
        key=raw["key"],
        sha256=raw["sha256"],
        size=raw["size"],
        lock=Lock(datetime.fromisoformat(lock["until"]), LockMode(lock["mode"])) if lock else None,
        legal_hold=bool(raw.get("legal_hold")),
    )


class FileStore:
    def __init__(self, root: Path, clock: Clock | None = None) -> None:
        self.root = root
        self.clock = clock or SystemClock()
        self.url = f"file://{root.resolve()}"
        (root / "data").mkdir(parents=True, exist_ok=True)
        (root / "meta").mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o700)  # objects and their names (document ids) are the archive's owner's only

    def _data(self, key: str) -> Path:
        return self.root / "data" / check_key(key)

    def _meta(self, key: str) -> Path:
        return self.root / "meta" / f"{check_key(key)}.json"

    def _current(self, key: str) -> StoredObject | None:
        try:
            return _from_meta(json.loads(self._meta(key).read_bytes()))
        except FileNotFoundError:
            return None

    def put(self, key: str, data: bytes, lock: Lock | None = None, legal_hold: bool = False) -> StoredObject:
        digest = hashlib.sha256(data).hexdigest()
        current = self._current(key)
        if current is not None:
            refuse_replace(current, digest, self.clock.now())
            return current
        obj = StoredObject(key, digest, len(data), lock, legal_hold)
        path = self._data(key)
        write_atomic(path, data, read_only=lock is not None or legal_hold)
        write_atomic(self._meta(key), _meta_json(obj))
        return obj

    def get(self, key: str, version_id: str | None = None) -> bytes:
        """A filesystem keeps one version of each key: `version_id` (always None here) changes nothing."""
        if self._current(key) is None:
            raise ObjectMissingError(key=key)
        try:
            return self._data(key).read_bytes()
        except FileNotFoundError:
            raise ObjectMissingError("bytes", key=key) from None

    def stat(self, key: str) -> StoredObject:
        current = self._current(key)
        if current is None:
            raise ObjectMissingError(key=key)
        return current

    def exists(self, key: str) -> bool:
        return self._current(key) is not None

    def keys(self, prefix: str = "") -> Iterator[str]:
        base = self.root / "meta"
        # Only the folder the prefix names is walked: a book's evidence records are listed without the archive.
        folder = prefix.rpartition("/")[0]
        start = base / check_key(folder) if folder else base
        for path in sorted(start.rglob("*.json")):
            key = path.relative_to(base).as_posix()[: -len(".json")]
            if key.startswith(prefix):
                yield key

    def delete(self, key: str, bypass_governance: bool = False) -> None:
        current = self.stat(key)
        refuse_delete(current, self.clock.now(), bypass_governance)
        self._meta(key).unlink()
        self._data(key).unlink(missing_ok=True)
        fsync_dir(self._meta(key).parent)

    def versions(self, prefix: str = "") -> Iterator[ObjectVersion]:
        for key in self.keys(prefix):
            yield ObjectVersion(key, None)

    def extend_lock(self, key: str, lock: Lock, version_id: str | None = None) -> StoredObject:
        current = self.stat(key)
        refuse_weaker(current, lock)
        updated = StoredObject(current.key, current.sha256, current.size, lock, current.legal_hold)
        os.chmod(self._data(key), stat.S_IRUSR)
        write_atomic(self._meta(key), _meta_json(updated))
        return updated

    def set_legal_hold(self, key: str, on: bool) -> StoredObject:
        current = self.stat(key)
        updated = StoredObject(current.key, current.sha256, current.size, current.lock, on)
        write_atomic(self._meta(key), _meta_json(updated))
        return updated

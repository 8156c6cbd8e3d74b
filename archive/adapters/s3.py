"""S3 object storage through the `minio` client (MinIO in deployment, SeaweedFS in the tests, AWS alike).

The bucket is created with object lock. Locked objects are written with explicit COMPLIANCE retention (also
when they carry a legal hold: MinIO applies no default retention to an upload that only has a hold). Every object
carries its sha256 in `x-amz-meta-sha256`; an ETag is not a content hash. The adapter checks the lock rules
itself before asking the server, and translates the server's answers: a WORM refusal is `InvalidRequest` (400) on
MinIO and `AccessDenied` (403) on AWS and SeaweedFS — both mean "locked".
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE, GOVERNANCE
from minio.deleteobjects import DeleteObject
from minio.error import S3Error
from minio.retention import Retention

from .._rules import refuse_delete, refuse_replace, refuse_weaker
from ..clock import SystemClock, as_utc
from ..errors import ObjectLockedError, ObjectMissingError, StorageConfigError, StorageUnavailableError
from ..model import Lock, LockMode, ObjectVersion, StoredObject, check_key
from ..ports import Clock

T = TypeVar("T")
_LOCKED_CODES = {"AccessDenied", "InvalidRequest", "ObjectLocked"}
_MODES = {LockMode.COMPLIANCE: COMPLIANCE, LockMode.GOVERNANCE: GOVERNANCE}
_UNSET_CODES = {"NoSuchObjectLockConfiguration", "ObjectLockConfigurationNotFoundError", "NoSuchObjectLegalHold"}
_MISSING_CODES = {"NoSuchKey", "NoSuchVersion", "ResourceNotFound"}


def http_client(retries: int = 3, backoff: float = 0.2, timeout: float = 10.0) -> urllib3.PoolManager:
    """Bounded retries with exponential backoff (0.2 s, 0.4 s, 0.8 s) on refused connections and 5xx answers."""
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=min(timeout, 3.0), read=timeout),
        retries=urllib3.Retry(
            total=retries,
            backoff_factor=backoff,
            status_forcelist=[500, 502, 503, 504],
            allowed_methods=None,  # PUT and DELETE too: every call of this adapter is idempotent
        ),
    )


class S3Store:
    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        secure: bool = False,
        clock: Clock | None = None,
        client: urllib3.PoolManager | None = None,
    ) -> None:
        self.bucket = bucket
        self.clock = clock or SystemClock()
        self.url = f"s3://{endpoint}/{bucket}{'?secure=true' if secure else ''}"
        self.client = Minio(
            endpoint, access_key=access_key, secret_key=secret_key, secure=secure, http_client=client or http_client()
        )
        try:
            self._call(self._ensure_bucket)
        except ValueError as exc:  # minio's own checks of the bucket name
            raise StorageConfigError("bucket_name", bucket=repr(bucket), exc=str(exc)) from exc

    def _ensure_bucket(self) -> None:
        if not self.client.bucket_exists(self.bucket):
            self.client.make_bucket(self.bucket, object_lock=True)
        try:
            self.client.get_object_lock_config(self.bucket)
        except S3Error as exc:
            raise StorageConfigError(
                "ensure_bucket",
                bucket=self.bucket,
            ) from exc

    def _call(self, action: Callable[[], T], key: str = "") -> T:
        try:
            return action()
        except S3Error as exc:
            if exc.code in _MISSING_CODES:
                raise ObjectMissingError(key=key) from exc
            if exc.code in _LOCKED_CODES:
                raise ObjectLockedError(
                    "server",
                    key=key,
                    code=str(exc.code),
                ) from exc
            raise
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise StorageUnavailableError(
                url=self.url,
                exc=str(exc),
            ) from exc

    def _head(self, key: str, version_id: str | None = None) -> Any | None:
        """The object's HEAD (one request), or None when there is none."""
        try:
            return self._call(lambda: self.client.stat_object(self.bucket, check_key(key), version_id=version_id), key)
        except ObjectMissingError:
            return None

    def _stat(self, key: str, version_id: str | None = None) -> StoredObject:
        info = self._head(key, version_id)
        if info is None:
            raise ObjectMissingError(key=key)
        return self._described(key, info)

    def _described(self, key: str, info: Any) -> StoredObject:
        """The HEAD completed with the object's retention and legal hold (two more requests)."""
        meta = {k.lower(): v for k, v in (info.metadata or {}).items()}
        retention: Retention | None = self._call(
            lambda: self._unset_is_none(self.client.get_object_retention, key, info.version_id), key
        )
        hold = bool(
            self._call(lambda: self._unset_is_none(self.client.is_object_legal_hold_enabled, key, info.version_id))
        )
        lock = None
        if retention is not None and retention.retain_until_date is not None:
            until = as_utc(retention.retain_until_date)
            lock = Lock(until, LockMode.COMPLIANCE if retention.mode == COMPLIANCE else LockMode.GOVERNANCE)
        return StoredObject(key, meta.get("x-amz-meta-sha256", ""), int(info.size), lock, hold, info.version_id)

    def _unset_is_none(self, query: Callable[[str, str, str | None], T], key: str, version: str | None) -> T | None:
        """An object without retention (or hold) is answered with an error by some servers, `None` by others."""
        try:
            return query(self.bucket, key, version)
        except S3Error as exc:
            if exc.code in _UNSET_CODES:
                return None
            raise

    def put(self, key: str, data: bytes, lock: Lock | None = None, legal_hold: bool = False) -> StoredObject:
        digest = hashlib.sha256(data).hexdigest()
        existing = self._head(key)  # a new key, the usual case, costs this one request before the upload
        if existing is not None:
            current = self._described(key, existing)
            refuse_replace(current, digest, self.clock.now())
            return current
        retention = Retention(_MODES[lock.mode], lock.until) if lock else None
        result: Any = self._call(
            lambda: self.client.put_object(
                self.bucket,
                key,
                io.BytesIO(data),
                len(data),
                content_type="application/pdf" if key.endswith(".pdf") else "application/octet-stream",
                metadata={"sha256": digest},
                retention=retention,
                legal_hold=legal_hold,
            ),
            key,
        )
        return StoredObject(key, digest, len(data), lock, legal_hold, result.version_id)

    def get(self, key: str, version_id: str | None = None) -> bytes:
        def read() -> bytes:
            response = self.client.get_object(self.bucket, check_key(key), version_id=version_id)
            try:
                return bytes(response.read())
            finally:
                response.close()
                response.release_conn()

        return self._call(read, key)

    def stat(self, key: str) -> StoredObject:
        return self._stat(key)

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def keys(self, prefix: str = "") -> Iterator[str]:
        listing: Any = self._call(lambda: list(self.client.list_objects(self.bucket, prefix=prefix, recursive=True)))
        for item in listing:
            yield str(item.object_name)

    def versions(self, prefix: str = "") -> Iterator[ObjectVersion]:
        listing: Any = self._call(
            lambda: list(self.client.list_objects(self.bucket, prefix=prefix, recursive=True, include_version=True))
        )
        for item in listing:
            yield ObjectVersion(str(item.object_name), item.version_id, bool(item.is_delete_marker))

    def delete(self, key: str, bypass_governance: bool = False) -> None:
        current = self._stat(key)
        refuse_delete(current, self.clock.now(), bypass_governance)
        # The version itself, not a delete marker: a working revision is really gone, and the server would refuse
        # this for a locked version anyway (a GOVERNANCE one unless the bypass header is sent).
        if not bypass_governance:
            self._call(lambda: self.client.remove_object(self.bucket, key, version_id=current.version_id), key)
            return
        # Only the multi-object delete carries the bypass header in the client; it reports refusals in its answer.
        one = [DeleteObject(key, current.version_id)]
        refused = self._call(lambda: list(self.client.remove_objects(self.bucket, one, bypass_governance_mode=True)))
        if refused:
            code = str(refused[0].code)
            if code in _LOCKED_CODES:
                raise ObjectLockedError("server", key=key, code=code)
            raise StorageUnavailableError(url=self.url, exc=f"{code}: {refused[0].message}")

    def extend_lock(self, key: str, lock: Lock, version_id: str | None = None) -> StoredObject:
        current = self._stat(key, version_id)
        refuse_weaker(current, lock)
        self._call(
            lambda: self.client.set_object_retention(
                self.bucket, key, Retention(_MODES[lock.mode], lock.until), current.version_id
            ),
            key,
        )
        return self._stat(key, current.version_id)

    def set_legal_hold(self, key: str, on: bool) -> StoredObject:
        current = self._stat(key)
        toggle = self.client.enable_object_legal_hold if on else self.client.disable_object_legal_hold
        self._call(lambda: toggle(self.bucket, key, current.version_id), key)
        return self._stat(key)

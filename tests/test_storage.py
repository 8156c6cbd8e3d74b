"""One contract, two object stores: the filesystem and S3 (a real SeaweedFS server)."""

from __future__ import annotations

import hashlib
import io
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from minio.commonconfig import COMPLIANCE, GOVERNANCE
from minio.error import S3Error
from minio.retention import Retention

from archive import (
    FileStore,
    InvalidKeyError,
    Lock,
    LockMode,
    ObjectExistsError,
    ObjectLockedError,
    ObjectMissingError,
    ObjectStore,
    S3Store,
    StorageConfigError,
    StorageUnavailableError,
    open_store,
    revision_key,
)

from .storage_fixtures import ACCESS, SECRET, MovableClock, S3Server, new_bucket, start_s3

BOOK = b"%PDF-1.7 sealed book " + bytes(range(256)) * 40


def later(**delta: float) -> Lock:
    return Lock(datetime.now(UTC) + timedelta(**delta))


def test_round_trip_with_sha256(store: ObjectStore) -> None:
    key = revision_key(hashlib.sha256(BOOK).hexdigest())
    stored = store.put(key, BOOK)
    assert stored.sha256 == hashlib.sha256(BOOK).hexdigest() and stored.size == len(BOOK)
    assert store.get(key) == BOOK
    assert store.stat(key).sha256 == stored.sha256  # kept in x-amz-meta-sha256 on S3, not the ETag
    assert store.exists(key) and not store.exists(key + ".x")
    assert list(store.keys("revisions/")) == [key]
    with pytest.raises(ObjectMissingError):
        store.get("revisions/none.pdf")


@pytest.mark.parametrize("key", ["", "/etc/passwd", "sealed/../x.pdf", "sealed//x.pdf", "a\\b"])
def test_bad_keys_are_refused_with_a_code(store: ObjectStore, key: str) -> None:
    with pytest.raises(InvalidKeyError) as caught:
        store.put(key, BOOK)
    assert caught.value.code == "archive.invalid_key" and "Invalid object key" in caught.value.message_en
    assert list(store.keys()) == []  # nothing half-written


def test_objects_are_immutable(store: ObjectStore) -> None:
    first = store.put("revisions/a.pdf", BOOK)
    assert store.put("revisions/a.pdf", BOOK) == first  # same bytes again: idempotent
    with pytest.raises(ObjectExistsError) as caught:
        store.put("revisions/a.pdf", BOOK + b"x")
    assert caught.value.code == "archive.object_exists" and "never overwritten" in caught.value.message_en
    assert store.get("revisions/a.pdf") == BOOK


def test_unlocked_objects_can_be_deleted(store: ObjectStore) -> None:
    store.put("revisions/b.pdf", BOOK)
    store.delete("revisions/b.pdf")
    assert not store.exists("revisions/b.pdf")


def test_locked_object_is_never_deleted_overwritten_shortened_or_downgraded(store: ObjectStore) -> None:
    lock = later(days=3650)
    stored = store.put("sealed/x/v1.pdf", BOOK, lock=lock)
    assert stored.lock is not None and stored.lock.mode is LockMode.COMPLIANCE
    current = store.stat("sealed/x/v1.pdf").lock
    assert current is not None and abs((current.until - lock.until).total_seconds()) < 1
    with pytest.raises(ObjectLockedError):
        store.delete("sealed/x/v1.pdf")
    with pytest.raises(ObjectLockedError):
        store.put("sealed/x/v1.pdf", b"forged")
    with pytest.raises(ObjectLockedError):
        store.extend_lock("sealed/x/v1.pdf", Lock(lock.until - timedelta(days=1)))
    with pytest.raises(ObjectLockedError):
        store.extend_lock("sealed/x/v1.pdf", Lock(lock.until + timedelta(days=1), LockMode.GOVERNANCE))
    renewed = store.extend_lock("sealed/x/v1.pdf", Lock(lock.until + timedelta(days=365)))
    assert renewed.lock is not None and renewed.lock.until > lock.until
    assert store.get("sealed/x/v1.pdf") == BOOK


def test_governance_lock_gives_way_only_to_a_deletion_with_the_bypass_right(store: ObjectStore) -> None:
    lock = later(days=3650)
    governed = store.put("revisions/g.pdf", BOOK, lock=Lock(lock.until, LockMode.GOVERNANCE))
    assert governed.lock is not None and governed.lock.mode is LockMode.GOVERNANCE
    kept = store.stat("revisions/g.pdf").lock
    assert kept is not None and kept.mode is LockMode.GOVERNANCE  # as the store reads it back
    with pytest.raises(ObjectLockedError):
        store.delete("revisions/g.pdf")  # an ordinary deletion
    if isinstance(store, S3Store):  # the server itself refuses it without the bypass header
        with pytest.raises(S3Error):
            store.client.remove_object(store.bucket, "revisions/g.pdf", version_id=governed.version_id)
    store.put("sealed/k/v1.pdf", BOOK, lock=lock)
    with pytest.raises(ObjectLockedError):
        store.delete("sealed/k/v1.pdf", bypass_governance=True)  # COMPLIANCE: no right bypasses it
    store.put("revisions/h.pdf", BOOK, lock=Lock(lock.until, LockMode.GOVERNANCE), legal_hold=True)
    with pytest.raises(ObjectLockedError):
        store.delete("revisions/h.pdf", bypass_governance=True)  # held: no right bypasses a legal hold
    store.delete("revisions/g.pdf", bypass_governance=True)
    assert not store.exists("revisions/g.pdf")
    assert store.exists("sealed/k/v1.pdf") and store.exists("revisions/h.pdf")


def test_legal_hold_blocks_delete_until_released(store: ObjectStore) -> None:
    store.put("sealed/h/v1.pdf", BOOK, lock=later(seconds=2), legal_hold=True)
    assert store.stat("sealed/h/v1.pdf").legal_hold
    time.sleep(2.5)  # retention over; the hold alone still protects it
    with pytest.raises(ObjectLockedError):
        store.delete("sealed/h/v1.pdf")
    assert not store.set_legal_hold("sealed/h/v1.pdf", False).legal_hold
    store.delete("sealed/h/v1.pdf")
    assert not store.exists("sealed/h/v1.pdf")


def test_service_refuses_even_when_its_clock_says_retention_is_over(tmp_path: Path, s3_server: S3Server) -> None:
    """The service's own rules run first; on S3 the server's time then decides as well."""
    clock = MovableClock()
    for store in (
        FileStore(tmp_path / "o", clock),
        S3Store(s3_server.endpoint, ACCESS, SECRET, new_bucket(), clock=clock),
    ):
        store.put("sealed/c/v1.pdf", BOOK, lock=later(days=1))
        with pytest.raises(ObjectLockedError):
            store.delete("sealed/c/v1.pdf")
        clock.offset = timedelta(days=2)  # the service believes the day has passed
        if isinstance(store, S3Store):
            with pytest.raises(ObjectLockedError):  # the server does not
                store.delete("sealed/c/v1.pdf")
        else:
            store.delete("sealed/c/v1.pdf")
        clock.offset = timedelta(0)


def test_filesystem_sealed_files_are_read_only(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    store.put("sealed/r/v1.pdf", BOOK, lock=later(days=1))
    store.put("revisions/ab/x.pdf", BOOK)
    mode = (tmp_path / "data" / "sealed/r/v1.pdf").stat().st_mode
    assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    # Nobody but the archive's owner reads an object, locked or not, or lists the store.
    assert stat.S_IMODE(mode) == 0o400
    assert stat.S_IMODE((tmp_path / "data" / "revisions/ab/x.pdf").stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700
    assert not list(tmp_path.rglob("*.tmp"))  # atomic writes leave no temporary file behind


def test_raw_s3_cannot_delete_shorten_or_overwrite_a_locked_version(s3_server: S3Server) -> None:
    bucket = new_bucket()
    store = S3Store(s3_server.endpoint, ACCESS, SECRET, bucket)
    stored = store.put("sealed/raw/v1.pdf", BOOK, lock=later(days=30))
    raw = s3_server.raw()
    with pytest.raises(S3Error) as deleting:
        raw.remove_object(bucket, "sealed/raw/v1.pdf", version_id=stored.version_id)
    assert deleting.value.code in {"AccessDenied", "InvalidRequest"}
    with pytest.raises(S3Error):
        raw.set_object_retention(
            bucket, "sealed/raw/v1.pdf", Retention(COMPLIANCE, datetime.now(UTC) + timedelta(days=1)), stored.version_id
        )
    with pytest.raises(S3Error):
        raw.set_object_retention(
            bucket,
            "sealed/raw/v1.pdf",
            Retention(GOVERNANCE, datetime.now(UTC) + timedelta(days=60)),
            stored.version_id,
        )
    # A raw PUT on the key makes a new version; the locked one is still there, byte for byte.
    raw.put_object(bucket, "sealed/raw/v1.pdf", io.BytesIO(b"forged"), 6)
    original = raw.get_object(bucket, "sealed/raw/v1.pdf", version_id=stored.version_id)
    try:
        assert original.read() == BOOK
    finally:
        original.close()
        original.release_conn()


def test_storage_urls(tmp_path: Path, s3_server: S3Server) -> None:
    assert isinstance(open_store(f"file://{tmp_path}"), FileStore)
    s3 = open_store(s3_server.url(new_bucket()))
    assert isinstance(s3, S3Store) and "secret" not in s3.url
    bad_bucket = f"s3://k:topsecret@{s3_server.endpoint}/ab"  # bucket names have 3 to 63 characters
    for bad in ("ftp://x/y", "s3://host:9000/bucket", f"s3://k:topsecret@{s3_server.endpoint}/", bad_bucket):
        with pytest.raises(StorageConfigError) as caught:
            open_store(bad)
        assert caught.value.code == "archive.storage_config" and "topsecret" not in str(caught.value)


def test_server_stopped_mid_run(tmp_path: Path) -> None:
    server = start_s3(tmp_path / "s3")
    try:
        store = S3Store(server.endpoint, ACCESS, SECRET, new_bucket())
        store.put("revisions/before.pdf", BOOK)
    finally:
        server.stop()
    start = time.monotonic()
    with pytest.raises(StorageUnavailableError) as caught:
        store.put("revisions/after.pdf", BOOK)
    assert caught.value.retryable and time.monotonic() - start < 15  # bounded retries, then a clear error
    assert "did not answer" in caught.value.message_en

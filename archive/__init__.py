"""Object storage, metadata, audit trail, fixity and export. Stores bytes and facts; knows nothing of signing."""

from . import errors
from .adapters import FileStore, S3Store
from .clock import SystemClock
from .config import DEFAULT_STORAGE, open_store
from .errors import (
    ArchiveError,
    InvalidKeyError,
    ObjectExistsError,
    ObjectLockedError,
    ObjectMissingError,
    StorageConfigError,
    StorageUnavailableError,
)
from .model import ANCHORS, REVISIONS, SEALED, Lock, LockMode, StoredObject, revision_key, sealed_key
from .ports import Clock, ObjectStore

__all__ = [
    "ANCHORS",
    "DEFAULT_STORAGE",
    "REVISIONS",
    "SEALED",
    "ArchiveError",
    "Clock",
    "FileStore",
    "InvalidKeyError",
    "Lock",
    "LockMode",
    "ObjectExistsError",
    "ObjectLockedError",
    "ObjectMissingError",
    "ObjectStore",
    "S3Store",
    "StorageConfigError",
    "StorageUnavailableError",
    "StoredObject",
    "SystemClock",
    "errors",
    "open_store",
    "revision_key",
    "sealed_key",
]

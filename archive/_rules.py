"""The lock rules every adapter applies before touching its backend."""

from __future__ import annotations

from datetime import datetime

from .errors import ObjectExistsError, ObjectLockedError
from .model import Lock, LockMode, StoredObject


def refuse_replace(current: StoredObject, sha256: str, moment: datetime) -> None:
    if current.sha256 == sha256:
        return
    if current.protected(moment):
        raise ObjectLockedError(
            "refuse_replace",
            key=current.key,
        )
    raise ObjectExistsError(
        key=current.key,
    )


def refuse_delete(current: StoredObject, moment: datetime, bypass_governance: bool = False) -> None:
    if current.protected(moment, bypass_governance):
        raise ObjectLockedError(
            "refuse_delete",
            key=current.key,
        )


def refuse_weaker(current: StoredObject, lock: Lock) -> None:
    old = current.lock
    if old is None:
        return
    if lock.until < old.until:
        raise ObjectLockedError(
            "shorter",
            key=current.key,
            until=old.until,
        )
    if old.mode is LockMode.COMPLIANCE and lock.mode is not LockMode.COMPLIANCE:
        raise ObjectLockedError(
            "downgrade",
            key=current.key,
        )

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
            f"Đối tượng {current.key} đang bị khóa lưu trữ; không thể ghi đè",
            f"Object {current.key} is under retention or legal hold; it cannot be overwritten",
        )
    raise ObjectExistsError(
        f"Đối tượng {current.key} đã có nội dung khác; dữ liệu lưu trữ không bao giờ bị ghi đè",
        f"Object {current.key} already holds other bytes; stored data is never overwritten",
    )


def refuse_delete(current: StoredObject, moment: datetime) -> None:
    if current.protected(moment):
        raise ObjectLockedError(
            f"Đối tượng {current.key} đang bị khóa lưu trữ hoặc phong tỏa pháp lý; không thể xóa",
            f"Object {current.key} is under retention or legal hold; it cannot be deleted",
        )


def refuse_weaker(current: StoredObject, lock: Lock) -> None:
    old = current.lock
    if old is None:
        return
    if lock.until < old.until:
        raise ObjectLockedError(
            f"Không được rút ngắn thời hạn lưu trữ của {current.key} (hiện đến {old.until:%Y-%m-%d})",
            f"The retention of {current.key} cannot be shortened (now until {old.until:%Y-%m-%d})",
        )
    if old.mode is LockMode.COMPLIANCE and lock.mode is not LockMode.COMPLIANCE:
        raise ObjectLockedError(
            f"Không được hạ chế độ khóa của {current.key} khỏi COMPLIANCE",
            f"The lock of {current.key} cannot be downgraded from COMPLIANCE",
        )

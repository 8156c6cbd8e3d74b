"""The one error root of every package, and the errors of the records package.

    HocbaError                      code, retryable, message_vi, message_en, params; survives pickling
    ├── StaleRevisionError          hocba.stale_revision (shared: the signer and the archive both refuse it)
    ├── TimestampUnavailableError   hocba.timestamp_unavailable (shared: signatures and audit anchors)
    ├── RecordsError                records.*   (InvalidRecordError: the problems of a record)
    ├── TemplatesError              templates.* (a font missing, a PDF/A violation, no signing plan)
    ├── SignerError                 signer.*    (refusals before a signature, verification refusals)
    ├── ArchiveError                archive.*   (storage, catalog, audit, export)
    └── PkiError                    pki.*       (the development PKI)

It lives here, in the package every other one already builds on, so that no package reaches sideways for it.
Errors cross processes (a sitting's workers, a job queue): each is rebuilt from its messages and attributes, never
from its constructor's arguments, so that every subclass round-trips whatever its constructor takes. The faces
choose exit codes and HTTP statuses; an error only says what happened.
"""

from __future__ import annotations

from typing import Any

from .problems import Problem


def _rebuilt(cls: type[HocbaError], message_vi: str, message_en: str) -> HocbaError:
    error = cls.__new__(cls)
    HocbaError.__init__(error, message_vi, message_en)
    return error


class HocbaError(Exception):
    """Root of every error the packages raise: a stable code, whether a retry can help, and the message in
    Vietnamese and English."""

    code = "hocba.error"
    retryable = False

    def __init__(self, message_vi: str, message_en: str, **params: Any) -> None:
        self.message_vi = message_vi
        self.message_en = message_en
        self.params = params
        super().__init__(message_en)

    def __reduce__(self) -> tuple[Any, ...]:
        # The attributes travel as state (restored after the rebuild), the messages as arguments.
        return _rebuilt, (type(self), self.message_vi, self.message_en), dict(self.__dict__)

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and isinstance(other, HocbaError)
            and (self.message_vi, self.message_en, self.params) == (other.message_vi, other.message_en, other.params)
        )

    def __hash__(self) -> int:
        return hash((type(self), self.message_vi, self.message_en))


class StaleRevisionError(HocbaError):
    """A revision that is no longer the latest: another signature or writer came first (the signer sees the book
    changed since a signature was prepared; the archive holds a newer revision, or another writer recorded one at
    the same moment). Signing again on the latest revision succeeds."""

    code = "hocba.stale_revision"
    retryable = True


class TimestampUnavailableError(HocbaError):
    """No time-stamping authority answered (after the bounded retries), or none is configured, when a signature's
    or an audit anchor's timestamp was needed; nothing was signed or anchored."""

    code = "hocba.timestamp_unavailable"
    retryable = True


class RecordsError(HocbaError):
    """Root of this package's errors."""

    code = "records.error"


class InvalidRecordError(RecordsError):
    """A record that breaks `hocba-record/1`; `problems` names every field at fault."""

    code = "records.invalid"

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0] if problems else None
        where = f"{first.path}: " if first and first.path else ""
        super().__init__(
            f"{len(problems)} lỗi; lỗi đầu: {where}{first.message_vi if first else 'hồ sơ không hợp lệ'}",
            f"{len(problems)} problem(s); first: {where}{first.message_en if first else 'invalid record'}",
        )
        self.problems = problems


class CorrectionRefusedError(RecordsError):
    """A correction request that breaks a rule: `problems` name each field with its code."""

    code = "records.correction_refused"

    def __init__(self, problems: list[Problem]) -> None:
        listed = "; ".join(f"{p.path or '—'}: {p.code}" for p in problems)
        super().__init__(f"Đề nghị điều chỉnh bị từ chối: {listed}", f"The correction request is refused: {listed}")
        self.problems = problems

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
An error's text comes from one catalogue: each package registers its wording (`messages.py` beside its errors)
with `register_wording`, keyed by code, or by `code:variant` where one code covers several situations; a raise
site gives the variant and the parameters, never the text, so a code's wording never drifts between sites or
languages. Errors cross processes (a sitting's workers, a job queue): each is rebuilt from its messages and
attributes, never from its constructor's arguments, so that every subclass round-trips whatever its constructor
takes. The faces choose exit codes and HTTP statuses; an error only says what happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .messages import WORDING
from .problems import Problem

_WORDING: dict[str, tuple[str, str]] = {}


def register_wording(entries: Mapping[str, tuple[str, str]]) -> None:
    """Add a package's wording to the one catalogue: `key -> (Vietnamese, English)` templates, each key once."""
    for key, pair in entries.items():
        if _WORDING.setdefault(key, pair) != pair:
            raise ValueError(f"two wordings for {key}")


def wording() -> Mapping[str, tuple[str, str]]:
    """The whole catalogue (read-only), for the documentation's and the tests' checks."""
    return MappingProxyType(_WORDING)


def _rebuilt(cls: type[HocbaError], message_en: str) -> HocbaError:
    error = cls.__new__(cls)
    Exception.__init__(error, message_en)
    return error


class HocbaError(Exception):
    """Root of every error the packages raise: a stable code, whether a retry can help, the parameters, and the
    message in Vietnamese and English from the catalogue."""

    code = "hocba.error"
    retryable = False

    def __init__(self, variant: str = "", /, **params: Any) -> None:
        self.key = f"{self.code}:{variant}" if variant else self.code
        vi, en = _WORDING[self.key]
        self.message_vi = vi.format(**params)
        self.message_en = en.format(**params)
        self.params = params
        super().__init__(self.message_en)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt without the constructor (subclasses take other arguments); the attributes travel as state.
        return _rebuilt, (type(self), self.message_en), dict(self.__dict__)

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
        if not problems:
            super().__init__("empty")
        else:
            first = problems[0]
            where = f"{first.path}: " if first.path else ""
            super().__init__(count=len(problems), where=where, first_vi=first.message_vi, first_en=first.message_en)
        self.problems = problems


class CorrectionRefusedError(RecordsError):
    """A correction request that breaks a rule: `problems` name each field with its code."""

    code = "records.correction_refused"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(listed="; ".join(f"{p.path or '—'}: {p.code}" for p in problems))
        self.problems = problems


register_wording(WORDING)

"""What verification reports: per signature and for the book, with the ETSI indication and the messages in
Vietnamese and English."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from . import _verdict

Message = tuple[str, str]


@dataclass(frozen=True)
class SignatureCheck:
    field: str
    kind: str
    """``signature`` or ``archive_timestamp``."""
    signer: str
    role: str
    signing_time: datetime | None
    """As the signer's software reported it (not proof)."""
    timestamp_time: datetime | None
    """The time a trusted timestamp proves (None when there is no timestamp or it was not trusted)."""
    intact: bool
    valid: bool
    trusted: bool
    revocation: str
    """``good``, ``revoked``, ``unknown`` (no usable data) or ``not_checked`` (no trusted path) at the time
    the signature was judged."""
    coverage: str
    modification: str
    pades_level: str
    problems: tuple[Message, ...] = ()
    """(Vietnamese, English) reasons the signature is not good."""
    indication: str = _verdict.PASSED
    """ETSI EN 319 102-1: TOTAL-PASSED, TOTAL-FAILED or INDETERMINATE."""
    sub_indication: str | None = None
    timestamp_trusted: bool | None = None
    """Whether the signature's timestamp validated (None: it has none)."""
    judged_at: datetime | None = None
    """The time the certificate was judged at (None: now)."""
    notes: tuple[Message, ...] = ()
    """What the reader should know without it making the signature bad (an untrusted timestamp)."""

    @property
    def ok(self) -> bool:
        return not self.problems and self.indication == _verdict.PASSED


@dataclass(frozen=True)
class DocumentCheck:
    signatures: tuple[SignatureCheck, ...]
    plan_complete: bool
    sealed: bool
    lta: bool
    pdfa: str | None
    problems: tuple[Message, ...] = field(default=())
    state: str = "unknown"
    """``unsigned``, ``in_progress`` (signatures remain), ``complete`` (only the seal remains), ``sealed``, or
    ``unknown`` (no signing plan in the file)."""
    remaining: tuple[str, ...] = ()
    """The plan's fields still waiting for a signature, in plan order."""

    @property
    def indication(self) -> str:
        found = [s.indication for s in self.signatures]
        return _verdict.worst([*found, _verdict.FAILED if self.problems else _verdict.PASSED])

    @property
    def verdict(self) -> str:
        """``genuine``, ``not_genuine`` or ``indeterminate`` (a check could not be completed)."""
        return {_verdict.PASSED: "genuine", _verdict.FAILED: "not_genuine"}.get(self.indication, "indeterminate")

    @property
    def ok(self) -> bool:
        return not self.problems and all(s.ok for s in self.signatures)

"""The audit trail's rules (pure): canonical encoding, the hash chain, and where a history stops being intact.

Each event's hash covers its sequence number, time, actor, action, object references, payload and the previous
event's hash, encoded as canonical JSON (sorted keys, no spaces, UTF-8). Changing, removing, reordering or
inserting any event changes every later hash; an anchor (the head hash, timestamped and written to write-once
storage) pins the chain so that cutting its end is caught too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .model import ANCHORS

GENESIS = "0" * 64
"""The `prev_hash` of the first event."""


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def stamp(moment: datetime) -> str:
    """The one text form of a time that enters a hash: UTC, microseconds, 'Z'."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    """1, 2, 3 … without gaps."""
    at: str
    """UTC time in the canonical text form (`stamp`)."""
    actor: str
    """Who acted: a staff id, ``school:<code>`` for the seal, or ``system`` for scheduled jobs."""
    action: str
    """What happened, dotted: ``revision.stored``, ``book.sealed``, ``fixity.run`` …"""
    refs: str
    """Canonical JSON object of what it concerns (document id, object key …)."""
    payload: str
    """Canonical JSON object of the details."""
    prev_hash: str
    hash: str

    @property
    def refs_dict(self) -> dict[str, Any]:
        return dict(json.loads(self.refs))

    @property
    def payload_dict(self) -> dict[str, Any]:
        return dict(json.loads(self.payload))


def event_hash(seq: int, at: str, actor: str, action: str, refs: str, payload: str, prev_hash: str) -> str:
    body = {"seq": seq, "at": at, "actor": actor, "action": action, "refs": refs, "payload": payload, "prev": prev_hash}
    return hashlib.sha256(canonical(body).encode()).hexdigest()


def new_event(
    prev_seq: int,
    prev_hash: str,
    moment: datetime,
    actor: str,
    action: str,
    refs: Mapping[str, Any],
    payload: Mapping[str, Any],
) -> AuditEvent:
    seq, at, refs_text, payload_text = prev_seq + 1, stamp(moment), canonical(dict(refs)), canonical(dict(payload))
    digest = event_hash(seq, at, actor, action, refs_text, payload_text, prev_hash)
    return AuditEvent(seq, at, actor, action, refs_text, payload_text, prev_hash, digest)


@dataclass(frozen=True)
class Anchor:
    """The chain head pinned outside the database: timestamped and written to write-once storage."""

    head_seq: int
    head_hash: str
    at: str

    def statement(self) -> bytes:
        """The bytes that are timestamped and stored: what the anchor asserts."""
        text = canonical({"format": "hocba-audit-anchor/1", "head_seq": self.head_seq, "head_hash": self.head_hash})
        return text.encode()

    def key(self) -> str:
        return f"{ANCHORS}audit/{self.head_seq:012d}-{self.head_hash[:16]}.json"


@dataclass(frozen=True)
class Break:
    """The first place where the history is not what was recorded."""

    seq: int
    reason_vi: str
    reason_en: str

    def __str__(self) -> str:
        return f"#{self.seq}: {self.reason_vi} / {self.reason_en}"


def first_break(events: Iterable[AuditEvent], anchors: Iterable[Anchor] = ()) -> Break | None:
    """Walk the chain from the start; then check that every anchor still matches it."""
    by_seq: dict[int, str] = {}
    expected_seq, prev = 1, GENESIS
    for event in events:
        if event.seq != expected_seq:
            return Break(
                expected_seq,
                f"thiếu sự kiện (gặp #{event.seq}) — lịch sử bị xóa hoặc đảo thứ tự",
                f"event missing (found #{event.seq}) — history deleted or reordered",
            )
        if event.prev_hash != prev:
            return Break(
                event.seq,
                "liên kết với sự kiện trước bị sai — lịch sử bị xóa, chèn hoặc đảo thứ tự",
                "link to the previous event is wrong — history deleted, inserted or reordered",
            )
        recomputed = event_hash(
            event.seq, event.at, event.actor, event.action, event.refs, event.payload, event.prev_hash
        )
        if recomputed != event.hash:
            return Break(event.seq, "nội dung sự kiện đã bị sửa", "the event's content was edited")
        by_seq[event.seq] = event.hash
        expected_seq, prev = expected_seq + 1, event.hash
    for anchor in sorted(anchors, key=lambda a: a.head_seq):
        found = by_seq.get(anchor.head_seq)
        if found is None:
            return Break(
                anchor.head_seq,
                f"sự kiện đã được neo nhưng không còn (chuỗi dừng ở #{expected_seq - 1}) — lịch sử bị cắt",
                f"an anchored event is gone (the chain ends at #{expected_seq - 1}) — history truncated",
            )
        if found != anchor.head_hash:
            return Break(
                anchor.head_seq,
                "mã băm không khớp với mốc neo đã lưu — lịch sử bị viết lại",
                "hash differs from the stored anchor — history rewritten",
            )
    return None

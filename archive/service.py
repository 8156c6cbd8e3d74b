"""The archive's use cases: keep every revision, seal finished books under retention, anchor and verify the audit
trail, reconcile after a crash, and check fixity."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from records import StaleRevisionError
from retention import RetentionPolicy, policies, policy_for

from .audit_model import Anchor, AuditEvent, Break, first_break, stamp
from .clock import SystemClock
from .errors import (
    AnchorError,
    ArchiveError,
    CorruptObjectError,
    DocumentStateError,
    ObjectExistsError,
    ObjectLockedError,
    ObjectMissingError,
)
from .model import (
    ANCHORS,
    REVISIONS,
    BookFacts,
    DocumentVersion,
    Lock,
    LockMode,
    Renewal,
    RetentionSummary,
    Revision,
    StampFacts,
    StoredObject,
    VersionStatus,
    revision_key,
    sealed_key,
)
from .ports import Catalog, Clock, ObjectStore, Timestamper

EVIDENCE = "evidence"
"""Where the evidence records of books that cannot carry an archive timestamp are kept."""


def _lock(policy: RetentionPolicy, start: datetime) -> Lock:
    """The storage lock a policy keeps an object under, from `start`."""
    mode = LockMode.GOVERNANCE if policy.lock == "governance" else LockMode.COMPLIANCE
    return Lock(policy.retain_until(start), mode)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ReconcileReport:
    finished: tuple[str, ...] = ()
    """Versions left `sealing` by a crash whose sealed object was there (or rewritten from the last revision)."""
    undone: tuple[str, ...] = ()
    """Versions left `sealing` whose bytes could not be found anywhere: back to `signing`."""
    orphans: tuple[str, ...] = ()
    """Revision objects stored but never recorded (a crash before the row): kept, listed."""


@dataclass
class Sitting:
    """Seals made together, anchored once when the sitting ends (`ArchiveService.one_anchor`). The threads a
    sitting hands its books to join it by running in a copy of its context (`contextvars.copy_context`)."""

    service: ArchiveService
    sealed: int = 0
    """Seals made in it so far."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count_seal(self) -> None:
        with self._lock:
            self.sealed += 1


# The sitting the current thread or task seals in, if any: a context variable, so that concurrent requests served
# by one service never share one.
_SITTING: ContextVar[Sitting | None] = ContextVar("hocba_sitting", default=None)


@dataclass(frozen=True)
class FixityReport:
    checked: int
    missing: tuple[str, ...] = ()
    corrupt: tuple[str, ...] = ()
    tampered: tuple[str, ...] = ()
    """Keys under which another version or a delete marker sits beside the archive's version."""

    @property
    def intact(self) -> bool:
        return not (self.missing or self.corrupt or self.tampered)


@dataclass(frozen=True)
class AuditReport:
    events: int
    anchors: int
    broken: Break | None = None
    problems: tuple[str, ...] = field(default=())

    @property
    def intact(self) -> bool:
        return self.broken is None and not self.problems


class ArchiveService:
    def __init__(
        self,
        store: ObjectStore,
        catalog: Catalog,
        clock: Clock | None = None,
        timestamper: Timestamper | None = None,
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._clock = clock or SystemClock()
        self._timestamper = timestamper

    @property
    def storage_url(self) -> str:
        """Where the objects are, as the store names itself (never with credentials)."""
        return self._store.url

    # -- lifecycle --------------------------------------------------------------------------------------------

    def register(self, book: BookFacts, pdf: bytes, actor: str = "system") -> DocumentVersion:
        """A freshly rendered book: its bytes are stored before anything says they are."""
        first = self._keep(book.document_id, pdf, None, None)
        return self._catalog.register(book, first, self._clock.now(), actor)

    def record_revision(
        self, document_id: str, parent: bytes, pdf: bytes, field: str | None, signer_id: str | None
    ) -> Revision:
        """A signed revision, stored content-addressed as soon as it exists, then recorded on top of `parent`."""
        revision = self._keep(document_id, pdf, field, signer_id)
        return self._catalog.add_revision(revision, sha256_hex(parent), self._clock.now(), signer_id or "system")

    def expect_head(self, document_id: str, pdf: bytes) -> DocumentVersion:
        """The live version when `pdf` is its latest revision, so that a signature made on it will be accepted;
        checked before signing, so that nobody signs a copy the archive would refuse."""
        version = self._catalog.version(document_id)
        if version.status is not VersionStatus.SIGNING:
            raise DocumentStateError(
                "sign", document_id=document_id, version=version.version, status=version.status.value
            )
        if version.head_sha256 != sha256_hex(pdf):
            raise StaleRevisionError(
                "expect_head",
                document_id=document_id,
            )
        return version

    def latest(self, document_id: str) -> bytes:
        """The archive's latest revision of the document's live version (the sealed book once sealed), checked
        against the sha256 the catalog recorded: what a signer whose copy went stale signs next."""
        version = self._catalog.version(document_id)
        key = version.sealed_key if version.status is VersionStatus.SEALED and version.sealed_key else None
        digest = (version.sealed_sha256 if key else None) or version.head_sha256
        key = key or revision_key(digest)
        data = self._store.get(key, self._catalog.object_version(key))
        if sha256_hex(data) != digest:
            raise CorruptObjectError(
                document_id=document_id,
            )
        return data

    # -- what callers may ask -----------------------------------------------------------------------------------

    def in_signing(self, school_code: str, school_year: str) -> list[DocumentVersion]:
        """The books (and minutes) of a school's year still being signed, by document id."""
        return self._catalog.in_signing(school_code, school_year)

    def sealed_versions(self, school_code: str, school_year: str) -> list[tuple[DocumentVersion, str]]:
        """Every sealed (or superseded) version of a school's year, with the record it was rendered from."""
        return self._catalog.sealed_books(school_code, school_year)

    def sealed_bytes(self, version: DocumentVersion) -> bytes:
        """The locked object of a sealed (or superseded) version, the storage version the catalog recorded."""
        key = version.sealed_key
        if key is None:
            raise DocumentStateError(
                "read_sealed", document_id=version.document_id, version=version.version, status=version.status.value
            )
        return self._store.get(key, self._catalog.object_version(key))

    def checked_sealed_bytes(self, version: DocumentVersion) -> bytes:
        """`sealed_bytes`, refused (`archive.object_corrupt`) when they are not the book the catalog recorded as
        sealed: what is read to be proven or renewed."""
        return self._as_sealed(version)[0]

    def _as_sealed(self, version: DocumentVersion, offered: bytes | None = None) -> tuple[bytes, hashlib._Hash]:
        """The sealed book with its SHA-256 so far: `offered` when it is the book the catalog recorded (the
        caller read it already), else the stored one, which must be."""
        if offered is not None:
            hashed = hashlib.sha256(offered)
            if hashed.hexdigest() == version.sealed_sha256:
                return offered, hashed
        stored = self.sealed_bytes(version)
        hashed = hashlib.sha256(stored)
        if hashed.hexdigest() != version.sealed_sha256:  # never prove or renew what is not the book sealed
            raise CorruptObjectError(document_id=version.document_id)
        return stored, hashed

    def known_sealed(self, sha256: str) -> DocumentVersion | None:
        """What the archive knows of a sealed book with these bytes (with its successor when superseded)."""
        return self._catalog.find_sealed(sha256)

    def version(self, document_id: str, version: int | None = None) -> DocumentVersion:
        """A document's live version, or the numbered one."""
        return self._catalog.version(document_id, version)

    def events_of(self, document_ids: set[str]) -> list[AuditEvent]:
        """The audit events about these documents, in order."""
        return [e for e in self._catalog.events() if e.refs_dict.get("document_id") in document_ids]

    def anchors(self) -> list[tuple[Anchor, str]]:
        """Every audit anchor with the key of its stored object, oldest first."""
        return [(anchor, key) for anchor, key, _ in self._catalog.anchors()]

    def _keep(self, document_id: str, pdf: bytes, field: str | None, signer: str | None) -> Revision:
        """A working revision, under the GOVERNANCE lock of its policy: an ordinary deletion is refused; only an
        approved disposal (`dispose_object`) may remove it, with the storage's bypass right."""
        digest = sha256_hex(pdf)
        stored = self._store.put(revision_key(digest), pdf, _lock(policy_for("revision"), self._clock.now()))
        return Revision(document_id, 0, 0, digest, stored.key, stored.size, field, signer, stored.version_id)

    def seal(
        self, document_id: str, pdf: bytes, actor: str = "system", stamp: StampFacts | None = None
    ) -> DocumentVersion:
        """Write the finished book to the locked store with the retention of the kind it was registered as, then
        anchor the audit trail. `stamp` is what its archive timestamp proves until (kept for the renewal run).

        The row says `sealing` before the object is written and `sealed` only after: a crash in between is
        never shown as sealed, and `reconcile` completes it."""
        digest = sha256_hex(pdf)
        version = self._catalog.begin_seal(document_id, digest, lambda n: sealed_key(document_id, n, digest))
        policy = policy_for(version.kind.value)
        now = self._clock.now()
        try:
            held = self._catalog.held(document_id)  # a book sealed while held is kept under the hold from the start
            stored = self._store.put(version.sealed_key or "", pdf, _lock(policy, now), legal_hold=held)
        except ArchiveError as exc:
            self._catalog.abort_seal(version, exc.code, self._clock.now(), actor)
            raise
        sealed, event = self._catalog.finish_seal(version, stored, policy.id, now, actor, "direct", stamp)
        self._anchor_or_count((event.seq, event.hash))
        return sealed

    def _anchor_or_count(self, head: tuple[int, str] | None = None) -> None:
        """Anchor the audit trail now, or, inside this service's `one_anchor`, count toward its one anchor."""
        sitting = _SITTING.get()
        if sitting is None or sitting.service is not self:
            self.anchor(head)
        else:
            sitting.count_seal()

    @contextmanager
    def one_anchor(self) -> Iterator[Sitting]:
        """Seal many books (a principal's sitting, a batch) and anchor the audit trail once on the way out: the
        anchor then covers every seal made inside, including those before a failure. A sitting that sealed nothing
        (a teacher's) writes no anchor: each anchor is an object locked for the policy's horizon. A crash inside
        leaves those seals to the next anchor (reconcile, `hocba audit anchor`, the next seal).

        The sitting is an object of its own, seen by the seals of this thread or task only: requests served at
        the same time by one service each keep their own. A sitting inside a sitting joins the outer one."""
        outer = _SITTING.get()
        if outer is not None and outer.service is self:
            yield outer
            return
        sitting = Sitting(self)
        token = _SITTING.set(sitting)
        failed = True
        try:
            yield sitting
            failed = False
        finally:
            _SITTING.reset(token)
            if sitting.sealed:
                try:
                    self.anchor()
                except ArchiveError:
                    if not failed:  # else the error that stopped the sitting is the one to report
                        raise

    def reconcile(self, actor: str = "system") -> ReconcileReport:
        """Repair what a crash left between storage and database. Safe to run at any time, and twice. Each
        document is finished under the retention of the kind it was registered as."""
        finished: list[str] = []
        undone: list[str] = []
        for version in self._catalog.versions(VersionStatus.SEALING):
            name = f"{version.document_id} v{version.version}"
            policy = policy_for(self._catalog.kind(version.document_id).value)
            key, digest = version.sealed_key or "", version.sealed_sha256 or ""
            try:
                stored = self._stat_or_none(key)
                if stored is None or stored.sha256 != digest:
                    data = self._store.get(revision_key(digest), self._catalog.object_version(revision_key(digest)))
                    if sha256_hex(data) != digest:
                        raise ObjectMissingError("reconcile")
                    stored = self._store.put(key, data, _lock(policy, self._clock.now()))
            except ArchiveError as exc:
                self._catalog.abort_seal(version, exc.code, self._clock.now(), actor)
                undone.append(name)
                continue
            self._catalog.finish_seal(version, stored, policy.id, self._clock.now(), actor, "reconciled")
            finished.append(name)
        known = {key for key, _, _ in self._catalog.stored_objects()}
        orphans = tuple(k for k in self._store.keys(REVISIONS) if k not in known)
        if finished or undone or orphans:
            self._catalog.append(
                self._clock.now(),
                actor,
                "archive.reconciled",
                {},
                {"finished": finished, "undone": undone, "orphans": list(orphans)},
            )
            self.anchor()
        return ReconcileReport(tuple(finished), tuple(undone), orphans)

    def _stat_or_none(self, key: str) -> StoredObject | None:
        try:
            return self._store.stat(key)
        except ObjectMissingError:
            return None

    # -- audit trail -----------------------------------------------------------------------------------------

    def audit(self, actor: str, action: str, refs: Mapping[str, Any], payload: Mapping[str, Any]) -> None:
        self._catalog.append(self._clock.now(), actor, action, refs, payload)

    def anchor(self, head: tuple[int, str] | None = None) -> Anchor | None:
        """Pin the chain's head (or the given event): timestamp it when a TSA is configured and write it to the
        locked store. Anchoring a head that is already anchored changes nothing."""
        seq, digest = head or self._catalog.head()
        if seq == 0:
            return None
        now = self._clock.now()
        anchor = Anchor(seq, digest, stamp(now))
        can_stamp = self._timestamper is not None and self._timestamper.can_stamp
        token = self._timestamper.stamp(anchor.statement()) if self._timestamper and can_stamp else None
        body = {
            "format": "hocba-audit-anchor/1",
            "head_seq": seq,
            "head_hash": digest,
            "at": anchor.at,
            "timestamp_token": base64.b64encode(token).decode() if token else None,
        }
        policy = policy_for("audit_anchor")
        try:
            stored = self._store.put(anchor.key(), json.dumps(body, sort_keys=True).encode(), _lock(policy, now))
        except (ObjectExistsError, ObjectLockedError):  # this head was anchored before
            return anchor
        self._catalog.add_anchor(anchor, stored, token, policy.id, now)
        return anchor

    # -- retention -------------------------------------------------------------------------------------------

    def renew(self, within_years: int = 10, actor: str = "system", dry_run: bool = False) -> tuple[str, ...]:
        """Move later the lock of every object of a permanent policy that ends within `within_years`: the
        100-year horizon is renewed long before it runs out, never shortened. An object of a fixed period is
        left to end (its disposition is a reviewed decision, not a side effect), except the working revisions of
        a book not sealed yet: the only copy of its signatures, their GOVERNANCE lock is kept running while the
        book is unsealed (`_keep_unsealed`). `dry_run`: the keys it would renew, nothing changed."""
        now = self._clock.now()
        limit = now + timedelta(days=round(365.25 * within_years))
        by_id = {p.id: p for p in policies()}
        renewed: list[str] = []
        for key, policy_id, until in self._catalog.retention_due(limit):
            policy = by_id.get(policy_id)
            if policy is None or not policy.permanent:
                continue
            if not dry_run:
                stored = self._store.extend_lock(key, _lock(policy, now), self._catalog.object_version(key))
                self._catalog.renewed(stored, policy.id, until, now, actor)
            renewed.append(key)
        renewed += self._keep_unsealed(now, actor, dry_run)
        if renewed and not dry_run:
            self.anchor()
        return tuple(renewed)

    def _keep_unsealed(self, now: datetime, actor: str, dry_run: bool = False) -> list[str]:
        """The working revisions of books not sealed whose GOVERNANCE lock (five years from the write) ends within
        a year (the run is yearly), locked again for the policy's period from now; one audit event. `dry_run`:
        which they are, nothing changed."""
        policy = policy_for("revision")
        soon = now + timedelta(days=366)
        keys = []
        # Written more than four years ago: their first lock ends within the year. Each is asked for its lock
        # (it may have been extended already).
        for key in self._catalog.unsealed_revisions(soon - (policy.retain_until(now) - now)):
            lock = self._store.stat(key).lock
            if lock is None or lock.until < soon:
                if not dry_run:
                    self._store.extend_lock(key, _lock(policy, now), self._catalog.object_version(key))
                keys.append(key)
        if keys and not dry_run:
            payload = {"policy": policy.id, "objects": len(keys), "retain_until": _lock(policy, now).until.isoformat()}
            self.audit(actor, "retention.revisions_kept", {}, payload)
        return keys

    def kept_versions(self, school_code: str | None = None) -> list[DocumentVersion]:
        """Every sealed version (of a school, or of the archive), superseded ones too: each is kept, and must stay
        verifiable."""
        return [
            *self._catalog.versions(VersionStatus.SEALED, school_code),
            *self._catalog.versions(VersionStatus.SUPERSEDED, school_code),
        ]

    def kept_stamps(
        self, school_code: str | None = None, school_year: str | None = None
    ) -> list[tuple[DocumentVersion, StampFacts | None]]:
        """The sealed versions (of a school, of a year) with each one's last archive timestamp as kept (None: not
        read yet)."""
        return self._catalog.kept_stamps(school_code, school_year)

    def note_stamp(self, version: DocumentVersion, stamp: StampFacts) -> None:
        self._catalog.note_stamp(version, stamp)

    def keep_renewal(
        self,
        version: DocumentVersion,
        renewed: bytes,
        actor: str = "system",
        stamp: StampFacts | None = None,
        previous: bytes | None = None,
    ) -> DocumentVersion:
        """A sealed version's book with its archive timestamp renewed: it must extend the sealed book (an
        incremental update, nothing rewritten); it is written locked under the version's policy beside the book
        before it (which stays), the version points to it, and the audit trail is anchored (once for a whole run
        inside `one_anchor`). `previous` is the sealed book as the caller read it to renew it, taken when its hash
        is the one the catalog recorded (otherwise read again); a stored book that is not refuses the renewal."""
        previous, hashed = self._as_sealed(version, previous)
        if not renewed.startswith(previous) or len(renewed) == len(previous):
            raise DocumentStateError("renewal_rewrites", document_id=version.document_id, version=version.version)
        hashed.update(memoryview(renewed)[len(previous) :])  # the renewed book's hash, from the sealed one's
        digest = hashed.hexdigest()
        policy = policy_for(self._catalog.kind(version.document_id).value)
        now = self._clock.now()
        held = self._catalog.held(version.document_id)
        key = sealed_key(version.document_id, version.version, digest)
        stored = self._store.put(key, renewed, _lock(policy, now), legal_hold=held)
        renewed_version = self._catalog.record_renewal(version, stored, policy.id, now, actor, stamp)
        self._anchor_or_count()  # a yearly run anchors once, on its way out
        return renewed_version

    def keep_evidence(self, version: DocumentVersion, record: bytes, stamps: int, actor: str = "system") -> str:
        """A sealed version's evidence record (RFC 4998) with `stamps` archive timestamps, kept beside its book,
        locked permanently; an audit event (anchored with the run). Returns its key."""
        key = f"{EVIDENCE}/{version.document_id}/v{version.version}-{stamps:03d}.ers"
        stored = self.keep_object(key, record, "evidence_record")
        refs = {"document_id": version.document_id, "version": version.version}
        self.audit(actor, "book.evidence_kept", refs, {"key": key, "sha256": stored.sha256, "stamps": stamps})
        self._anchor_or_count()
        return key

    def evidence(self, version: DocumentVersion) -> bytes | None:
        """The version's latest evidence record, if any."""
        keys = sorted(self._store.keys(f"{EVIDENCE}/{version.document_id}/v{version.version}-"))
        return self.kept_object(keys[-1]) if keys else None

    def kept_object(self, key: str) -> bytes:
        """An object the archive keeps on its own (a certificate of destruction), as stored."""
        return self._store.get(key, self._catalog.object_version(key))

    def dispose_object(self, key: str) -> None:
        """Delete a stored object whose disposal was approved, bypassing a GOVERNANCE lock (the disposal is the
        decision that lock waits for): the store refuses one under a COMPLIANCE lock or a legal hold."""
        self._store.delete(key, bypass_governance=True)

    def keep_object(self, key: str, data: bytes, kind: str) -> StoredObject:
        """Write an object the archive keeps on its own, locked under its kind's policy."""
        policy = policy_for(kind)
        now = self._clock.now()
        stored = self._store.put(key, data, _lock(policy, now))
        self._catalog.kept(stored, policy.id, now)
        return stored

    def set_legal_holds(self, keys: list[str], on: bool) -> int:
        """Put on (or lift) the storage's legal hold of these objects; how many changed."""
        changed = 0
        for key in keys:
            if self._store.stat(key).legal_hold != on:
                self._store.set_legal_hold(key, on)
                changed += 1
        return changed

    def renewals(self, school_code: str | None = None, school_year: str | None = None) -> list[Renewal]:
        """The renewals of archive timestamps, oldest first."""
        return self._catalog.renewal_history(school_code, school_year)

    def retention(self) -> list[RetentionSummary]:
        """The locked objects per retention policy, as the archivist's page shows them."""
        return self._catalog.retention_summary()

    def verify_audit(self, with_storage: bool = True) -> AuditReport:
        """Recompute the chain; check every anchor (database rows and, with storage, the locked objects)."""
        anchors: list[Anchor] = []
        problems: list[str] = []
        recorded = self._catalog.anchors()
        for anchor, key, _token in recorded:
            anchors.append(anchor)
            if with_storage and not self._store.exists(key):
                problems.append(f"mốc neo {key} không còn trong kho / anchor object {key} is missing")
        if with_storage:
            versions = self._catalog.object_versions(f"{ANCHORS}audit/")
            written = {key: versions.get(key) for _, key, _ in recorded}
            for key in self._store.keys(f"{ANCHORS}audit/"):
                try:
                    anchors.append(self._stored_anchor(key, written.get(key)))
                except ArchiveError as exc:
                    problems.append(f"{key}: {exc}")
            for key in self._foreign_versions(written, f"{ANCHORS}audit/"):
                problems.append(
                    f"mốc neo {key} có phiên bản lạ hoặc dấu xoá / anchor object {key} has a foreign version or "
                    "a delete marker"
                )
        events = list(self._catalog.events())
        return AuditReport(len(events), len(recorded), first_break(events, anchors), tuple(problems))

    def _stored_anchor(self, key: str, version: str | None = None) -> Anchor:
        try:
            body = json.loads(self._store.get(key, version))
            anchor = Anchor(int(body["head_seq"]), str(body["head_hash"]), str(body["at"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise AnchorError("stored_anchor") from exc
        token = body.get("timestamp_token")
        if token and self._timestamper is not None:
            self._timestamper.check(base64.b64decode(token), anchor.statement())
        return anchor

    # -- fixity ----------------------------------------------------------------------------------------------

    def _foreign_versions(self, recorded: dict[str, str | None], prefix: str = "") -> list[str]:
        """Archive keys under which the store holds a version the archive did not write, or a delete marker."""
        found: set[str] = set()
        for item in self._store.versions(prefix):
            if item.key not in recorded:
                continue
            expected = recorded[item.key]
            if item.delete_marker or (expected is not None and item.version_id != expected):
                found.add(item.key)
        return sorted(found)

    def fixity(self, sample: int | None = None, actor: str = "system", seed: int | None = None) -> FixityReport:
        """Re-read stored objects (all, or a random sample), each in the version the archive wrote, and compare
        their sha256 with the catalog's; any other version or a delete marker under an archive key is tampering
        (S3 object lock protects versions, not keys: a PUT or a plain DELETE still succeeds beside them)."""
        objects = self._catalog.stored_objects()
        if sample is not None and sample < len(objects):
            objects = random.Random(seed).sample(objects, sample)
        missing: list[str] = []
        corrupt: list[str] = []
        for key, digest, version in objects:
            try:
                data = self._store.get(key, version)
            except ObjectMissingError:
                missing.append(key)
                continue
            if sha256_hex(data) != digest:
                corrupt.append(key)
        tampered = self._foreign_versions({key: version for key, _, version in objects})
        report = FixityReport(len(objects), tuple(missing), tuple(corrupt), tuple(tampered))
        payload = {
            "checked": report.checked,
            "missing": missing,
            "corrupt": corrupt,
            "tampered": tampered,
            "sample": sample,
        }
        self.audit(actor, "fixity.run", {"storage": self._store.url}, payload)
        return report

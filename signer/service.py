"""Signing use case: one field of a rendered học bạ, in plan order, as an incremental PAdES update.

Every signature is B-T (RFC 3161 timestamp). The school's seal closes the book: it embeds the validation data
of the whole chain (B-LT) and receives the archive timestamp (B-LTA). A sealed book with a PDF/A violation is
never returned (see `SigningPolicy.check_pdfa_every_signature` for the approvals before it).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

import aiohttp
import pikepdf
import pikepdf.pdfa
from asn1crypto import cms, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import timestamps
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import PdfTimeStamper
from pyhanko.sign.timestamps import TimestampRequestError
from pyhanko.sign.validation import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator import errors as cv
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

from records import Role, StaleRevisionError, TimestampUnavailableError
from templates import VIETNAM, PlanMissingError, read_signing_state

from . import _attrs, _history, checks, errors, evidence
from ._cms import timestamp_tokens
from ._fetching import Kept, KeptFetchers, revocation_data
from ._network import RetryingTimeStamper, retrying
from .appearance import missing_characters
from .evidence import EvidenceRecord, evidence_token
from .model import ARCHIVE_TIMESTAMP_FIELD, SigningPolicy, archive_timestamp_field
from .ports import KeySource
from .renewal import ArchiveStamp, RecordingTimeStamper, Renewed, archive_stamps
from .stages import RESERVED, PdfAWriter, Preparation


def _timestamp_certs(signer_info: cms.SignerInfo) -> list[list[x509.Certificate]]:
    """The certificates carried by each signature timestamp token of a signature."""
    return [[c.chosen for c in token["content"]["certificates"]] for token in timestamp_tokens(signer_info)]


def _chain_certs(reader: PdfFileReader) -> list[tuple[x509.Certificate, list[x509.Certificate]]]:
    """Every signer and every signature-timestamp authority of the book, with the certificates each came with:
    the seal embeds the validation data of them all. Each certificate once (the TSA signs every timestamp)."""
    subjects: dict[bytes, tuple[x509.Certificate, list[x509.Certificate]]] = {}
    for sig in reader.embedded_regular_signatures:
        subjects.setdefault(sig.signer_cert.sha256, (sig.signer_cert, list(sig.other_embedded_certs)))
        for certs in _timestamp_certs(sig.signer_info):
            for cert in certs:
                if cert.extended_key_usage_value and "time_stamping" in cert.extended_key_usage_value.native:
                    subjects.setdefault(cert.sha256, (cert, certs))
    return list(subjects.values())


def _last_stamp_certs(reader: PdfFileReader) -> tuple[list[tuple[x509.Certificate, list[x509.Certificate]]], int]:
    """The book's last archive timestamp's TSA (the validation data a renewal adds: every signature's data is in
    the book since its seal), and the number of the renewal's archive timestamp."""
    count, last = archive_stamps(reader)
    if last is None or last.sig_object_type != "/DocTimeStamp":
        raise errors.NotRenewableError(why="no " + ARCHIVE_TIMESTAMP_FIELD)
    return [(last.signer_cert, list(last.other_embedded_certs))], count + 1


async def _close_book(
    pdf: bytes, kept: Kept, context: ValidationContext, renewal: bool = False
) -> tuple[bytes, ArchiveStamp | None]:
    """B-LT then B-LTA in one incremental update: the DSS with the validation data of every signature (of the
    last archive timestamp, for a renewal) and of the TSA about to stamp, then the archive timestamp over it in a
    new field (`luu_tru`, then `luu_tru_2`, … for each renewal). Done here rather than by pyHanko's LTA option so
    that the PDF/A-1 writer (no version bump) is used for this update too. `context` validates the paths through
    the `kept` fetchers.

    PDF/A-1 books stop at B-LT (no TSA): PDF/A-1 wants an appearance on every widget, even the zero-size one of a
    document timestamp, and after the seal's "no changes" lock a new appearance stream is a forbidden
    modification (filling a field made earlier is a forbidden form change). PDF/A-2 and -3 exempt zero-size
    widgets, so they carry the archive timestamp. Returns the book, and its new archive timestamp (None when
    it stops at B-LT)."""
    writer = PdfAWriter(pdf, keep_metadata=renewal)
    timestamper = kept.timestamper if writer.pdfa_part != "1" else None
    field_name, count = ARCHIVE_TIMESTAMP_FIELD, 1
    if renewal:
        subjects, count = _last_stamp_certs(writer.prev)
        field_name = archive_timestamp_field(count)
    else:
        subjects = _chain_certs(writer.prev)
    paths = await kept.paths(subjects, context)
    if timestamper is not None:
        paths = [*paths, *await kept.tsa_paths(context)]
    ocsps, crls = revocation_data(paths, kept.fetchers)
    DocumentSecurityStore.supply_dss_in_writer(writer, None, paths=paths, ocsps=ocsps, crls=crls)
    if timestamper is None:
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue(), None
    recording = RecordingTimeStamper(timestamper)
    stamper = PdfTimeStamper(recording, field_name=field_name)
    out = await stamper.async_timestamp_pdf(writer, "sha256", output=io.BytesIO())
    return out.getvalue(), recording.stamp(field_name, count, "sha256")


def next_field_for(pdf: bytes, signer_id: str) -> str | None:
    """The field of `pdf` that waits for `signer_id` now, if any (what a batch signer signs next)."""
    state = read_signing_state(pdf)
    return checks.next_field(state.plan, state.signed, signer_id)


def pdfa_part(pdf: bytes) -> str | None:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        part = doc.open_metadata().get("pdfaid:part")
    return str(part) if part else None


T = TypeVar("T")


class SigningService:
    """Signs fields of học bạ. One instance serves a whole batch: it keeps one event loop (in a thread of its
    own) and one HTTP session for the TSA, OCSP and CRL requests, so that connection set-up is paid once.
    Thread-safe; close it (or use it as a context manager) when done."""

    def __init__(self, policy: SigningPolicy) -> None:
        if not policy.tsa_url and not policy.allow_bb:
            raise ValueError("a TSA URL is required unless B-B signatures are explicitly allowed")
        self.policy = policy
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="hocba-signer", daemon=True)
        self._thread.start()
        self._session: aiohttp.ClientSession | None = None
        self._statuses: dict[str, tuple[float, ValidationContext]] = {}  # touched on the service's loop only
        self._kept_fetchers: KeptFetchers | None = None  # the seals' OCSP responses and CRLs, on the loop too

    def __enter__(self) -> SigningService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._loop.is_closed():
            return
        if self._session is not None:
            asyncio.run_coroutine_threadsafe(self._session.close(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        result: T = asyncio.run_coroutine_threadsafe(coro, self._loop).result()
        return result

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:  # created on the service's loop, which every request runs on
            self._session = aiohttp.ClientSession()
        return self._session

    def sign(
        self, pdf: bytes, field: str, key: KeySource, acting_as: str | None = None, expected_sha256: str | None = None
    ) -> bytes:
        """Sign `field` of `pdf` (bytes of the latest revision) with `key`; returns the new revision. The thin
        synchronous wrapper over `async_sign`, for threads and worker processes."""
        return self._run(self._sign(pdf, field, key, acting_as, expected_sha256))

    async def async_sign(
        self, pdf: bytes, field: str, key: KeySource, acting_as: str | None = None, expected_sha256: str | None = None
    ) -> bytes:
        """`sign` for a caller on an event loop of its own (a web handler awaits it): the signature is made on
        the service's loop and thread, so the PDF work never blocks the caller's loop."""
        future = asyncio.run_coroutine_threadsafe(self._sign(pdf, field, key, acting_as, expected_sha256), self._loop)
        return await asyncio.wrap_future(future)

    def connect(self, key: KeySource) -> None:
        """Bind a key source to the service's HTTP session (a remote source fetches its certificate; a local one
        has nothing to do). Once, before its first signature."""

        async def connect() -> None:
            await key.connect(self._http())  # the session is made on the service's loop, which it belongs to

        self._run(connect())

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the service's loop (the two-phase path and the remote key sources use it)."""
        return self._run(coro)

    def timestamper(self) -> timestamps.TimeStamper | None:
        """The policy's TSA (None for B-B), with bounded retries, on the service's HTTP session; call it on the
        service's loop."""
        return RetryingTimeStamper(self.policy.tsa_url, self._http(), self.policy) if self.policy.tsa_url else None

    def _backend(self) -> AIOHttpFetcherBackend:
        return AIOHttpFetcherBackend(self._http(), per_request_timeout=self.policy.network_timeout)

    async def _checked(self, cert: x509.Certificate, chain: list[x509.Certificate]) -> ValidationContext:
        """The certificate's status, asked again with backoff when no answer could be had (never when the
        answer was a refusal)."""
        return await retrying(
            lambda: checks.check_certificate(cert, chain, self.policy, self._backend()),
            (errors.RevocationUnavailableError,),
            self.policy,
        )

    async def prepare(
        self,
        pdf: bytes,
        field: str,
        cert: x509.Certificate,
        chain: list[x509.Certificate],
        acting_as: str | None,
    ) -> Preparation:
        """The first stage: every check that comes before a signature. Returns what the next stages need (see
        `signer.stages`); raises the coded refusal of the first check that fails."""
        try:
            state = read_signing_state(pdf)
        except (PlanMissingError, ValueError, pikepdf.PdfError) as exc:  # no plan, or not a PDF at all
            raise errors.NotSignableError() from exc
        if state.foreign:
            names = ", ".join(sorted(state.foreign))
            raise errors.ForeignFormError(
                names=names,
            )
        entry = checks.check_plan(state.plan, field, state.signed, acting_as)
        # The field's stamp first: no certificate can sign a field whose name the stamp font cannot draw.
        if entry.role is not Role.SCHOOL_SEAL and (missing := missing_characters(entry.label + entry.signer_name)):
            raise errors.StampCharacterError(
                missing=repr(missing),
                field=field,
            )
        checks.check_identity(entry, cert, self.policy)
        writer = PdfAWriter(pdf)
        _history.check_trailing(pdf, state.last_signature)
        if entry.role is Role.SCHOOL_SEAL:
            # a reader of its own: the difference analysis leaves the reader's state where the writer must not see it
            _history.check_history(
                PdfFileReader(io.BytesIO(pdf)), frozenset((*state.plan.fields(), ARCHIVE_TIMESTAMP_FIELD))
            )
        return Preparation(entry, await self._status(cert, chain), writer, self.policy.location)

    async def _status(self, cert: x509.Certificate, chain: list[x509.Certificate]) -> ValidationContext:
        """The certificate's checked status. A good answer is reused for `policy.status_reuse` (a principal
        signing a class asks the responder once, not once per book); a refusal is never remembered."""
        key = checks.fingerprint(cert)
        now = time.monotonic()
        kept = self._statuses.get(key)
        if kept is not None and now - kept[0] < self.policy.status_reuse.total_seconds():
            return kept[1]
        checked = await self._checked(cert, chain)
        self._statuses[key] = (now, checked)
        return checked

    async def finish(
        self,
        signed: bytes,
        seal: bool,
        part: str | None,
        cert: x509.Certificate,
        chain: list[x509.Certificate],
        checked: ValidationContext | None = None,
    ) -> bytes:
        """The last stage, after a signature: the seal closes the book (DSS, archive timestamp) and the finished
        book is checked against its PDF/A part (after every signature too when the policy asks). `checked` is the
        signer's status from the checks before signing; without it (a two-phase signature completed later) the
        certificate is checked again."""
        if seal:
            if checked is None:
                await self._checked(cert, chain)
            signed = await self._archive_timestamp(signed)
        if part and (seal or self.policy.check_pdfa_every_signature):
            violations = list(pikepdf.pdfa.validate_written(io.BytesIO(signed), f"{part}b").violations)
            if violations:
                raise errors.PdfaBrokenError(
                    message=violations[0].message,
                )
        return signed

    async def _sign(
        self, pdf: bytes, field: str, key: KeySource, acting_as: str | None, expected_sha256: str | None
    ) -> bytes:
        if expected_sha256 is not None and hashlib.sha256(pdf).hexdigest() != expected_sha256:
            raise StaleRevisionError(
                "sign",
            )
        cert = key.certificate
        signer = key.signer()
        _attrs.install(signer)
        chain = list(signer.cert_registry)
        prepared = await self.prepare(pdf, field, cert, chain, acting_as)
        pdf_signer = prepared.pdf_signer(signer, self.timestamper())
        try:
            out = await pdf_signer.async_sign_pdf(
                prepared.writer,
                appearance_text_params=prepared.appearance_text(datetime.now(VIETNAM)),
                output=io.BytesIO(),
                bytes_reserved=RESERVED,
            )
        except (TimestampRequestError, TimeoutError, aiohttp.ClientError) as exc:
            raise TimestampUnavailableError("sign", exc=repr(exc)) from exc
        except SigningError as exc:
            raise errors.KeySourceError("sign", exc=str(exc)) from exc
        return await self.finish(out.getvalue(), prepared.seal, prepared.part, cert, chain, prepared.checked)

    async def _archive_timestamp(self, pdf: bytes) -> bytes:
        """The seal's closing update, tried again with backoff when a responder or the TSA gave no answer."""
        closed, _ = await self._close(pdf)
        return closed

    def renew(self, pdf: bytes) -> Renewed:
        """Keep a sealed book verifiable past its archive timestamp: a new incremental update with fresh
        validation data for the last archive timestamp's TSA (the signatures' own is in the book since its seal)
        and a new archive timestamp over it all, in a field of its own (PAdES B-LTA, ETSI EN 319 142-1 §5.5).
        Refused for a book without an archive timestamp (a PDF/A-1 book, or one not sealed)."""
        return self._run(self._renew(pdf))

    def renew_many(self, pdfs: list[bytes]) -> list[Renewed]:
        """`renew` for several books at once, in order: one's TSA request overlaps the others' work. The first
        failure is raised once all are done."""
        return self._run(self._renew_many(pdfs))

    async def _renew_many(self, pdfs: list[bytes]) -> list[Renewed]:
        results = await asyncio.gather(*(self._renew(pdf) for pdf in pdfs), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return [r for r in results if isinstance(r, Renewed)]

    async def _renew(self, pdf: bytes) -> Renewed:
        if not self.policy.tsa_url:
            raise errors.NotRenewableError(why="no TSA")
        renewed, stamp = await self._close(pdf, renewal=True)
        assert stamp is not None  # a book with an archive timestamp is PDF/A-2 or -3: it takes another
        return Renewed(renewed, stamp)

    def new_evidence(self, digests: list[bytes]) -> list[EvidenceRecord]:
        """A first evidence record (RFC 4998) for each document (by its SHA-256), all under one timestamp
        (`signer.evidence`): the long-term proof of a book that cannot carry an archive timestamp (PDF/A-1b)."""
        return self._run(evidence.new_records(digests, self._evidence_token))

    def renew_evidence(self, records: list[EvidenceRecord]) -> list[EvidenceRecord]:
        """Each record with a new archive timestamp over its last one, all under one timestamp."""
        return self._run(evidence.renew_records(records, self._evidence_token, self._evidence_refresh))

    def rehash_evidence(
        self, records: list[EvidenceRecord], digests: list[bytes], algorithm: str = evidence.STRONG
    ) -> list[EvidenceRecord]:
        """Each record with a new chain under a stronger digest (`digests`: each document's, with `algorithm`),
        all under one timestamp: when the digest of the chain before has weakened."""
        return self._run(
            evidence.renew_hash_trees(records, digests, self._evidence_token, self._evidence_refresh, algorithm)
        )

    async def _evidence_token(self, digest: bytes, algorithm: str) -> cms.ContentInfo:
        if not self.policy.tsa_url:
            raise errors.NotRenewableError(why="no TSA")
        return await self._with_kept(partial(evidence_token, digest, algorithm))

    async def _evidence_refresh(self, token: cms.ContentInfo) -> cms.ContentInfo:
        return await self._with_kept(partial(evidence.refreshed, token))

    async def _close(self, pdf: bytes, renewal: bool = False) -> tuple[bytes, ArchiveStamp | None]:
        return await self._with_kept(partial(_close_book, pdf, renewal=renewal))

    async def _with_kept(self, work: Callable[[Kept, ValidationContext], Awaitable[T]]) -> T:
        """`work` with the kept fetchers, TSA client and paths, tried again with backoff when a responder or the
        TSA gave no answer; a failure starts them afresh, so that it is never reused."""
        return await retrying(
            lambda: self._once_with_kept(work),
            (errors.RevocationUnavailableError, TimestampUnavailableError),
            self.policy,
        )

    async def _once_with_kept(self, work: Callable[[Kept, ValidationContext], Awaitable[T]]) -> T:
        if self._kept_fetchers is None:  # made on the service's loop, whose HTTP session it uses
            self._kept_fetchers = KeptFetchers(
                self._http(), self.policy.status_reuse, self.policy.network_timeout, self.timestamper
            )
        kept = self._kept_fetchers.get()
        # Long-term data for every other certificate (TSA, CAs) may come from OCSP or CRL alike.
        context = checks.validation_context(self.policy, fetchers=kept.fetchers)
        try:
            return await work(kept, context)
        except (cv.PathValidationError, cv.PathBuildingError, cv.InsufficientRevinfoError) as exc:
            self._kept_fetchers.forget()
            raise errors.RevocationUnavailableError(
                "close",
                exc=str(exc),
            ) from exc
        except (TimestampRequestError, TimeoutError, aiohttp.ClientError) as exc:
            self._kept_fetchers.forget()
            raise TimestampUnavailableError("close", exc=repr(exc)) from exc
        except BaseException:
            self._kept_fetchers.forget()
            raise

"""Signing use case: one field of a rendered học bạ, in plan order, as an incremental PAdES update.

Every signature is B-T (RFC 3161 timestamp). The school's seal closes the book: it embeds the validation data
of the whole chain (B-LT) and receives the archive timestamp (B-LTA). A sealed book with a PDF/A violation is
never returned (see `SigningPolicy.check_pdfa_every_signature` for the approvals before it).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import threading
import time
from collections.abc import Coroutine
from datetime import datetime
from typing import Any, TypeVar

import aiohttp
import pikepdf
import pikepdf.pdfa
from asn1crypto import cms, x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, timestamps
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, PdfTimeStamper, constants
from pyhanko.sign.signers.pdf_signer import TimestampDSSContentSettings
from pyhanko.sign.timestamps import TimestampRequestError
from pyhanko.sign.validation import DocumentSecurityStore
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as cv
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.api import Fetchers

from records import PlanEntry, Role, StaleRevisionError, TimestampUnavailableError
from templates import VIETNAM, PlanMissingError, read_signing_state

from . import _attrs, _history, _names, _pdfread, checks, errors
from ._cms import timestamp_tokens
from ._fetching import KeptFetchers, revocation_data
from ._network import RetryingTimeStamper, retrying
from .appearance import missing_characters, person_style, seal_style
from .model import ARCHIVE_TIMESTAMP_FIELD, SigningPolicy
from .ports import KeySource

# PDF/A forbids filters on the metadata stream (ISO 19005-1 6.7.2, -2/-3 6.6.2.1), so the XMP of a valid book
# is plain text in the file; the last one written is the current one.
_XMP_PART = re.compile(rb"<pdfaid:part>\s*(\d)|pdfaid:part=[\"']\s*(\d)")


def declared_part(pdf: bytes) -> str | None:
    """The PDF/A part the book's XMP declares ("1", "2", "3"), without parsing the PDF."""
    last = pdf.rfind(b"pdfaid:part")  # from the end: a regex over the whole book is slow
    if last < 0:
        return None
    matches = list(_XMP_PART.finditer(pdf, max(0, last - 64), last + 64))
    return (matches[-1].group(1) or matches[-1].group(2)).decode() if matches else None


class PdfAWriter(IncrementalPdfFileWriter):
    """The incremental writer for every update of a book. PDF/A-1 is PDF 1.4: for a PDF/A-1 book the version is
    never raised and no developer extension is declared, which pyHanko otherwise does for PAdES (ESIC, 1.7) and
    ECDSA (ISO 32002, 2.0)."""

    def __init__(self, pdf: bytes) -> None:
        self.pdfa_part = declared_part(pdf)  # before the base class, which already asks for a version
        super().__init__(io.BytesIO(pdf))

    def ensure_output_version(self, version: Any) -> None:
        if self.pdfa_part != "1":
            super().ensure_output_version(version)

    def register_extension(self, ext: Any) -> None:
        if self.pdfa_part != "1":
            super().register_extension(ext)


class _PdfASigner(PdfSigner):
    """Declares ESIC only: ECDSA's ISO 32002 extension would raise the version to 2.0, outside PDF/A-2/3."""

    def register_extensions(self, pdf_out: BasePdfFileWriter, *, md_algorithm: str) -> None:
        pdf_out.ensure_output_version(version=(1, 7))
        pdf_out.register_extension(constants.ESIC_EXTENSION_1)


def _timestamp_certs(signer_info: cms.SignerInfo) -> list[list[x509.Certificate]]:
    """The certificates carried by each signature timestamp token of a signature."""
    return [[c.chosen for c in token["content"]["certificates"]] for token in timestamp_tokens(signer_info)]


async def _chain_paths(pdf: bytes, context: ValidationContext) -> list[Any]:
    """Validation paths of every signer and every signature-timestamp authority in the book; validating them
    through `context` also collects the OCSP responses and CRLs the DSS must carry. Each certificate once (the
    TSA signs every timestamp), all at the same time (the answers come from the network)."""
    reader = PdfFileReader(io.BytesIO(pdf))
    subjects: dict[bytes, tuple[x509.Certificate, list[x509.Certificate]]] = {}
    for sig in reader.embedded_regular_signatures:
        subjects.setdefault(sig.signer_cert.sha256, (sig.signer_cert, list(sig.other_embedded_certs)))
        for certs in _timestamp_certs(sig.signer_info):
            for cert in certs:
                if cert.extended_key_usage_value and "time_stamping" in cert.extended_key_usage_value.native:
                    subjects.setdefault(cert.sha256, (cert, certs))
    validators = [
        CertificateValidator(cert, intermediate_certs=others, validation_context=context)
        for cert, others in subjects.values()
    ]
    return list(await asyncio.gather(*(v.async_validate_path() for v in validators)))


async def _close_book(
    pdf: bytes,
    timestamper: timestamps.TimeStamper | None,
    context: ValidationContext,
    fetchers: Fetchers,
    tsa_context: ValidationContext,
) -> bytes:
    """B-LT then B-LTA in one incremental update: the DSS with the validation data of every signature, and the
    archive timestamp over it in a new field. Done here rather than by pyHanko's LTA option so that the PDF/A-1
    writer (no version bump) is used for this update too. `context` validates the book's paths through
    `fetchers` (kept between seals); `tsa_context` collects the archive timestamp's own validation data.

    PDF/A-1 books stop at B-LT (`timestamper` None): PDF/A-1 wants an appearance on every widget, even the
    zero-size one of a document timestamp, and after the seal's "no changes" lock a new appearance stream is a
    forbidden modification (filling a field made earlier is a forbidden form change). PDF/A-2 and -3 exempt
    zero-size widgets, so they carry the archive timestamp."""
    paths = await _chain_paths(pdf, context)
    ocsps, crls = revocation_data(paths, fetchers)
    writer = PdfAWriter(pdf)
    DocumentSecurityStore.supply_dss_in_writer(writer, None, paths=paths, ocsps=ocsps, crls=crls)
    if timestamper is None or writer.pdfa_part == "1":
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()
    stamper = PdfTimeStamper(timestamper, field_name=ARCHIVE_TIMESTAMP_FIELD)
    # The TSA's own validation data goes into the same update (a later DSS-only update would use a writer
    # that raises the PDF version).
    settings = TimestampDSSContentSettings(update_before_ts=True, include_vri=False)
    out = await stamper.async_timestamp_pdf(writer, "sha256", tsa_context, output=io.BytesIO(), dss_settings=settings)
    data: bytes = out.getvalue()
    return data


def next_field_for(pdf: bytes, signer_id: str) -> str | None:
    """The field of `pdf` that waits for `signer_id` now, if any (what a batch signer signs next)."""
    state = read_signing_state(pdf)
    return checks.next_field(state.plan, state.signed, signer_id)


def pdfa_part(pdf: bytes) -> str | None:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        part = doc.open_metadata().get("pdfaid:part")
    return str(part) if part else None


T = TypeVar("T")
# Room for the CMS (certificates, signature, timestamp token): known up front, pyHanko skips its trial signature.
RESERVED = 16384


def _vn_time(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M (GMT+7)")


class SigningService:
    """Signs fields of học bạ. One instance serves a whole batch: it keeps one event loop (in a thread of its
    own) and one HTTP session for the TSA, OCSP and CRL requests, so that connection set-up is paid once.
    Thread-safe; close it (or use it as a context manager) when done."""

    def __init__(self, policy: SigningPolicy) -> None:
        if not policy.tsa_url and not policy.allow_bb:
            raise ValueError("a TSA URL is required unless B-B signatures are explicitly allowed")
        self.policy = policy
        _pdfread.install()
        _names.install()
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
        """Sign `field` of `pdf` (bytes of the latest revision) with `key`; returns the new revision."""
        return self._run(self._sign(pdf, field, key, acting_as, expected_sha256))

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the service's loop (for the two-phase and remote key sources)."""
        return self._run(coro)

    def http(self) -> aiohttp.ClientSession:
        """The service's HTTP session (created on the service's loop, whichever thread asks)."""
        if self._session is None and threading.current_thread() is not self._thread:

            async def create() -> aiohttp.ClientSession:
                return self._http()

            return self._run(create())
        return self._http()

    def _timestamper(self) -> timestamps.TimeStamper | None:
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

    async def checked_entry(
        self,
        pdf: bytes,
        field: str,
        cert: x509.Certificate,
        chain: list[x509.Certificate],
        acting_as: str | None,
    ) -> tuple[PlanEntry, ValidationContext, PdfAWriter]:
        """Every check that comes before a signature; returns the plan entry of the field, the context holding
        the signer's revocation data (the seal embeds it) and the writer for the signature's update."""
        try:
            state = read_signing_state(pdf)
        except (PlanMissingError, ValueError, pikepdf.PdfError) as exc:  # no plan, or not a PDF at all
            raise errors.NotSignableError(
                "Tệp không phải học bạ do hệ thống tạo (không có kế hoạch ký)",
                "The file is not a học bạ rendered by this service (no signing plan)",
            ) from exc
        if state.foreign:
            names = ", ".join(sorted(state.foreign))
            raise errors.ForeignFormError(
                f"Học bạ có trường biểu mẫu ngoài kế hoạch ký ({names}); không ký",
                f"The book carries form fields outside its signing plan ({names}); it is not signed",
            )
        entry = checks.check_plan(state.plan, field, state.signed, acting_as)
        # The field's stamp first: no certificate can sign a field whose name the stamp font cannot draw.
        if entry.role is not Role.SCHOOL_SEAL and (missing := missing_characters(entry.label + entry.signer_name)):
            raise errors.StampCharacterError(
                f"Phông chữ của dấu chữ ký không có ký tự {missing!r} (trong tên hoặc chức danh của '{field}')",
                f"The stamp font has no glyph for {missing!r} (in the name or role of '{field}')",
            )
        checks.check_identity(entry, cert, self.policy)
        writer = PdfAWriter(pdf)
        _history.check_trailing(pdf, state.last_signature)
        if entry.role is Role.SCHOOL_SEAL:
            # a reader of its own: the difference analysis leaves the reader's state where the writer must not see it
            _history.check_history(
                PdfFileReader(io.BytesIO(pdf)), frozenset((*state.plan.fields(), ARCHIVE_TIMESTAMP_FIELD))
            )
        return entry, await self._status(cert, chain), writer

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
        """After a signature: the seal closes the book (DSS, archive timestamp) and the finished book is
        checked against its PDF/A part (after every signature too when the policy asks). `checked` is the
        signer's status from the checks before signing; without it (a two-phase signature completed later) the
        certificate is checked again."""
        if seal:
            if checked is None:
                await self._checked(cert, chain)
            signed = await self._archive_timestamp(signed, self._timestamper())
        if part and (seal or self.policy.check_pdfa_every_signature):
            violations = list(pikepdf.pdfa.validate_written(io.BytesIO(signed), f"{part}b").violations)
            if violations:
                raise errors.PdfaBrokenError(
                    f"Chữ ký làm hỏng PDF/A: {violations[0].message}",
                    f"The signature would break PDF/A: {violations[0].message}",
                )
        return signed

    async def _sign(
        self, pdf: bytes, field: str, key: KeySource, acting_as: str | None, expected_sha256: str | None
    ) -> bytes:
        if expected_sha256 is not None and hashlib.sha256(pdf).hexdigest() != expected_sha256:
            raise StaleRevisionError(
                "Tài liệu đã có chữ ký mới hơn; hãy ký lại trên bản mới nhất",
                "The document changed since this signature was prepared; sign the latest revision again",
            )
        cert = key.certificate
        signer = key.signer()
        _attrs.install(signer)
        chain = list(signer.cert_registry)
        entry, checked, writer = await self.checked_entry(pdf, field, cert, chain, acting_as)
        part = writer.pdfa_part
        seal = entry.role is Role.SCHOOL_SEAL
        meta = PdfSignatureMetadata(
            field_name=field,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=entry.label,
            location=self.policy.location or None,
            name=entry.signer_name,
            # The seal field's lock already says "no changes"; asking for the same avoids pyHanko's warning.
            docmdp_permissions=MDPPerm.NO_CHANGES if seal else MDPPerm.FILL_FORMS,
        )
        style = seal_style(entry.signer_name) if seal else person_style()
        pdf_signer = _PdfASigner(meta, signer, timestamper=self._timestamper(), stamp_style=style)
        text = {"role": entry.label, "name": entry.signer_name, "time": _vn_time(datetime.now(VIETNAM))}
        try:
            out = await pdf_signer.async_sign_pdf(
                writer,
                appearance_text_params=text,
                output=io.BytesIO(),
                bytes_reserved=RESERVED,
            )
        except (TimestampRequestError, TimeoutError, aiohttp.ClientError) as exc:
            raise TimestampUnavailableError(
                f"Không lấy được dấu thời gian: {exc!r}", f"No timestamp from the TSA: {exc!r}"
            ) from exc
        except SigningError as exc:
            raise errors.KeySourceError(f"Không ký được: {exc}", f"Signing failed: {exc}") from exc
        return await self.finish(out.getvalue(), seal, part, cert, chain, checked)

    async def _archive_timestamp(self, pdf: bytes, timestamper: timestamps.TimeStamper | None) -> bytes:
        """The seal's closing update, tried again with backoff when a responder or the TSA gave no answer."""
        return await retrying(
            lambda: self._close(pdf, timestamper),
            (errors.RevocationUnavailableError, TimestampUnavailableError),
            self.policy,
        )

    async def _close(self, pdf: bytes, timestamper: timestamps.TimeStamper | None) -> bytes:
        if self._kept_fetchers is None:  # made on the service's loop, whose HTTP session it uses
            self._kept_fetchers = KeptFetchers(self._http(), self.policy.status_reuse, self.policy.network_timeout)
        fetchers = self._kept_fetchers.get()
        # Long-term data for every other certificate (TSA, CAs) may come from OCSP or CRL alike.
        context = checks.validation_context(self.policy, fetchers=fetchers)
        tsa_context = checks.validation_context(self.policy, backend=self._backend())
        try:
            return await _close_book(pdf, timestamper, context, fetchers, tsa_context)
        except (cv.PathValidationError, cv.PathBuildingError, cv.InsufficientRevinfoError) as exc:
            self._kept_fetchers.forget()
            raise errors.RevocationUnavailableError(
                f"Không thu thập được dữ liệu xác thực dài hạn: {exc}",
                f"Cannot collect long-term validation data: {exc}",
            ) from exc
        except (TimestampRequestError, TimeoutError, aiohttp.ClientError) as exc:
            self._kept_fetchers.forget()
            raise TimestampUnavailableError(
                f"Không lấy được dấu thời gian lưu trữ: {exc!r}", f"No archive timestamp: {exc!r}"
            ) from exc
        except BaseException:
            self._kept_fetchers.forget()
            raise

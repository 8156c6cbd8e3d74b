"""What must hold before anyone signs: the plan's order and ownership, and the certificate (TT 15/2025: its status
is checked before signing — OCSP, falling back to the CRL)."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import timedelta

from asn1crypto import x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as cv
from pyhanko_certvalidator.fetchers import FetcherBackend
from pyhanko_certvalidator.fetchers.api import Fetchers
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

from records import PlanEntry, Role, SigningPlan

from . import errors
from .model import SigningPolicy


def check_plan(plan: SigningPlan, field: str, signed: frozenset[str], acting_as: str | None) -> PlanEntry:
    """The field exists, is still empty, belongs to `acting_as` (when given) and every earlier group is done."""
    try:
        entry = plan.entry(field)
    except KeyError:
        raise errors.UnknownFieldError(
            field=field,
        ) from None
    if field in signed:
        raise errors.FieldSignedError(field=field)
    if acting_as is not None and acting_as != entry.signer_id:
        raise errors.WrongSignerError(
            field=field,
            signer_name=entry.signer_name,
            signer_id=entry.signer_id,
            acting_as=acting_as,
        )
    missing = [e.field for e in plan.entries if e.group < entry.group and e.field not in signed]
    if missing:
        raise errors.OrderError(
            field=field,
            missing=", ".join(missing),
        )
    return entry


def next_field(plan: SigningPlan, signed: frozenset[str], signer_id: str) -> str | None:
    """The first field of `signer_id` that is open and whose earlier groups are complete, if any."""
    for entry in plan.entries:
        if entry.signer_id != signer_id or entry.field in signed:
            continue
        try:
            check_plan(plan, entry.field, signed, signer_id)
        except errors.SignerError:
            return None
        return entry.field
    return None


def fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().strip()


def same_person(certificate_name: str, planned_name: str) -> bool:
    """Whether a certificate's name is the plan's, whatever the case, the spacing and the diacritics (some CAs
    write "NGUYEN VAN AN" for Nguyễn Văn An)."""

    def loose(text: str) -> str:
        bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        return " ".join(bare.replace("đ", "d").replace("Đ", "D").casefold().split())

    return loose(certificate_name) == loose(planned_name)


def _subject(cert: x509.Certificate, key: str) -> str:
    value = cert.subject.native.get(key, "")
    return str(value[0] if isinstance(value, list) else value)


def common_name(cert: x509.Certificate) -> str:
    """The certificate subject's common name (the first, when there are several)."""
    return _subject(cert, "common_name")


def is_organisation_certificate(cert: x509.Certificate) -> bool:
    """An organisation's certificate names the organisation itself as its subject (CN = O)."""
    organisation = _subject(cert, "organization_name")
    return bool(organisation) and fold(common_name(cert)) == fold(organisation)


def fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


def check_identity(entry: PlanEntry, cert: x509.Certificate, policy: SigningPolicy) -> None:
    seal = entry.role is Role.SCHOOL_SEAL
    if seal != is_organisation_certificate(cert):
        raise errors.SealOnlyError()
    bound = policy.bindings.get(entry.signer_id)
    name = common_name(cert)
    # A fingerprint binding pins one certificate of the person; it never lets another name sign, since the
    # book's verification checks every signature against the plan's names.
    if (bound is not None and (bound.lower() != fingerprint(cert) or not same_person(name, entry.signer_name))) or (
        bound is None and fold(name) != fold(entry.signer_name)
    ):
        raise errors.IdentityMismatchError(
            name=name,
            signer_name=entry.signer_name,
            signer_id=entry.signer_id,
        )
    usage = set(cert.key_usage_value.native) if cert.key_usage_value else set()
    if not usage & {"digital_signature", "non_repudiation"}:
        raise errors.KeyUsageError()


CLOCK_TOLERANCE = timedelta(seconds=60)


def validation_context(
    policy: SigningPolicy,
    backend: FetcherBackend | None = None,
    signer_rule: RevocationCheckingRule = RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
    fetchers: Fetchers | None = None,
) -> ValidationContext:
    """Revocation information is required for every certificate of the path. `fetchers` (instead of a
    `backend` to make new ones) brings the answers they already fetched."""
    return ValidationContext(
        trust_roots=list(policy.trust_roots),
        # Responders' clocks differ from ours: an answer dated a little after our "now" is still usable.
        time_tolerance=CLOCK_TOLERANCE,
        allow_fetching=True,
        fetcher_backend=backend,
        fetchers=fetchers,
        revinfo_policy=CertRevTrustPolicy(
            RevocationCheckingPolicy(
                ee_certificate_rule=signer_rule,
                intermediate_ca_cert_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
            )
        ),
    )


async def check_certificate(
    cert: x509.Certificate, chain: list[x509.Certificate], policy: SigningPolicy, backend: FetcherBackend | None
) -> ValidationContext:
    """Valid now, trusted, not revoked. The signer's status comes from OCSP; only when no OCSP answer can be had
    is the CRL consulted (TT 15/2025). A CRL is published on a schedule and can lag a revocation the OCSP
    responder already reports, so the two are not interchangeable. Returns the context holding the revocation
    data, for embedding."""
    ocsp = validation_context(policy, backend=backend, signer_rule=RevocationCheckingRule.OCSP_REQUIRED)
    try:
        return await _validate(cert, chain, ocsp)
    except errors.RevocationUnavailableError:
        # An OCSP answer that says "revoked" settles it even when it could not be used for the path.
        if _ocsp_says_revoked(ocsp, cert):
            raise errors.RevokedError("check_certificate") from None
        crl = validation_context(policy, backend=backend, signer_rule=RevocationCheckingRule.CRL_REQUIRED)
        return await _validate(cert, chain, crl)


def _ocsp_says_revoked(context: ValidationContext, cert: x509.Certificate) -> bool:
    for response in context.ocsps:
        try:
            answers = response["response_bytes"]["response"].parsed["tbs_response_data"]["responses"]
        except (KeyError, ValueError, TypeError):
            continue
        for answer in answers:
            if (
                answer["cert_id"]["serial_number"].native == cert.serial_number
                and answer["cert_status"].name == "revoked"
            ):
                return True
    return False


async def _validate(
    cert: x509.Certificate, chain: list[x509.Certificate], context: ValidationContext
) -> ValidationContext:
    validator = CertificateValidator(cert, intermediate_certs=chain, validation_context=context)
    try:
        await validator.async_validate_path()
    except cv.RevokedError as exc:
        raise errors.RevokedError("validate", exc=str(exc)) from exc
    except (cv.ExpiredError, cv.NotYetValidError) as exc:
        raise errors.CertificateExpiredError(exc=str(exc)) from exc
    except cv.InsufficientRevinfoError as exc:
        raise errors.RevocationUnavailableError(
            "validate",
            exc=str(exc),
        ) from exc
    except (cv.PathBuildingError, cv.PathValidationError) as exc:
        raise errors.UntrustedError(
            exc=str(exc),
        ) from exc
    return context

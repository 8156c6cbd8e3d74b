"""Errors of the signing package: a stable code, a Vietnamese and an English message, and whether a retry
can succeed (a stale revision, an unreachable TSA) or not (a wrong signer, a revoked certificate)."""

from __future__ import annotations

from records import HocbaError, register_wording

from .messages import WORDING


class SignerError(HocbaError):
    """Root of this package's errors."""

    code = "signer.error"
    retryable = False


def _error(name: str, code: str, retryable: bool = False) -> type[SignerError]:
    # `name` is the name the class is bound to below: pickle finds a class by its module and name, so an error
    # crossing a process boundary (a sitting's workers) needs the two to agree.
    return type(name, (SignerError,), {"code": code, "retryable": retryable, "__module__": __name__})


UnknownFieldError = _error("UnknownFieldError", "signer.unknown_field")
FieldSignedError = _error("FieldSignedError", "signer.field_signed")
OrderError = _error("OrderError", "signer.order")
WrongSignerError = _error("WrongSignerError", "signer.wrong_signer")
IdentityMismatchError = _error("IdentityMismatchError", "signer.identity_mismatch")
SealOnlyError = _error("SealOnlyError", "signer.seal_certificate")
KeyUsageError = _error("KeyUsageError", "signer.key_usage")
CertificateExpiredError = _error("CertificateExpiredError", "signer.certificate_expired")
UntrustedError = _error("UntrustedError", "signer.untrusted")
RevokedError = _error("RevokedError", "signer.revoked")
RevocationUnavailableError = _error("RevocationUnavailableError", "signer.revocation_unavailable", retryable=True)
PdfaBrokenError = _error("PdfaBrokenError", "signer.pdfa_broken")
StampCharacterError = _error("StampCharacterError", "signer.stamp_character")
KeySourceError = _error("KeySourceError", "signer.key_source")
RemoteRefusedError = _error("RemoteRefusedError", "signer.remote_refused")
RemoteTimeoutError = _error("RemoteTimeoutError", "signer.remote_timeout", retryable=True)
NotSignableError = _error("NotSignableError", "signer.not_signable")
SessionExpiredError = _error("SessionExpiredError", "signer.session_expired")
UnknownSessionError = _error("UnknownSessionError", "signer.unknown_session")
ForeignFormError = _error("ForeignFormError", "signer.foreign_form")
UnsignedChangesError = _error("UnsignedChangesError", "signer.unsigned_changes")
UnreadableDocumentError = _error("UnreadableDocumentError", "signer.unreadable")
TooLargeError = _error("TooLargeError", "signer.too_large")
TooComplexError = _error("TooComplexError", "signer.too_complex")
EncryptedDocumentError = _error("EncryptedDocumentError", "signer.encrypted")
TrustRootsError = _error("TrustRootsError", "signer.trust_roots")
NotRenewableError = _error("NotRenewableError", "signer.not_renewable")

register_wording(WORDING)

"""Errors of the signing package: a stable code, a Vietnamese and an English message, and whether a retry
can succeed (a stale revision, an unreachable TSA) or not (a wrong signer, a revoked certificate)."""

from __future__ import annotations


class SignerError(Exception):
    """Root of this package's errors."""

    code = "signer.error"
    retryable = False

    def __init__(self, message_vi: str, message_en: str) -> None:
        self.message_vi = message_vi
        self.message_en = message_en
        super().__init__(message_en)

    def __reduce__(self) -> tuple[type[SignerError], tuple[str, str]]:
        # Back from a worker process with both messages (the default would rebuild it from one).
        return type(self), (self.message_vi, self.message_en)


def _error(code: str, retryable: bool = False) -> type[SignerError]:
    name = "".join(part.title() for part in code.split(".")[1].split("_")) + "Error"
    return type(name, (SignerError,), {"code": code, "retryable": retryable, "__module__": __name__})


UnknownFieldError = _error("signer.unknown_field")
FieldSignedError = _error("signer.field_signed")
OrderError = _error("signer.order")
WrongSignerError = _error("signer.wrong_signer")
IdentityMismatchError = _error("signer.identity_mismatch")
SealOnlyError = _error("signer.seal_certificate")
KeyUsageError = _error("signer.key_usage")
CertificateExpiredError = _error("signer.certificate_expired")
UntrustedError = _error("signer.untrusted")
RevokedError = _error("signer.revoked")
RevocationUnavailableError = _error("signer.revocation_unavailable", retryable=True)
TimestampError = _error("signer.timestamp_unavailable", retryable=True)
StaleRevisionError = _error("signer.stale_revision", retryable=True)
PdfaBrokenError = _error("signer.pdfa_broken")
StampCharacterError = _error("signer.stamp_character")
KeySourceError = _error("signer.key_source")
RemoteRefusedError = _error("signer.remote_refused")
RemoteTimeoutError = _error("signer.remote_timeout", retryable=True)
NotSignableError = _error("signer.not_signable")
SessionExpiredError = _error("signer.session_expired")
UnknownSessionError = _error("signer.unknown_session")

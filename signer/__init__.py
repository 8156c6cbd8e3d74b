"""Signing plans' enforcement, key sources, PAdES signatures, verification and ETSI validation reports.

Knows records and templates, never storage.
"""

from . import errors
from .adapters import ConfirmAndPollApi, ConfirmAndPollKeySource, CscKeySource, Pkcs11KeySource, Pkcs12KeySource
from .adapters.pkcs11 import DEFAULT_MODULE as DEFAULT_PKCS11_MODULE
from .appearance import use_cache_dir
from .checks import fingerprint, is_organisation_certificate, same_person
from .errors import SignerError
from .etsi import etsi_report
from .external import ExternalSigning, FileSessionStore, PreparedSignature, SessionStore
from .keys import KeyReference, SecretLookup
from .model import ARCHIVE_TIMESTAMP_FIELD, SigningPolicy, VerifyPolicy
from .ports import KeyKind, KeySource
from .raw import raw_signature
from .renewal import ArchiveStamp, Renewed, last_archive_stamp
from .service import SigningService, next_field_for, pdfa_part
from .speedups import install_speedups
from .trust import load_roots
from .verify import DocumentCheck, SignatureCheck, UnreadableDocumentError, verify

__all__ = [
    "ARCHIVE_TIMESTAMP_FIELD",
    "DEFAULT_PKCS11_MODULE",
    "ArchiveStamp",
    "ConfirmAndPollApi",
    "ConfirmAndPollKeySource",
    "CscKeySource",
    "DocumentCheck",
    "ExternalSigning",
    "FileSessionStore",
    "KeyKind",
    "KeyReference",
    "KeySource",
    "Pkcs11KeySource",
    "Pkcs12KeySource",
    "PreparedSignature",
    "Renewed",
    "SecretLookup",
    "SessionStore",
    "SignatureCheck",
    "SignerError",
    "SigningPolicy",
    "SigningService",
    "UnreadableDocumentError",
    "VerifyPolicy",
    "errors",
    "etsi_report",
    "fingerprint",
    "install_speedups",
    "is_organisation_certificate",
    "last_archive_stamp",
    "load_roots",
    "next_field_for",
    "pdfa_part",
    "raw_signature",
    "same_person",
    "use_cache_dir",
    "verify",
]

"""Signing plans' enforcement, key sources, PAdES signatures and (later) verification.

Knows records and templates, never storage.
"""

from . import errors
from .adapters import Pkcs11KeySource, Pkcs12KeySource
from .checks import fingerprint, is_organisation_certificate
from .errors import SignerError
from .model import ARCHIVE_TIMESTAMP_FIELD, SigningPolicy
from .ports import KeySource
from .service import SigningService, pdfa_part

__all__ = [
    "ARCHIVE_TIMESTAMP_FIELD",
    "KeySource",
    "Pkcs11KeySource",
    "Pkcs12KeySource",
    "SignerError",
    "SigningPolicy",
    "SigningService",
    "errors",
    "fingerprint",
    "is_organisation_certificate",
    "pdfa_part",
]

"""Errors of the development PKI, each with a stable code (under the one root, `records.HocbaError`)."""

from __future__ import annotations

from records import HocbaError, register_wording

from .messages import WORDING


class PkiError(HocbaError):
    code = "pki.error"


class UnknownSignerError(PkiError):
    code = "pki.unknown_signer"


class PeopleFileError(PkiError):
    """A records or staff file that names nobody to give a certificate to."""

    code = "pki.people_file"


register_wording(WORDING)

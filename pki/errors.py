"""Errors of the development PKI, each with a stable code (under the one root, `records.HocbaError`)."""

from __future__ import annotations

from records import HocbaError


class PkiError(HocbaError):
    code = "pki.error"


class UnknownSignerError(PkiError):
    code = "pki.unknown_signer"

"""Errors of the development PKI, each with a stable code."""

from __future__ import annotations


class PkiError(Exception):
    code = "pki.error"


class UnknownSignerError(PkiError):
    code = "pki.unknown_signer"

"""Faster X.509 name comparison for certificate matching and path validation.

asn1crypto compares names as RFC 5280 (7.1) asks: every attribute value through the RFC 4518 string preparation,
again for every comparison of freshly parsed certificates. Finding each signature's certificate (issuer and serial
against every certificate in its CMS) and validating the paths of a sealed book's 15 signers made well over a thousand
such comparisons, a large part of the seal. The canonical form asn1crypto compares is computed here once per
distinct encoding and kept; comparing two names compares their canonical forms, which is the same test.
A name whose preparation fails (prohibited characters) goes to asn1crypto's own comparison, errors included.
"""

from __future__ import annotations

from typing import Any

from asn1crypto import x509

_original_eq = x509.Name.__eq__
_original_hashable = x509.Name.hashable


_CANONICAL: dict[bytes, tuple[tuple[int, str], ...]] = {}
_KEPT = 4096  # distinct names: a school's staff, its CAs and TSAs, with room to spare


def _canonical(name: x509.Name) -> tuple[tuple[int, str], ...]:
    """(attribute count, prepared attributes) of each RDN, in order: asn1crypto's `RDNSequence.__eq__` compares
    the counts and, per RDN, the prepared value of each attribute type, which is what `hashable` spells out.
    Kept by the name's encoding (with its tag: a name inside a GeneralName is tagged)."""
    der = name.dump()
    found = _CANONICAL.get(der)
    if found is None:
        found = tuple((len(rdn), rdn.hashable) for rdn in name.chosen)
        if len(_CANONICAL) >= _KEPT:
            _CANONICAL.clear()
        _CANONICAL[der] = found
    return found


def name_eq(self: x509.Name, other: Any) -> bool:
    """Drop-in for `asn1crypto.x509.Name.__eq__`."""
    if not isinstance(other, x509.Name):
        return False
    try:
        return _canonical(self) == _canonical(other)
    except ValueError:
        result: bool = _original_eq(self, other)
        return result


def name_hashable(self: x509.Name) -> str:
    """Drop-in for `asn1crypto.x509.Name.hashable` (the key certificate registries look names up by)."""
    try:
        return "\x1e".join(prepared for _count, prepared in _canonical(self))
    except ValueError:
        result: str = _original_hashable.fget(self)
        return result


def install() -> None:
    x509.Name.__eq__ = name_eq
    x509.Name.hashable = property(name_hashable)

"""Trust roots read from files (PEM, one or many, or DER), as the faces and tools name them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from asn1crypto import x509
from pyhanko.keys import load_certs_from_pemder

from .errors import TrustRootsError


def load_roots(paths: Iterable[Path]) -> tuple[x509.Certificate, ...]:
    """Every certificate of every file; a file that cannot be read, or holds none, is refused naming it."""
    roots: list[x509.Certificate] = []
    for path in paths:
        try:
            found = list(load_certs_from_pemder([str(path)]))
            if not found:
                raise ValueError("no certificate")
        except (OSError, ValueError) as exc:
            raise TrustRootsError(
                path=path,
                exc=str(exc),
                file=str(path),
            ) from exc
        roots += found
    return tuple(roots)

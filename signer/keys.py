"""Key references: where a key is and the name of the secret that opens it, never the secret itself.

A reference is what crosses a process boundary (a sitting's worker processes, a job queue): each process opens
the key itself, asking its own secret lookup for the password or PIN by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .adapters import Pkcs11KeySource, Pkcs12KeySource
from .adapters.pkcs11 import DEFAULT_MODULE
from .errors import KeySourceError
from .ports import KeyKind, KeySource

SecretLookup = Callable[[str], str | None]
"""The secret of this name in the process that opens the key (None: it has none); picklable (a module-level
function) when it travels with a reference."""


@dataclass(frozen=True)
class KeyReference:
    """A key every process can open itself: a PKCS#12 file or a PKCS#11 token (a remote service is used from one
    process and has no reference)."""

    kind: KeyKind
    location: str
    """The PKCS#12 file's path, or the token's label."""
    secret_name: str
    """The name the secret lookup knows the password (file) or PIN (token) by."""
    key_label: str = ""
    """The key's and certificate's label on a token."""
    module: str = DEFAULT_MODULE
    """The PKCS#11 module of a token."""

    def open(self, lookup: SecretLookup) -> KeySource:
        """The key source, opened with the secret the lookup gives; refused (`signer.key_source`) without one."""
        secret = lookup(self.secret_name)
        if secret is None:
            raise KeySourceError(
                "no_secret",
                secret_name=self.secret_name,
                location=self.location,
            )
        if self.kind is KeyKind.FILE:
            return Pkcs12KeySource(Path(self.location), secret.encode())
        if self.kind is KeyKind.TOKEN:
            return Pkcs11KeySource(self.location, secret, self.key_label, self.module)
        raise KeySourceError(
            "remote_reference",
        )

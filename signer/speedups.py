"""The signer's speed-ups for pyHanko: faster PDF token readers and X.509 name comparison (see
docs/performance.md). They patch pyHanko and asn1crypto for the whole process, so they are installed on purpose,
once per process, by whoever composes the application (`api/wiring.py`, each sitting worker, the tools), never as
a side effect of making a service, and before any certificate or key is loaded: what was loaded before them keeps
to the slow paths (docs/performance.md)."""

from __future__ import annotations

from . import _names, _pdfread


def install_speedups() -> None:
    """Install both in this process (idempotent)."""
    _pdfread.install()
    _names.install()

"""Key sources: PKCS#12 files, PKCS#11 tokens, two-phase external signing, CSC remote signing."""

from .pkcs12 import Pkcs12KeySource

__all__ = ["Pkcs12KeySource"]

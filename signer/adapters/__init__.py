"""Key sources: PKCS#12 files, PKCS#11 tokens, two-phase external signing, CSC remote signing."""

from .pkcs11 import Pkcs11KeySource
from .pkcs12 import Pkcs12KeySource

__all__ = ["Pkcs11KeySource", "Pkcs12KeySource"]

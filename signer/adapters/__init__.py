"""Key sources: PKCS#12 files, PKCS#11 tokens, CSC remote signing (two-phase signing is `signer.external`)."""

from .csc import CscKeySource
from .pkcs11 import Pkcs11KeySource
from .pkcs12 import Pkcs12KeySource

__all__ = ["CscKeySource", "Pkcs11KeySource", "Pkcs12KeySource"]

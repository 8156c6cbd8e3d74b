"""Key sources: PKCS#12 files, PKCS#11 tokens, CSC remote signing, remote signing confirmed in a phone app
(two-phase signing is `signer.external`)."""

from .confirm_poll import ConfirmAndPollApi, ConfirmAndPollKeySource
from .csc import CscKeySource
from .pkcs11 import Pkcs11KeySource
from .pkcs12 import Pkcs12KeySource

__all__ = ["ConfirmAndPollApi", "ConfirmAndPollKeySource", "CscKeySource", "Pkcs11KeySource", "Pkcs12KeySource"]

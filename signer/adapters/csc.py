"""Remote signing over the Cloud Signature Consortium API v1 (the API Viettel MySign exposes).

The key stays with the provider; the service sends hashes and receives signatures. Authorisation follows SCAL 2
(each SAD names the hashes it covers). With `batch_size` > 1 the hashes of several documents signed at the same
time go out in one signHash call — how a principal signs hundreds of books without hundreds of round trips.

A confirm-in-app-and-poll provider (the SmartCA style) fits the same `KeySource` port: its authorisation manager
starts a transaction, polls until the person confirms on the phone, then returns the SAD.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from asn1crypto import x509
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)

from ..errors import KeySourceError
from ..ports import KeyKind


class _HashPinnedAuthorization(CSCAuthorizationManager):
    def __init__(
        self,
        info: CSCServiceSessionInfo,
        credential: CSCCredentialInfo,
        session: aiohttp.ClientSession,
        pin: str | None,
    ) -> None:
        super().__init__(info, credential)
        self._session, self._pin = session, pin

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        request = self.format_csc_auth_request(hash_b64s=hash_b64s, pin=self._pin)
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        async with self._session.post(url, json=request, headers=self.auth_headers) as response:
            if response.status != 200:
                raise KeySourceError(
                    "authorize_signature",
                    status=response.status,
                )
            data: dict[str, Any] = await response.json()
        return self.parse_csc_auth_response(data)


class CscKeySource:
    """A CSC credential. `connect` binds it to the signing service's HTTP session (call once)."""

    kind = KeyKind.REMOTE

    def __init__(
        self,
        service_url: str,
        credential_id: str,
        *,
        pin: str | None = None,
        oauth_token: str | None = None,
        batch_size: int = 1,
    ) -> None:
        self.info = CSCServiceSessionInfo(service_url, credential_id, oauth_token=oauth_token)
        self.pin, self.batch_size = pin, batch_size
        self._signer: CSCSigner | None = None

    async def connect(self, session: aiohttp.ClientSession) -> CscKeySource:
        try:
            credential = await fetch_certs_in_csc_credential(session, self.info)
        except Exception as exc:  # aiohttp and pyHanko both raise here; either way the credential is unusable
            raise KeySourceError("credential", exc=str(exc)) from exc
        auth = _HashPinnedAuthorization(self.info, credential, session, self.pin)
        self._signer = CSCSigner(session, auth, batch_size=self.batch_size, batch_autocommit=True)
        return self

    def _connected(self) -> CSCSigner:
        if self._signer is None:
            raise KeySourceError("not_connected")
        return self._signer

    @property
    def certificate(self) -> x509.Certificate:
        cert: x509.Certificate = self._connected().signing_cert
        return cert

    def signer(self) -> CSCSigner:
        return self._connected()

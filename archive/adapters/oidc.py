"""The school's OpenID Connect identity provider, through authlib: the authorization code flow with PKCE, and
the ID token checked (signature against the provider's published keys, issuer, audience, expiry, nonce) the way
authlib's own web integrations check it."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, cast

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, KeySetSerialization
from joserfc.jws import JWSRegistry
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from ..account_model import Identity
from ..errors import IdentityProviderError, IdentityRefusedError

_LEEWAY = 60  # seconds of clock difference tolerated between the provider and this machine


@dataclass(frozen=True)
class ProviderAnswer:
    """Who the provider says signed in, and how: `methods` are its `amr` values (RFC 8176), which tell whether
    a second factor was used."""

    identity: Identity
    methods: tuple[str, ...] = ()


class OidcProvider:
    """One provider (`issuer`) and this service's client registration at it. Its metadata and keys are read
    once and kept; the keys are read again when a token names one not seen yet (the provider rotated them)."""

    def __init__(self, issuer: str, client_id: str, client_secret: str | None, timeout: float = 10.0) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self._secret = client_secret
        self._timeout = timeout
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._keys: dict[str, Any] | None = None

    def authorization_url(self, redirect_uri: str, state: str, nonce: str, verifier: str) -> str:
        with self._session(redirect_uri) as session:
            url, _ = session.create_authorization_url(
                self._meta()["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce
            )
        return str(url)

    def answer(self, redirect_uri: str, code: str, nonce: str, verifier: str) -> ProviderAnswer:
        """Exchange the code for the ID token and check it; `IdentityRefusedError` when anything does not hold."""
        meta = self._meta()
        with self._session(redirect_uri) as session:
            try:
                token = session.fetch_token(
                    meta["token_endpoint"], code=code, code_verifier=verifier, timeout=self._timeout
                )
            except OAuth2Error as exc:
                raise IdentityRefusedError("code", reason=exc.error or "") from exc
            except requests.RequestException as exc:
                raise IdentityProviderError(issuer=self.issuer) from exc
        if "id_token" not in token:
            raise IdentityRefusedError("token", reason="no id_token")
        claims = self._claims(str(token["id_token"]), nonce, str(token.get("access_token") or ""))
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise IdentityRefusedError("token", reason="no subject")
        methods = claims.get("amr") or ()
        shown = tuple(str(m) for m in methods) if isinstance(methods, list) else ()
        return ProviderAnswer(Identity(self.issuer, subject), shown)

    def _claims(self, id_token: str, nonce: str, access_token: str) -> dict[str, Any]:
        algorithms = self._meta().get("id_token_signing_alg_values_supported") or ["RS256"]
        registry = JWSRegistry(algorithms=[a for a in algorithms if a != "none"], strict_check_header=False)
        params = {"nonce": nonce, "client_id": self.client_id, "access_token": access_token}
        try:
            try:
                decoded = jwt.decode(
                    id_token, KeySet.import_key_set(cast(KeySetSerialization, self._jwks(False))), registry=registry
                )
            except JoseError:
                decoded = jwt.decode(
                    id_token, KeySet.import_key_set(cast(KeySetSerialization, self._jwks(True))), registry=registry
                )
            options = {"iss": {"essential": True, "values": [self._meta().get("issuer", self.issuer)]}}
            found = CodeIDToken(decoded.claims, decoded.header, options, params)
            found.validate(leeway=_LEEWAY)
        except (JoseError, ValueError) as exc:
            raise IdentityRefusedError("token", reason=type(exc).__name__) from exc
        return dict(found)

    def _meta(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None:
                found = self._get(f"{self.issuer}/.well-known/openid-configuration")
                if found.get("issuer", "").rstrip("/") != self.issuer:
                    raise IdentityRefusedError("issuer", reason=str(found.get("issuer")))
                self._metadata = found
            return self._metadata

    def _jwks(self, again: bool) -> dict[str, Any]:
        uri = self._meta()["jwks_uri"]
        with self._lock:
            if self._keys is None or again:
                self._keys = self._get(uri)
            return self._keys

    def _get(self, url: str) -> dict[str, Any]:
        with _http() as http:
            try:
                answer = http.get(url, timeout=self._timeout)
                answer.raise_for_status()
                found = answer.json()
            except (requests.RequestException, ValueError) as exc:
                raise IdentityProviderError(issuer=self.issuer) from exc
        if not isinstance(found, dict):
            raise IdentityProviderError(issuer=self.issuer)
        return found

    def _session(self, redirect_uri: str) -> OAuth2Session:
        session = OAuth2Session(
            self.client_id,
            self._secret,
            scope="openid",
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
        )
        _retrying(session)
        return session


def _http() -> requests.Session:
    return _retrying(requests.Session())


def _retrying(session: requests.Session) -> requests.Session:
    # Connection failures are tried again with backoff (0.2 s, 0.4 s, 0.8 s) for every request; a read failure or
    # a 5xx answer only for GETs: a code sent once to the token endpoint may already have been spent.
    retry = Retry(total=3, backoff_factor=0.2, status_forcelist=(502, 503, 504), allowed_methods={"GET"})
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session

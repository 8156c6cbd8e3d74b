"""Signing in through the school's identity provider (OpenID Connect, the authorization code flow with PKCE).
A sign-in under way is kept server-side under the sha256 of its `state`, which only the browser that asked holds
(in a cookie): the provider's answer is taken once, by that browser, within minutes. An account links its own
identity while signed in; nobody else (the school's administrator included) can link one to it."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from archive import Account, FlowPurpose, ProviderAnswer, SignInFlow

from .accounts import AccountBook, Token
from .errors import AuthenticationError

SECOND_FACTOR_METHODS = frozenset({"mfa", "otp", "hwk", "swk", "sc"})
"""`amr` values (RFC 8176) that show the provider checked a second factor: a one-time code, a key held in
hardware or software, a smart card, or its own "multiple factors"."""


class IdentityProvider(Protocol):
    issuer: str

    def authorization_url(self, redirect_uri: str, state: str, nonce: str, verifier: str) -> str: ...

    def answer(self, redirect_uri: str, code: str, nonce: str, verifier: str) -> ProviderAnswer: ...


@dataclass(frozen=True)
class Started:
    url: str
    """Where the browser goes to sign in at the provider."""
    state: str
    """The browser keeps it (a cookie) and brings it back with the provider's answer."""


@dataclass(frozen=True)
class Finished:
    purpose: FlowPurpose
    account: Account
    next_path: str
    token: Token | None = None
    """The new session, when signing in (None when an identity was linked)."""


def safe_next(path: str | None) -> str:
    """Where to go after signing in: a path of this site only (never `//elsewhere` or a full URL)."""
    if not path or not path.startswith("/") or path.startswith(("//", "/\\")) or any(c < " " for c in path):
        return "/"
    return path[:512]


@dataclass
class FederatedSignIn:
    book: AccountBook
    provider: IdentityProvider
    redirect_uri: str
    second_factor_methods: frozenset[str] = SECOND_FACTOR_METHODS
    lifetime: timedelta = timedelta(minutes=10)

    def start(self, next_path: str | None, linking: Account | None = None) -> Started:
        """A sign-in (or, with `linking`, the signed-in account's link) to begin at the provider."""
        state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
        flow = SignInFlow(
            purpose=FlowPurpose.LINK if linking else FlowPurpose.SIGN_IN,
            nonce=nonce,
            verifier=verifier,
            next_path=safe_next(next_path),
            expires_at=self.book.now() + self.lifetime,
            username=linking.username if linking else None,
        )
        url = self.provider.authorization_url(self.redirect_uri, state, nonce, verifier)
        self.book.store.add_flow(_sha256(state), flow, self.book.now())
        return Started(url, state)

    def finish(self, kept_state: str, returned_state: str, code: str) -> Finished:
        """The provider's answer, brought back by the browser that started the sign-in: a session for the
        account the identity opens, or the identity linked. `auth.failed` when anything does not match."""
        if not (kept_state and returned_state and code) or not secrets.compare_digest(kept_state, returned_state):
            raise AuthenticationError("flow")
        flow = self.book.store.take_flow(_sha256(kept_state), self.book.now())
        if flow is None:
            raise AuthenticationError("flow")
        answer = self.provider.answer(self.redirect_uri, code, flow.nonce, flow.verifier)
        if flow.purpose is FlowPurpose.LINK and flow.username:
            self.book.link_identity(flow.username, answer.identity, actor=flow.username)
            return Finished(flow.purpose, self.book.store.get(flow.username), flow.next_path)
        account = self._opened(answer)
        return Finished(flow.purpose, account, flow.next_path, self.book.issue(account))

    def _opened(self, answer: ProviderAnswer) -> Account:
        account = self.book.store.identity_account(answer.identity)
        if account is None or not account.active:
            raise AuthenticationError("identity")
        if account.needs_second_factor and not self.second_factor_methods.intersection(answer.methods):
            raise AuthenticationError("identity_second_factor")
        return account


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()

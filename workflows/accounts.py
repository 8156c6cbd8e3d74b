"""Accounts and signing in: create and disable accounts (audited), check a password (argon2id) and, for the
roles that carry the school's authority, a second factor (TOTP or a one-time recovery code); throttle failed
logins per account and per address; hand out short-lived tokens, kept only as their sha256."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from archive import Account, AccountInvalidError, Identity, SqlAccounts, link_problem

from .errors import AuthenticationError, ThrottledError, WeakPasswordError

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
_HASHER = PasswordHasher()  # argon2id with the library's recommended cost (RFC 9106's second choice)
_RECOVERY_CODES = 10
ISSUER = "hocba"


@dataclass(frozen=True)
class LoginPolicy:
    account_limit: int = 5
    """Failed logins of one account within `window` before it is refused until the window ends."""
    address_limit: int = 30
    """Failed logins from one address within `window` (a school's shared network keeps working)."""
    window: timedelta = timedelta(minutes=15)
    token_lifetime: timedelta = timedelta(minutes=30)
    min_password: int = 10


@dataclass(frozen=True)
class NewAccount:
    """An account as created, with what is shown once and never again: the second factor's secret (as an
    otpauth:// URI for an authenticator app) and the recovery codes."""

    account: Account
    otpauth_uri: str | None = None
    recovery_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: datetime
    account: Account


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class AccountBook:
    """The account use cases over the archive's account store."""

    store: SqlAccounts
    policy: LoginPolicy = field(default_factory=LoginPolicy)
    now: Callable[[], datetime] = _now

    def create(self, account: Account, password: str, actor: str) -> NewAccount:
        if not _USERNAME.fullmatch(account.username):
            raise AccountInvalidError("username", username=account.username)
        problem = link_problem(account)
        if problem:
            raise AccountInvalidError(problem, role=account.role.value)
        if len(password) < self.policy.min_password:
            raise WeakPasswordError(minimum=self.policy.min_password)
        secret, codes = _second_factor() if account.needs_second_factor else (None, ())
        stored = self.store.create(
            account,
            _HASHER.hash(password),
            self.now(),
            actor,
            totp_secret=secret,
            recovery_hashes=tuple(_sha256(code) for code in codes),
        )
        uri = pyotp.TOTP(secret).provisioning_uri(name=account.username, issuer_name=ISSUER) if secret else None
        return NewAccount(stored, uri, codes)

    def change_password(self, username: str, current: str, new: str, address: str) -> None:
        """The account's own change: the current password first (failures count as failed logins), then every
        session ends (sign in again)."""
        now = self.now()
        self._password_checked(username, current, address, now)
        if len(new) < self.policy.min_password:
            raise WeakPasswordError(minimum=self.policy.min_password)
        self.store.renew_credentials(username, now, username, password_hash=_HASHER.hash(new))

    def reset_second_factor(self, username: str, actor: str) -> NewAccount:
        """A new authenticator secret and recovery codes (a lost phone), shown once; every session ends."""
        account = self.store.get(username)
        secret, codes = _second_factor()
        hashes = tuple(_sha256(code) for code in codes)
        self.store.renew_credentials(username, self.now(), actor, second_factor=(secret, hashes))
        uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)
        return NewAccount(account, uri, codes)

    def disable(self, username: str, actor: str) -> Account:
        return self.store.disable(username, self.now(), actor)

    def accounts(self, school_code: str | None = None) -> list[Account]:
        return self.store.accounts(school_code)

    def link_identity(self, username: str, identity: Identity, actor: str) -> None:
        """Let an account at the school's identity provider open this account (audited)."""
        if not self.store.get(username).active:
            raise AuthenticationError("credentials")
        self.store.link_identity(username, identity, self.now(), actor)

    def unlink_identities(self, username: str, actor: str) -> int:
        return self.store.unlink_identities(username, self.now(), actor)

    def login(self, username: str, password: str, address: str, second_factor: str | None = None) -> Token:
        """A token for the account, or `auth.failed` (which never says what was wrong) or `auth.throttled`."""
        now = self.now()
        account, stored_hash = self._password_checked(username, password, address, now)
        keys = _throttle_keys(username, address)
        if account.needs_second_factor and not self._second_factor_ok(account, second_factor, now):
            self._failed(keys, now)
            raise AuthenticationError("second_factor" if not second_factor else "credentials")
        self.store.clear_failures(keys[0])
        if _HASHER.check_needs_rehash(stored_hash):
            self.store.set_password_hash(username, _HASHER.hash(password))
        return self.issue(account, now)

    def issue(self, account: Account, now: datetime | None = None) -> Token:
        now = now or self.now()
        value = secrets.token_urlsafe(32)
        expires = now + self.policy.token_lifetime
        self.store.add_token(_sha256(value), account.username, now, expires)
        return Token(value, expires, account)

    def caller(self, token: str) -> Account:
        """The account behind a live token; `auth.failed:token` for anything else."""
        account = self.store.token_account(_sha256(token), self.now()) if token else None
        if account is None:
            raise AuthenticationError("token")
        return account

    def logout(self, token: str) -> None:
        self.store.revoke_token(_sha256(token), self.now())

    def _second_factor_ok(self, account: Account, code: str | None, now: datetime) -> bool:
        secret = self.store.second_factor(account.username)
        if not code or not secret:
            return False
        code = code.strip().replace(" ", "")
        if len(code) == 6 and code.isdigit():
            totp = pyotp.TOTP(secret)
            for drift in (0, -1, 1):  # one step either side: a phone's clock is rarely exact
                moment = now + timedelta(seconds=drift * totp.interval)
                if secrets.compare_digest(totp.at(moment), code):
                    return self.store.accept_step(account.username, totp.timecode(moment))
            return False
        return self.store.use_recovery_code(account.username, _sha256(code.lower()))

    def _password_checked(self, username: str, password: str, address: str, now: datetime) -> tuple[Account, str]:
        """The active account and its stored hash when the password is right; refused unchecked while the account
        or the address is throttled, and counted as a failure when wrong."""
        keys = _throttle_keys(username, address)
        blocked = self.store.blocked_until(keys, now)
        if blocked is not None:
            raise ThrottledError(seconds=max(1, int((blocked - now).total_seconds())))
        found = self.store.credentials(username)
        # An unknown name is checked against a stand-in hash: it must not answer faster than a wrong password.
        matches = _password_matches(found[1] if found else _stand_in(), password)
        if found is None or not matches or not found[0].active:
            self._failed(keys, now)
            raise AuthenticationError("credentials")
        return found

    def _failed(self, keys: list[str], now: datetime) -> None:
        limits = (self.policy.account_limit, self.policy.address_limit)
        for key, limit in zip(keys, limits, strict=True):
            self.store.record_failure(key, now, limit, self.policy.window)


def _throttle_keys(username: str, address: str) -> list[str]:
    return [f"account:{username}", f"address:{address}"]


def _second_factor() -> tuple[str, tuple[str, ...]]:
    """A new authenticator secret and its one-time recovery codes."""
    codes = tuple(f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(_RECOVERY_CODES))
    return pyotp.random_base32(), codes


def _password_matches(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _stand_in() -> str:
    return _HASHER.hash(secrets.token_hex(16))

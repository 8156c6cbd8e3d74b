"""Accounts, login throttling and access tokens in the metadata database. Creating and disabling an account is
audited in the same transaction; a token is found by its sha256, never stored as itself."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..account_model import Account, AccountStatus, FlowPurpose, Identity, Role, SignInFlow
from ..clock import as_utc
from ..errors import AccountExistsError, IdentityTakenError, UnknownAccountError
from ._sql import SqlBase
from .tables import access_tokens, account_identities, accounts, login_failures, sign_in_flows

_FIELDS = ("username", "role", "school_code", "staff_id", "student_id", "relationship", "province", "status")


class SqlAccounts(SqlBase):
    def create(
        self,
        account: Account,
        password_hash: str,
        at: datetime,
        actor: str,
        totp_secret: str | None = None,
        recovery_hashes: tuple[str, ...] = (),
    ) -> Account:
        with self._tx() as conn:
            if self._row(conn, account.username) is not None:
                raise AccountExistsError(username=account.username)
            values = {name: getattr(account, name) for name in _FIELDS}
            conn.execute(
                insert(accounts).values(
                    **values,
                    password_hash=password_hash,
                    totp_secret=totp_secret,
                    recovery_codes=json.dumps(list(recovery_hashes)),
                    created_at=at,
                )
            )
            self._append(conn, at, actor, "account.created", {"account": account.username}, _public(account))
        return self.get(account.username)

    def get(self, username: str) -> Account:
        with self._read() as conn:
            row = self._row(conn, username)
        if row is None:
            raise UnknownAccountError(username=username)
        return _account(row)

    def credentials(self, username: str) -> tuple[Account, str] | None:
        """The account and its password hash, or None when there is no such account."""
        with self._read() as conn:
            row = self._row(conn, username)
        return None if row is None else (_account(row), str(row.password_hash))

    def second_factor(self, username: str) -> str | None:
        """The account's TOTP secret (None: not enrolled)."""
        with self._read() as conn:
            row = self._row(conn, username)
        return None if row is None else row.totp_secret

    def accept_step(self, username: str, step: int) -> bool:
        """Record that the code of time step `step` was used; False when it (or a later one) already was, so a
        code seen by someone else is worthless once its owner has used it."""
        with self._tx() as conn:
            done = conn.execute(
                update(accounts)
                .where(
                    accounts.c.username == username,
                    or_(accounts.c.totp_step.is_(None), accounts.c.totp_step < step),
                )
                .values(totp_step=step)
            )
            return bool(done.rowcount)

    def use_recovery_code(self, username: str, code_sha256: str) -> bool:
        """Spend one recovery code (each works once); False when it is not among the unused ones."""
        with self._tx() as conn:
            row = self._row(conn, username, lock=True)
            unused = json.loads(row.recovery_codes or "[]") if row is not None else []
            if code_sha256 not in unused:
                return False
            unused.remove(code_sha256)
            conn.execute(
                update(accounts).where(accounts.c.username == username).values(recovery_codes=json.dumps(unused))
            )
            return True

    def renew_credentials(
        self,
        username: str,
        at: datetime,
        actor: str,
        password_hash: str | None = None,
        second_factor: tuple[str, tuple[str, ...]] | None = None,
    ) -> None:
        """A new password hash and/or second factor (secret, recovery code hashes): every session of the account
        ends, and the change is an audit event (without the secrets)."""
        values: dict[str, Any] = {}
        if password_hash is not None:
            values["password_hash"] = password_hash
        if second_factor is not None:
            values.update(
                totp_secret=second_factor[0], totp_step=None, recovery_codes=json.dumps(list(second_factor[1]))
            )
        with self._tx() as conn:
            if self._row(conn, username, lock=True) is None:
                raise UnknownAccountError(username=username)
            conn.execute(update(accounts).where(accounts.c.username == username).values(**values))
            conn.execute(
                update(access_tokens)
                .where(access_tokens.c.username == username, access_tokens.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )
            action = "account.password_changed" if second_factor is None else "account.second_factor_reset"
            self._append(conn, at, actor, action, {"account": username}, {})

    def set_password_hash(self, username: str, password_hash: str) -> None:
        with self._tx() as conn:
            conn.execute(update(accounts).where(accounts.c.username == username).values(password_hash=password_hash))

    def accounts(self, school_code: str | None = None) -> list[Account]:
        query = select(accounts).order_by(accounts.c.username)
        if school_code is not None:
            query = query.where(accounts.c.school_code == school_code)
        with self._read() as conn:
            return [_account(row) for row in conn.execute(query)]

    def disable(self, username: str, at: datetime, actor: str) -> Account:
        """Disable the account and revoke its tokens (idempotent: disabling twice records one event)."""
        with self._tx() as conn:
            row = self._row(conn, username, lock=True)
            if row is None:
                raise UnknownAccountError(username=username)
            if row.status != AccountStatus.DISABLED:
                conn.execute(
                    update(accounts)
                    .where(accounts.c.username == username)
                    .values(status=AccountStatus.DISABLED.value, disabled_at=at)
                )
                conn.execute(
                    update(access_tokens)
                    .where(access_tokens.c.username == username, access_tokens.c.revoked_at.is_(None))
                    .values(revoked_at=at)
                )
                self._append(conn, at, actor, "account.disabled", {"account": username}, {})
        return self.get(username)

    def blocked_until(self, keys: list[str], now: datetime) -> datetime | None:
        """The latest time until which any of `keys` is blocked, if it is still ahead of `now`."""
        with self._read() as conn:
            rows = conn.execute(select(login_failures.c.blocked_until).where(login_failures.c.key.in_(keys)))
            ends = [as_utc(row[0]) for row in rows if row[0] is not None and as_utc(row[0]) > now]
        return max(ends, default=None)

    def record_failure(self, key: str, now: datetime, limit: int, window: timedelta) -> None:
        """Count a failed login under `key`; the `limit`-th failure within `window` blocks it until the window
        ends (a new window starts after it). Failures counted at the same moment are each counted: the row is
        created if missing without a conflict, then counted under its lock."""
        with self._tx() as conn:
            conn.execute(_insert_missing(conn, key, now))
            row = conn.execute(select(login_failures).where(login_failures.c.key == key).with_for_update()).one()
            if int(row.failures) == 0 or as_utc(row.first_at) + window <= now:
                failures, first = 1, now
                values: dict[str, Any] = {"failures": 1, "first_at": now, "blocked_until": None}
            else:
                failures, first = int(row.failures) + 1, as_utc(row.first_at)
                values = {"failures": failures}
            if failures >= limit:
                values["blocked_until"] = first + window
            conn.execute(update(login_failures).where(login_failures.c.key == key).values(**values))

    def clear_failures(self, key: str) -> None:
        with self._tx() as conn:
            conn.execute(delete(login_failures).where(login_failures.c.key == key))

    def add_token(self, token_sha256: str, username: str, issued_at: datetime, expires_at: datetime) -> None:
        with self._tx() as conn:
            conn.execute(
                insert(access_tokens).values(
                    token_sha256=token_sha256, username=username, issued_at=issued_at, expires_at=expires_at
                )
            )

    def token_account(self, token_sha256: str, now: datetime) -> Account | None:
        """The active account a live token (not expired, not revoked) belongs to."""
        query = (
            select(accounts, access_tokens.c.expires_at, access_tokens.c.revoked_at)
            .join(access_tokens, access_tokens.c.username == accounts.c.username)
            .where(access_tokens.c.token_sha256 == token_sha256)
        )
        with self._read() as conn:
            row = conn.execute(query).first()
        if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= now:
            return None
        account = _account(row)
        return account if account.active else None

    def revoke_token(self, token_sha256: str, at: datetime) -> None:
        with self._tx() as conn:
            conn.execute(
                update(access_tokens)
                .where(access_tokens.c.token_sha256 == token_sha256, access_tokens.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )

    def link_identity(self, username: str, identity: Identity, at: datetime, actor: str) -> None:
        """Let `identity` open the account (audited); linking it again is a no-op, linking it to a second account
        is refused."""
        with self._tx() as conn:
            if self._row(conn, username, lock=True) is None:
                raise UnknownAccountError(username=username)
            holder = conn.execute(
                select(account_identities.c.username).where(
                    account_identities.c.issuer == identity.issuer, account_identities.c.subject == identity.subject
                )
            ).scalar()
            if holder == username:
                return
            if holder is not None:
                raise IdentityTakenError(subject=identity.subject)
            conn.execute(
                insert(account_identities).values(
                    issuer=identity.issuer, subject=identity.subject, username=username, linked_at=at
                )
            )
            refs = {"account": username}
            self._append(conn, at, actor, "account.identity_linked", refs, asdict(identity))

    def unlink_identities(self, username: str, at: datetime, actor: str) -> int:
        """Remove every identity that opens the account (audited when there was one); how many there were."""
        with self._tx() as conn:
            if self._row(conn, username, lock=True) is None:
                raise UnknownAccountError(username=username)
            gone = conn.execute(delete(account_identities).where(account_identities.c.username == username))
            if gone.rowcount:
                self._append(conn, at, actor, "account.identities_unlinked", {"account": username}, {})
            return int(gone.rowcount)

    def identities(self, username: str) -> list[Identity]:
        query = select(account_identities).where(account_identities.c.username == username)
        with self._read() as conn:
            return [Identity(row.issuer, row.subject) for row in conn.execute(query.order_by("issuer", "subject"))]

    def identity_account(self, identity: Identity) -> Account | None:
        query = select(accounts).join(account_identities, account_identities.c.username == accounts.c.username)
        query = query.where(
            account_identities.c.issuer == identity.issuer, account_identities.c.subject == identity.subject
        )
        with self._read() as conn:
            row = conn.execute(query).first()
        return None if row is None else _account(row)

    def add_flow(self, state_sha256: str, flow: SignInFlow, now: datetime) -> None:
        """Keep a sign-in under way; those that ran out are dropped on the way."""
        with self._tx() as conn:
            conn.execute(delete(sign_in_flows).where(sign_in_flows.c.expires_at <= now))
            conn.execute(
                insert(sign_in_flows).values(
                    state_sha256=state_sha256,
                    purpose=flow.purpose.value,
                    username=flow.username,
                    nonce=flow.nonce,
                    verifier=flow.verifier,
                    next_path=flow.next_path,
                    expires_at=flow.expires_at,
                )
            )

    def take_flow(self, state_sha256: str, now: datetime) -> SignInFlow | None:
        """The sign-in under way with this state, removed so that it is taken once; None when unknown or run out."""
        with self._tx() as conn:
            row = conn.execute(select(sign_in_flows).where(sign_in_flows.c.state_sha256 == state_sha256)).first()
            if row is None:
                return None
            taken = conn.execute(delete(sign_in_flows).where(sign_in_flows.c.state_sha256 == state_sha256))
        if taken.rowcount != 1 or as_utc(row.expires_at) <= now:
            return None
        return SignInFlow(
            purpose=FlowPurpose(row.purpose),
            nonce=row.nonce,
            verifier=row.verifier,
            next_path=row.next_path,
            expires_at=as_utc(row.expires_at),
            username=row.username,
        )

    def _row(self, conn: Connection, username: str, lock: bool = False) -> Row[Any] | None:
        query = select(accounts).where(accounts.c.username == username)
        return conn.execute(query.with_for_update() if lock else query).first()


def _insert_missing(conn: Connection, key: str, now: datetime) -> Any:
    """The failures row of `key` at zero, unless it exists (an insert that never conflicts, on either database)."""
    make = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    return make(login_failures).values(key=key, failures=0, first_at=now).on_conflict_do_nothing()


def _account(row: Row[Any]) -> Account:
    return Account(
        username=row.username,
        role=Role(row.role),
        school_code=row.school_code,
        staff_id=row.staff_id,
        student_id=row.student_id,
        relationship=row.relationship,
        province=row.province,
        status=AccountStatus(row.status),
        created_at=as_utc(row.created_at),
    )


def _public(account: Account) -> dict[str, Any]:
    return {k: (str(v) if v is not None else None) for k, v in asdict(account).items() if k in _FIELDS}

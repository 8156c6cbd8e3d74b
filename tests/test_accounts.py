"""Accounts and signing in, on SQLite and PostgreSQL: links that fit the role, argon2id passwords, a second
factor for the roles that carry the school's authority, throttling per account and per address, short-lived
tokens, disabling that ends sessions, and every admin action in the audit trail."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import Engine, select

from archive import (
    Account,
    AccountExistsError,
    AccountInvalidError,
    ArchiveService,
    FileStore,
    Role,
    SqlAccounts,
    SqlCatalog,
)
from archive.adapters.tables import accounts as accounts_table
from archive.adapters.tables import login_failures as failures_table
from workflows import AccountBook, AuthenticationError, LoginPolicy, ThrottledError, WeakPasswordError

PASSWORD = "mật-khẩu-đủ-dài"
SCHOOL = "01010101"


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2027, 5, 30, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def book(engine: Engine, clock: Clock) -> AccountBook:
    return AccountBook(SqlAccounts(engine), LoginPolicy(account_limit=3, address_limit=5), clock)


def teacher(name: str = "gv.toan") -> Account:
    return Account(name, Role.TEACHER, school_code=SCHOOL, staff_id="gv-toan")


def principal() -> Account:
    return Account("hieu.truong", Role.PRINCIPAL, school_code=SCHOOL, staff_id="ht")


@pytest.mark.parametrize(
    ("account", "variant"),
    [
        (Account("gv.x", Role.TEACHER, school_code=SCHOOL), "staff"),
        (Account("gv.x", Role.TEACHER, staff_id="gv"), "school"),
        (Account("hs.x", Role.STUDENT, school_code=SCHOOL), "student"),
        (Account("ph.x", Role.PARENT, school_code=SCHOOL, student_id="001099000001"), "relationship"),
        (Account("so.x", Role.SUPERVISOR), "supervisor"),
        (Account("so.x", Role.SUPERVISOR, province="Hà Nội", school_code=SCHOOL), "supervisor"),
        (Account("A B", Role.TEACHER, school_code=SCHOOL, staff_id="gv"), "username"),
    ],
)
def test_links_must_fit_the_role(book: AccountBook, account: Account, variant: str) -> None:
    with pytest.raises(AccountInvalidError) as caught:
        book.create(account, PASSWORD, "console")
    assert caught.value.key == f"archive.account_invalid:{variant}"
    assert book.accounts() == []


def test_created_accounts_are_listed_never_reused_and_the_password_is_hashed(book: AccountBook, engine: Engine) -> None:
    with pytest.raises(WeakPasswordError):
        book.create(teacher(), "ngắn", "console")
    made = book.create(teacher(), PASSWORD, "console")
    assert made.account.role is Role.TEACHER and made.otpauth_uri is None and made.recovery_codes == ()
    parent = Account("ph.an", Role.PARENT, school_code=SCHOOL, student_id="001099000001", relationship="mẹ")
    book.create(parent, PASSWORD, "console")
    assert [a.username for a in book.accounts(SCHOOL)] == ["gv.toan", "ph.an"]
    with pytest.raises(AccountExistsError):
        book.create(teacher(), PASSWORD, "console")
    with engine.connect() as conn:
        stored = conn.execute(select(accounts_table.c.password_hash)).scalars().all()
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in stored)


def test_a_token_names_its_account_until_it_expires_or_is_revoked(book: AccountBook, clock: Clock) -> None:
    book.create(teacher(), PASSWORD, "console")
    token = book.login("gv.toan", PASSWORD, "10.0.0.1")
    assert book.caller(token.value).username == "gv.toan"
    clock.at += book.policy.token_lifetime
    with pytest.raises(AuthenticationError) as caught:
        book.caller(token.value)
    assert caught.value.key == "auth.failed:token"
    second = book.login("gv.toan", PASSWORD, "10.0.0.1")
    book.logout(second.value)
    with pytest.raises(AuthenticationError):
        book.caller(second.value)
    with pytest.raises(AuthenticationError):
        book.caller("")


def test_wrong_passwords_throttle_the_account_until_the_window_ends(book: AccountBook, clock: Clock) -> None:
    book.create(teacher(), PASSWORD, "console")
    for _ in range(3):
        with pytest.raises(AuthenticationError) as caught:
            book.login("gv.toan", "sai-mật-khẩu-rồi", "10.0.0.1")
        assert caught.value.key == "auth.failed:credentials"
    # Now even the right password is refused, unchecked, from any address.
    with pytest.raises(ThrottledError) as throttled:
        book.login("gv.toan", PASSWORD, "10.0.0.2")
    assert throttled.value.retryable and 0 < throttled.value.params["seconds"] <= 15 * 60
    clock.at += book.policy.window
    assert book.login("gv.toan", PASSWORD, "10.0.0.2").account.username == "gv.toan"


def test_one_address_guessing_many_accounts_is_throttled(book: AccountBook) -> None:
    book.create(teacher("gv.a"), PASSWORD, "console")
    for name in ("x1", "x2", "x3", "x4", "x5"):
        with pytest.raises(AuthenticationError):
            book.login(name, "đoán-bừa-mà-thôi", "10.9.9.9")
    with pytest.raises(ThrottledError):
        book.login("gv.a", PASSWORD, "10.9.9.9")
    assert book.login("gv.a", PASSWORD, "10.0.0.1").account.username == "gv.a"


def test_authority_roles_need_a_second_factor_that_works_once(book: AccountBook, clock: Clock) -> None:
    made = book.create(principal(), PASSWORD, "console")
    assert made.otpauth_uri is not None and len(made.recovery_codes) == 10
    totp = pyotp.parse_uri(made.otpauth_uri)
    assert isinstance(totp, pyotp.TOTP)
    with pytest.raises(AuthenticationError) as caught:
        book.login("hieu.truong", PASSWORD, "10.0.0.1")
    assert caught.value.key == "auth.failed:second_factor"
    code = totp.at(clock.at)
    assert book.login("hieu.truong", PASSWORD, "10.0.0.1", code).account.role is Role.PRINCIPAL
    with pytest.raises(AuthenticationError):  # the same code, seen over a shoulder, is worth nothing now
        book.login("hieu.truong", PASSWORD, "10.0.0.1", code)
    clock.at += timedelta(seconds=totp.interval)
    assert book.login("hieu.truong", PASSWORD, "10.0.0.1", totp.at(clock.at))
    recovery = made.recovery_codes[0]
    assert book.login("hieu.truong", PASSWORD, "10.0.0.1", recovery.upper())
    with pytest.raises(AuthenticationError):  # spent
        book.login("hieu.truong", PASSWORD, "10.0.0.1", recovery)
    assert book.login("hieu.truong", PASSWORD, "10.0.0.1", made.recovery_codes[1])


def test_disabling_ends_sessions_keeps_the_account_and_is_audited(
    book: AccountBook, engine: Engine, tmp_path: Path
) -> None:
    book.create(teacher(), PASSWORD, "admin.truong")
    token = book.login("gv.toan", PASSWORD, "10.0.0.1")
    book.disable("gv.toan", "admin.truong")
    book.disable("gv.toan", "admin.truong")
    with pytest.raises(AuthenticationError):
        book.caller(token.value)
    with pytest.raises(AuthenticationError):
        book.login("gv.toan", PASSWORD, "10.0.0.1")
    assert [a.status.value for a in book.accounts()] == ["disabled"]
    catalog = SqlCatalog(engine)
    events = [(e.actor, e.action, e.refs_dict) for e in catalog.events()]
    assert events == [
        ("admin.truong", "account.created", {"account": "gv.toan"}),
        ("admin.truong", "account.disabled", {"account": "gv.toan"}),
    ]
    assert ArchiveService(FileStore(tmp_path / "objects"), catalog).verify_audit(with_storage=False).intact


def test_changing_ones_password_ends_every_session(book: AccountBook, engine: Engine) -> None:
    book.create(teacher(), PASSWORD, "console")
    token = book.login("gv.toan", PASSWORD, "10.0.0.1")
    with pytest.raises(AuthenticationError):
        book.change_password("gv.toan", "không-phải-mật-khẩu", "mật-khẩu-mới-dài", "10.0.0.1")
    with pytest.raises(WeakPasswordError):
        book.change_password("gv.toan", PASSWORD, "ngắn", "10.0.0.1")
    book.change_password("gv.toan", PASSWORD, "mật-khẩu-mới-dài", "10.0.0.1")
    with pytest.raises(AuthenticationError):
        book.caller(token.value)
    with pytest.raises(AuthenticationError):
        book.login("gv.toan", PASSWORD, "10.0.0.1")
    assert book.login("gv.toan", "mật-khẩu-mới-dài", "10.0.0.1").account.username == "gv.toan"
    actions = [e.action for e in SqlCatalog(engine).events()]
    assert actions == ["account.created", "account.password_changed"]


def test_a_lost_phone_gets_a_new_second_factor_and_the_old_one_stops(book: AccountBook, clock: Clock) -> None:
    made = book.create(principal(), PASSWORD, "console")
    old = pyotp.parse_uri(made.otpauth_uri or "")
    renewed = book.reset_second_factor("hieu.truong", "console")
    assert renewed.otpauth_uri != made.otpauth_uri and len(renewed.recovery_codes) == 10
    with pytest.raises(AuthenticationError):
        book.login("hieu.truong", PASSWORD, "10.0.0.1", old.at(clock.at) if isinstance(old, pyotp.TOTP) else "")
    with pytest.raises(AuthenticationError):
        book.login("hieu.truong", PASSWORD, "10.0.0.1", made.recovery_codes[0])
    new = pyotp.parse_uri(renewed.otpauth_uri or "")
    assert isinstance(new, pyotp.TOTP)
    assert book.login("hieu.truong", PASSWORD, "10.0.0.1", new.at(clock.at)).account.role is Role.PRINCIPAL


def test_failed_logins_at_once_are_all_counted(book: AccountBook, engine: Engine) -> None:
    """Eight failures of one account counted at the same moment (a script guessing in parallel, from eight
    addresses): none is lost to a conflict between writers, and the account is throttled."""
    start = threading.Barrier(8)
    errors: list[BaseException] = []
    now = datetime.now(UTC)

    def fail() -> None:
        start.wait(timeout=60)
        try:
            book.store.record_failure("account:gv.song-song", now, 5, timedelta(minutes=15))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with engine.connect() as conn:
        counted = conn.execute(select(failures_table.c.failures).where(failures_table.c.key == "account:gv.song-song"))
        assert counted.scalar_one() == 8
    assert book.store.blocked_until(["account:gv.song-song"], now) is not None

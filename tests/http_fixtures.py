"""A running HTTP service for tests: its settings, the school's two books registered, and one account per
role (tokens issued directly, so that tests do not spend a login and a second factor on every request)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.http import create_app
from api.settings import Settings
from archive import Account, Role
from devtools.pki import DEV_PASSWORD
from templates import document_id
from workflows import register_book

from .signing_fixtures import School

PASSWORD = "mật-khẩu-đủ-dài"


@dataclass
class Site:
    client: TestClient
    accounts: dict[Role, Account]
    thcs_id: str
    primary_id: str

    def token(self, role: Role) -> str:
        services = self.client.app.state.services  # type: ignore[attr-defined]
        return str(services.accounts().issue(self.accounts[role]).value)

    def as_role(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role)}"}

    def as_account(self, account: Account) -> dict[str, str]:
        """A session of `account` (created first when it does not exist)."""
        book = self.client.app.state.services.accounts()  # type: ignore[attr-defined]
        if book.store.credentials(account.username) is None:
            account = book.create(account, PASSWORD, "console").account
        return {"Authorization": f"Bearer {book.issue(account).value}"}


def embedded(school: School, folder: Path, **more: Any) -> Settings:
    """The embedded default in `folder` (SQLite, the filesystem store), trusting the school's root, with `more`."""
    return Settings(
        database=f"sqlite:///{folder / 'hocba.db'}",
        storage=f"file://{folder / 'objects'}",
        trust_roots=(school.folder / "root.pem",),
        **more,
    )


@contextmanager
def open_site(school: School, settings: Settings, books: bool = True) -> Iterator[Site]:
    app = create_app(settings)
    services = app.state.services
    archive = services.archive()
    thcs, primary = school.thcs, school.primary
    if books:
        register_book(archive, thcs, school.book(thcs))
        register_book(archive, primary, school.book(primary))
    code = thcs.school.code
    people = {
        Role.TEACHER: Account("gv.toan", Role.TEACHER, school_code=code, staff_id="gv-toan"),
        Role.PRINCIPAL: Account("hieu.truong", Role.PRINCIPAL, school_code=code, staff_id="ht"),
        Role.DEPUTY: Account("pho.hieu.truong", Role.DEPUTY, school_code=code, staff_id="pht"),
        Role.CLERK: Account("van.thu", Role.CLERK, school_code=code, staff_id="vt"),
        Role.ARCHIVIST: Account("luu.tru", Role.ARCHIVIST, school_code=code, staff_id="lt"),
        Role.ADMIN: Account("quan.tri", Role.ADMIN, school_code=code, staff_id="qt"),
        Role.STUDENT: Account("hoc.sinh", Role.STUDENT, school_code=code, student_id=primary.student.personal_id),
        Role.PARENT: Account(
            "phu.huynh", Role.PARENT, school_code=code, student_id=thcs.student.personal_id, relationship="mẹ"
        ),
        Role.SUPERVISOR: Account("so.gd", Role.SUPERVISOR, province=thcs.school.province),
    }
    book = services.accounts()
    made = {role: book.create(account, PASSWORD, "console").account for role, account in people.items()}
    book.create(Account("gv.nghi", Role.TEACHER, school_code=code, staff_id="gv-nghi"), PASSWORD, "console")
    with TestClient(app, base_url="https://testserver") as client:
        yield Site(client, made, document_id(thcs), document_id(primary))


def signing_site(school: School, folder: Path, csc_url: str, monkeypatch: Any) -> Settings:
    """The embedded default that can sign: the school's TSA, a CSC service for its staff's remote keys, and the
    school's seal key (its password in the environment, as a deployment gives it)."""
    monkeypatch.setenv("HOCBA_SEAL_SECRET", DEV_PASSWORD.decode())
    code = school.thcs.school.code
    seal = f"file:{school.pki.p12_path(f'school:{code}')}"
    return embedded(school, folder, tsa_url=school.pki.tsa_url, csc_url=csc_url, seal_key=seal)

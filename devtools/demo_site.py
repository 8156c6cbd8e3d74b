"""The demo school behind `make run`: a sample class rendered into an archive, the development PKI serving its
OCSP, CRL and TSA with a CSC service and a confirm-in-the-phone-app service on loopback, the subject teachers'
rows of the first books already signed, and one account per role — everything the HTTP service needs to be
tried from a browser or a script. Built afresh in its folder on every start (it holds demo data only)."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from archive import Account, ArchiveService, FileStore, RfcTimestamper, Role, SqlAccounts, SqlCatalog, open_database
from records import Record, dumps_jsonl, generate_sample, load_file, signing_plan, write_atomic
from signer import Pkcs12KeySource, SigningPolicy, SigningService, install_speedups, load_roots
from templates import RenderOptions, document_id, render
from workflows import AccountBook, register_book, sign_into_archive

from . import pki
from .pki.confirm import serve_confirm
from .pki.csc import serve_csc
from .pki.plugin import serve_plugin

DEMO_PASSWORD = "hocba-demo-2025"
"""Every demo account's password (demo data only)."""
SIGNED_BOOKS = 2
"""Books whose subject rows are signed before the service starts; the first is also signed to the end and sealed
(its student and parent can ask for a certified copy)."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    second_factor: str | None = None
    """One recovery code (works once) for the roles that need a second factor; the authenticator app's URI is
    printed too."""
    otpauth_uri: str | None = None


@dataclass
class DemoSite:
    folder: Path
    database: str
    storage: str
    trust_root: Path
    tsa_url: str
    csc_url: str
    confirm_url: str
    school_code: str
    school_year: str
    signing_plugin: str = ""
    """The signing plug-in stand-in holding the teacher `gv.toan`'s key, as if their USB token were in."""
    seal_key: str = ""
    """The school's organisation key (`HOCBA_SEAL_KEY`; its password is the development PKI's)."""
    sealed_book: str = ""
    accounts: list[DemoAccount] = field(default_factory=list)
    books: int = 0


@contextmanager
def demo_site(folder: Path, students: int = 6) -> Iterator[DemoSite]:
    """Seed the demo school in `folder` (emptied first) and keep its PKI services running for the block."""
    install_speedups()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the PKI's servers: no line per OCSP or TSA request
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    records_file = folder / "records.jsonl"
    write_atomic(records_file, dumps_jsonl(generate_sample("thcs", 6, students, seed=2025)).encode())
    records = [r.record for r in load_file(records_file).records if r.record]
    school, people = pki.people_from_records(records_file)
    pki_dir = folder / "pki"
    pki.init(pki_dir, school, people, pki.free_port())
    with ExitStack() as stack:
        served = stack.enter_context(pki.serve(pki_dir))
        csc = stack.enter_context(serve_csc(pki_dir, pki.free_port()))
        confirm = stack.enter_context(serve_confirm(pki_dir, pki.free_port()))
        plugin = stack.enter_context(serve_plugin(pki_dir, pki.free_port(), "gv-toan"))
        first = records[0]
        site = DemoSite(
            folder=folder,
            database=f"sqlite:///{(folder / 'hocba.db').resolve()}",
            storage=f"file://{(folder / 'objects').resolve()}",
            trust_root=pki_dir / "root.pem",
            tsa_url=served.tsa_url,
            csc_url=csc.url,
            confirm_url=confirm.url,
            signing_plugin=plugin.url,
            school_code=first.school.code,
            school_year=first.school_year,
            seal_key=f"file:{served.p12_path(f'school:{first.school.code}')}",
        )
        _seed_books(site, served, records)
        site.accounts = _seed_accounts(site, first)
        yield site


def _seed_books(site: DemoSite, served: pki.DevPki, records: list[Record]) -> None:
    engine = open_database(site.database)
    try:
        archive = ArchiveService(
            FileStore(Path(site.storage.removeprefix("file://"))), SqlCatalog(engine), timestamper=RfcTimestamper(None)
        )
        policy = SigningPolicy(trust_roots=load_roots([site.trust_root]), tsa_url=site.tsa_url)
        with SigningService(policy) as service:
            for index, record in enumerate(records):
                pdf = render(record, RenderOptions()).pdf
                register_book(archive, record, pdf)
                if index >= SIGNED_BOOKS:
                    continue
                for entry in signing_plan(record).entries:
                    if entry.group != 1 and index > 0:
                        break
                    key = Pkcs12KeySource(served.p12_path(entry.signer_id), pki.DEV_PASSWORD)
                    sign = partial(service.sign, pdf, entry.field, key)
                    pdf, _ = sign_into_archive(archive, pdf, sign, entry.field)
        site.books = len(records)
        site.sealed_book = document_id(records[0])
    finally:
        engine.dispose()


def _seed_accounts(site: DemoSite, record: Record) -> list[DemoAccount]:
    code = record.school.code
    wanted = [
        Account("gv.toan", Role.TEACHER, school_code=code, staff_id="gv-toan"),
        Account("gvcn", Role.TEACHER, school_code=code, staff_id=record.signers.homeroom_teacher),
        Account("hieu.truong", Role.PRINCIPAL, school_code=code, staff_id=record.signers.principal),
        Account("van.thu", Role.CLERK, school_code=code, staff_id="vt"),
        Account("luu.tru", Role.ARCHIVIST, school_code=code, staff_id="lt"),
        Account("quan.tri", Role.ADMIN, school_code=code, staff_id="qt"),
        Account("hoc.sinh", Role.STUDENT, school_code=code, student_id=record.student.personal_id),
        Account("phu.huynh", Role.PARENT, school_code=code, student_id=record.student.personal_id, relationship="mẹ"),
        Account("so.gddt", Role.SUPERVISOR, province=record.school.province),
    ]
    engine = open_database(site.database)
    try:
        book = AccountBook(SqlAccounts(engine))
        made = [book.create(account, DEMO_PASSWORD, "demo") for account in wanted]
    finally:
        engine.dispose()
    return [
        DemoAccount(
            m.account.username,
            m.account.role,
            m.recovery_codes[0] if m.recovery_codes else None,
            m.otpauth_uri,
        )
        for m in made
    ]

"""Two-phase signing: prepared here, the token signs elsewhere, completed in another process."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pyhanko.pdf_utils.reader import PdfFileReader
from typer.testing import CliRunner

from api.cli import app
from archive import ArchiveService, SqlCatalog, open_database, open_store, sha256_hex
from devtools.pki import DEV_PASSWORD
from records import StaleRevisionError
from signer import errors
from signer.external import ExternalSigning, FileSessionStore, SessionExpiredError
from workflows import book_facts

from .signing_fixtures import School


def token_sign(school: School, signer_id: str, data: bytes) -> bytes:
    """Plays the USB token: the private key never meets the service."""
    key = serialization.load_pem_private_key(school.pki.key_path(signer_id).read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def prepare(school: School, store: Path, pdf: bytes, field: str, signer_id: str) -> tuple[ExternalSigning, str, bytes]:
    external = ExternalSigning(school.service, FileSessionStore(store))
    key = school.key(signer_id)
    prepared = external.prepare(pdf, field, key.certificate, list(key.signer().cert_registry))
    return external, prepared.session_id, token_sign(school, signer_id, prepared.data_to_sign)


COMPLETE = """
import sys, base64, json, logging
from pathlib import Path
from asn1crypto import pem, x509
from signer import SigningPolicy, SigningService
from signer.external import ExternalSigning, FileSessionStore
root = x509.Certificate.load(pem.unarmor(Path(sys.argv[1]).read_bytes())[2])
with SigningService(SigningPolicy(trust_roots=(root,), tsa_url=sys.argv[2])) as service:
    external = ExternalSigning(service, FileSessionStore(Path(sys.argv[3])))
    out = external.complete(sys.argv[4], base64.b64decode(sys.argv[5]))
Path(sys.argv[6]).write_bytes(out)
"""


def test_completed_in_another_process(school: School, tmp_path: Path) -> None:
    store = tmp_path / "sessions"
    _, session, signature = prepare(school, store, school.book(school.primary), "gvcn", "gvcn")
    out = tmp_path / "signed.pdf"
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            COMPLETE,
            str(school.folder / "root.pem"),
            school.pki.tsa_url,
            str(store),
            session,
            base64.b64encode(signature).decode(),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    signatures = PdfFileReader(io.BytesIO(out.read_bytes())).embedded_signatures
    assert [s.field_name for s in signatures] == ["gvcn"]
    assert not list(store.glob("*.json"))  # the session is gone once used
    # the chain goes on normally on top of an externally made signature
    assert school.service.sign(out.read_bytes(), "hieu_truong", school.key("ht"))


def test_wrong_signature_value_is_refused(school: School, tmp_path: Path) -> None:
    external, session, signature = prepare(school, tmp_path, school.book(school.primary), "gvcn", "gvcn")
    with pytest.raises(errors.KeySourceError):
        external.complete(session, bytes(len(signature)))


def test_stale_and_expired_sessions(school: School, tmp_path: Path) -> None:
    book = school.book(school.primary)
    external, session, signature = prepare(school, tmp_path, book, "gvcn", "gvcn")
    newer = school.service.sign(book, "gvcn", school.key("gvcn"))
    with pytest.raises(StaleRevisionError):
        external.complete(session, signature, current_pdf=newer)
    late = ExternalSigning(school.service, FileSessionStore(tmp_path), ttl=timedelta(seconds=-1))
    key = school.key("gvcn")
    prepared = late.prepare(book, "gvcn", key.certificate, list(key.signer().cert_registry))
    with pytest.raises(SessionExpiredError):
        late.complete(prepared.session_id, token_sign(school, "gvcn", prepared.data_to_sign))


def test_checks_run_at_prepare(school: School, tmp_path: Path) -> None:
    external = ExternalSigning(school.service, FileSessionStore(tmp_path))
    key = school.key("ht")
    with pytest.raises(errors.OrderError):
        external.prepare(school.book(school.primary), "hieu_truong", key.certificate, list(key.signer().cert_registry))
    assert json.dumps([p.name for p in tmp_path.iterdir()]) == "[]"


def test_reference_client_keeps_the_signature_in_the_archive(school: School, tmp_path: Path, database_url: str) -> None:
    runner = CliRunner()
    env = {"HOCBA_P12_PASSWORD": DEV_PASSWORD.decode()}
    book = tmp_path / "hb.pdf"
    book.write_bytes(school.book(school.primary))
    storage = f"file://{tmp_path / 'objects'}"
    archive = ArchiveService(open_store(storage), SqlCatalog(open_database(database_url)))
    archive.register(book_facts(school.primary), book.read_bytes())
    common = [
        "--sessions",
        str(tmp_path / "s"),
        "--trust",
        str(school.folder / "root.pem"),
        "--tsa",
        school.pki.tsa_url,
    ]
    p12 = ["--p12", str(school.pki.p12_path("gvcn"))]
    prepared = runner.invoke(app, ["sign-external", "prepare", str(book), "--field", "gvcn", *p12, *common], env=env)
    assert prepared.exit_code == 0, prepared.output
    session = json.loads(prepared.stdout)
    signed = runner.invoke(app, ["sign-external", "token", session["data_to_sign"], *p12], env=env)
    assert signed.exit_code == 0, signed.output
    done = runner.invoke(
        app,
        [
            "sign-external",
            "complete",
            session["session_id"],
            "--signature",
            signed.stdout.strip(),
            "-o",
            str(book),
            "--current",
            str(book),
            *common,
            "--database",
            database_url,
            "--storage",
            storage,
        ],
        env=env,
    )
    assert done.exit_code == 0, done.output
    assert [s.field_name for s in PdfFileReader(io.BytesIO(book.read_bytes())).embedded_signatures] == ["gvcn"]
    (version,) = archive._catalog.versions()
    assert version.head_sha256 == sha256_hex(book.read_bytes())
    assert [r.field for r in archive._catalog.revisions(version.document_id, 1)] == [None, "gvcn"]


def test_sessions_in_the_database_complete_on_another_host(school: School, tmp_path: Path, database_url: str) -> None:
    """Prepared through the command line with the sessions in the metadata database; completed by a process with
    its own connection and no shared folder (another host); a used session is gone from the database."""
    book = tmp_path / "hb.pdf"
    book.write_bytes(school.book(school.primary))
    p12 = school.pki.p12_path("gvcn")
    common = ["--trust", str(school.folder / "root.pem"), "--tsa", school.pki.tsa_url, "--sessions-database"]
    runner = CliRunner(env={"HOCBA_P12_PASSWORD": DEV_PASSWORD.decode()})
    prepared = runner.invoke(
        app, ["sign-external", "prepare", str(book), "--field", "gvcn", "--p12", str(p12), *common, database_url]
    )
    assert prepared.exit_code == 0, prepared.output
    session = json.loads(prepared.stdout)
    assert not (tmp_path / "var").exists() and not Path("var/sessions", f"{session['session_id']}.json").exists()
    signature = token_sign(school, "gvcn", base64.b64decode(session["data_to_sign"]))
    out = tmp_path / "signed.pdf"
    args = ["sign-external", "complete", session["session_id"], "--signature", base64.b64encode(signature).decode()]
    done = runner.invoke(app, [*args, "-o", str(out), *common, database_url])
    assert done.exit_code == 0, done.output
    assert [s.field_name for s in PdfFileReader(io.BytesIO(out.read_bytes())).embedded_signatures] == ["gvcn"]
    again = runner.invoke(app, [*args, "-o", str(tmp_path / "again.pdf"), *common, database_url])
    assert again.exit_code == 2 and "signer.unknown_session" in again.output

"""Two-phase signing over HTTP, the way a browser drives a USB token: prepare answers what the token must sign for
the field that waits for the caller; complete takes the value, and the archive keeps the new revision. A wrong
value, a stale book, someone whose turn it is not, and a bad certificate are each refused with their code."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

from archive import Account, Role
from devtools.pki import DEV_PASSWORD
from signer import raw_signature

from .http_fixtures import Site, embedded, open_site
from .signing_fixtures import School


@pytest.fixture
def site(school: School, tmp_path: Path) -> Iterator[Site]:
    with open_site(school, embedded(school, tmp_path, tsa_url=school.pki.tsa_url)) as opened:
        yield opened


def _token(school: School, signer_id: str) -> tuple[str, list[str], object]:
    """The USB token of `signer_id`, played by their PKCS#12 file: certificate, chain, private key."""
    key, cert, chain = pkcs12.load_key_and_certificates(school.pki.p12_path(signer_id).read_bytes(), DEV_PASSWORD)
    assert cert is not None
    der = [base64.b64encode(c.public_bytes(Encoding.DER)).decode() for c in chain]
    return base64.b64encode(cert.public_bytes(Encoding.DER)).decode(), der, key


def test_a_teacher_signs_with_a_token_from_the_browser(site: Site, school: School) -> None:
    teacher = site.as_role(Role.TEACHER)
    certificate, chain, key = _token(school, "gv-toan")
    url = f"/v1/books/{site.thcs_id}/signatures"
    prepared = site.client.post(f"{url}/prepare", json={"certificate": certificate, "chain": chain}, headers=teacher)
    assert prepared.status_code == 200, prepared.text
    body = prepared.json()
    assert body["field"] == "gvbm.toan"
    wrong = raw_signature(key, b"something else", "sha256")
    assert wrong is not None
    refused = site.client.post(
        f"{url}/complete",
        json={"session_id": body["session_id"], "signature": base64.b64encode(wrong).decode()},
        headers=teacher,
    )
    assert refused.status_code >= 400 and refused.status_code < 500, refused.text
    value = raw_signature(key, base64.b64decode(body["data_to_sign"]), "sha256")
    assert value is not None
    done = site.client.post(
        f"{url}/complete",
        json={"session_id": body["session_id"], "signature": base64.b64encode(value).decode()},
        headers=teacher,
    )
    assert done.status_code == 200, done.text
    assert done.json()["revision_count"] == 2 and done.json()["status"] == "signing"
    fields = site.client.get(f"/v1/books/{site.thcs_id}", headers=teacher).json()["fields"]
    assert {f["field"]: f["status"] for f in fields}["gvbm.toan"] == "signed"
    again = site.client.post(f"{url}/prepare", json={"certificate": certificate, "chain": chain}, headers=teacher)
    assert again.status_code == 409 and again.json()["code"] == "archive.document_state"


def test_a_book_changed_since_prepare_is_prepared_again(site: Site, school: School) -> None:
    code = school.thcs.school.code
    maths = site.as_role(Role.TEACHER)
    literature = site.as_account(Account("gv.van", Role.TEACHER, school_code=code, staff_id="gv-ngu-van"))
    url = f"/v1/books/{site.thcs_id}/signatures"
    prepared = {}
    for who, headers in (("gv-toan", maths), ("gv-ngu-van", literature)):
        certificate, chain, key = _token(school, who)
        answer = site.client.post(f"{url}/prepare", json={"certificate": certificate, "chain": chain}, headers=headers)
        data = answer.json()
        value = raw_signature(key, base64.b64decode(data["data_to_sign"]), "sha256")
        assert value is not None
        prepared[who] = (data["session_id"], base64.b64encode(value).decode(), headers)
    for who, status in (("gv-ngu-van", 200), ("gv-toan", 409)):
        session_id, value_b64, headers = prepared[who]
        answer = site.client.post(
            f"{url}/complete", json={"session_id": session_id, "signature": value_b64}, headers=headers
        )
        assert answer.status_code == status, answer.text
    assert answer.json()["code"] == "hocba.stale_revision"


def test_refusals_before_anything_is_laid_out(site: Site, school: School) -> None:
    url = f"/v1/books/{site.thcs_id}/signatures/prepare"
    certificate, chain, _ = _token(school, "gvcn")
    homeroom = site.as_account(Account("gv.cn", Role.TEACHER, school_code=school.thcs.school.code, staff_id="gvcn"))
    early = site.client.post(url, json={"certificate": certificate, "chain": chain}, headers=homeroom)
    assert early.status_code == 409 and early.json()["code"] == "archive.document_state"  # not their turn yet
    bad = site.client.post(
        url, json={"certificate": "bm90IGEgY2VydA==", "chain": []}, headers=site.as_role(Role.TEACHER)
    )
    assert bad.status_code == 400 and bad.json()["code"] == "request.bad_certificate"

"""A school's development PKI served on loopback for the whole test session, and books to sign."""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import pem, x509

from devtools.pki import DEV_PASSWORD, DevPki, Person, free_port, init, serve
from records import Record, signing_plan
from signer import KeySource, Pkcs12KeySource, SigningPolicy, SigningService
from templates import Profile, RenderOptions, render

from .conftest import to_record

REVOKED = "gv-thuhoi"
REVOKED_LATER = "gv-thuhoi-sau"
EXPIRED = "gv-hethan"
REVOKED_MIDWAY = "gv-thuhoi-giua"
COMPROMISED = "gv-lo-khoa"  # revoked for key compromise; the key then signs with a backdated, self-made timestamp


@dataclass
class School:
    folder: Path
    pki: DevPki
    policy: SigningPolicy
    service: SigningService
    thcs: Record
    primary: Record
    keys: dict[str, Pkcs12KeySource] = field(default_factory=dict)

    def key(self, signer_id: str) -> Pkcs12KeySource:
        if signer_id not in self.keys:
            self.keys[signer_id] = Pkcs12KeySource(self.pki.p12_path(signer_id), DEV_PASSWORD)
        return self.keys[signer_id]

    def book(self, record: Record, profile: Profile = Profile.PDFA_3B) -> bytes:
        return render(record, RenderOptions(profile=profile)).pdf

    def sign_all(
        self, pdf: bytes, record: Record, until: str | None = None, after: Callable[[bytes], None] | None = None
    ) -> bytes:
        for entry in signing_plan(record).entries:
            if entry.field == until:
                break
            pdf = self.service.sign(pdf, entry.field, self.key(entry.signer_id))
            if after:
                after(pdf)
        return pdf


def _variant(base: dict[str, Any], staff_id: str, name: str) -> dict[str, Any]:
    value = copy.deepcopy(base)
    value["staff"].append({"id": staff_id, "full_name": name, "position": "giao_vien"})
    value["signers"]["homeroom_teacher"] = staff_id
    return value


@pytest.fixture(scope="session")
def school(raw_samples: dict[str, list[dict[str, Any]]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[School]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    thcs_raw = raw_samples["thcs"][4]  # a deputy signs for the principal
    primary_raw = copy.deepcopy(raw_samples["tieu_hoc"][0])
    primary_raw["school"] = thcs_raw["school"]
    thcs = to_record(thcs_raw)
    primary = to_record(primary_raw)
    people = {m.id: Person(m.id, m.full_name, ecdsa=m.id == "pht") for m in (*thcs.staff, *primary.staff)}
    people[REVOKED] = Person(REVOKED, "Đinh Thị Thu Hồi")
    people[EXPIRED] = Person(EXPIRED, "Tạ Văn Hết Hạn", valid_until="2021")
    people[REVOKED_LATER] = Person(REVOKED_LATER, "Mạc Thị Sau")
    people[REVOKED_MIDWAY] = Person(REVOKED_MIDWAY, "Lò Văn Giữa")
    people[COMPROMISED] = Person(COMPROMISED, "Hà Thị Lộ")
    seal = f"school:{thcs.school.code}"
    people[seal] = Person(seal, thcs.school.name)
    folder = tmp_path_factory.mktemp("pki")
    init(folder, thcs.school.name, list(people.values()), free_port())
    root = x509.Certificate.load(pem.unarmor((folder / "root.pem").read_bytes())[2])
    with serve(folder) as pki:
        policy = SigningPolicy(trust_roots=(root,), tsa_url=pki.tsa_url, location="Hải Phòng")
        with SigningService(policy) as service:
            yield School(folder, pki, policy, service, thcs, primary)


def sign_at_once(school: School, books: list[bytes], field: str, key: KeySource) -> list[bytes]:
    """Sign `field` of every book at the same moment, one thread each (how a remote source's batching is seen);
    the first failure is raised."""
    results: list[bytes] = []
    failures: list[BaseException] = []

    def sign(pdf: bytes) -> None:
        try:
            results.append(school.service.sign(pdf, field, key))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=sign, args=(book,)) for book in books]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    if failures:
        raise failures[0]
    assert len(results) == len(books)
    return results


def record_with(school: School, staff_id: str, name: str) -> Record:
    data = school.primary.model_dump(mode="json", exclude_none=True)
    return to_record(_variant(data, staff_id, name))


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, label: str) -> list[str]:
    """Replace the coroutine function `owner.name` with one that records `label` in the returned list per call."""
    calls: list[str] = []
    real = getattr(owner, name)

    async def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(label)
        return await real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls

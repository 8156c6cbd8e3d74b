"""A development PKI for a school, built on certomancer: root, school CA, OCSP responder, TSA, one certificate
per staff member and the school's organisation seal certificate.

Keys are generated once (`init`) and kept in `DIR/keys`; certificates are derived from `DIR/certomancer.yml`
every time the PKI is loaded, so they are identical from one load to the next. The services' base URL is fixed at
init time (`http://127.0.0.1:PORT`) because the certificates embed it (CRL and OCSP locations).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from asn1crypto import pem, x509
from certomancer.integrations.animator import AnimatorArchStore
from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig, PKIArchitecture
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from werkzeug.serving import make_server

from ._fast import install as install_fast_signing
from ._fast import with_parsed_certificates
from ._tsa import QuickAnimator
from .errors import PkiError, UnknownSignerError

ARCH = "hocba"
CONFIG = "certomancer.yml"
STATE = "state.json"
DEV_PASSWORD = b"hocba-dev"  # development PKCS#12 files only; never a production secret
SEAL_LABEL = "dau-truong"
VALID_FROM = "2020-01-01T00:00:00+0000"


@dataclass(frozen=True)
class Person:
    """Someone (or the school) who gets a certificate."""

    signer_id: str
    """Staff id, or ``school:<code>`` for the organisation seal."""
    name: str
    ecdsa: bool = False
    valid_until: str = "2045"
    """Year the certificate expires (an early year makes an expired certificate for tests)."""


def cert_label(signer_id: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in signer_id.removeprefix("school:"))
    return f"{SEAL_LABEL}-{safe}" if signer_id.startswith("school:") else f"staff-{safe}"


def _private(path: Path, data: bytes) -> None:
    """A file only its owner can read (keys, PKCS#12 copies): created 0600, never world-readable even briefly."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)  # an existing file keeps its mode through O_CREAT


def _write_key(path: Path, ecdsa: bool) -> None:
    if path.exists():  # keys are generated once; certificates are re-derived from them
        os.chmod(path, 0o600)  # and a key written by an earlier version is made private
        return
    key = ec.generate_private_key(ec.SECP256R1()) if ecdsa else rsa.generate_private_key(65537, 2048)
    _private(
        path,
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )


def _leaf(
    issuer: str, key_usage: list[str], extra: list[dict[str, Any]] | None = None, until: str = "2045"
) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "validity": {"valid-from": VALID_FROM, "valid-to": f"{until}-01-01T00:00:00+0000"},
        "extensions": [
            {"id": "key_usage", "critical": True, "smart-value": {"schema": "key-usage", "params": key_usage}},
            *(extra or []),
        ],
    }


_SERVICE_KEYS = ("root", "school-ca", "ocsp", "tsa", "tsa2")


def _tsa(until: str) -> dict[str, Any]:
    return _leaf(
        "root",
        ["digital_signature"],
        [
            {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
            {
                "id": "crl_distribution_points",
                "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["root"]}},
            },
        ],
        until,
    )


def _config(school_name: str, people: list[Person], port: int) -> dict[str, Any]:
    keys = {name: {"path": f"{name}.key.pem"} for name in _SERVICE_KEYS}
    entities: dict[str, Any] = {
        "root": {"common-name": "Hocba Development Root CA", "organization-name": "Hocba Development PKI"},
        "school-ca": {"common-name": f"CA {school_name}", "organization-name": "Hocba Development PKI"},
        "ocsp": {"common-name": "OCSP Responder", "organization-name": "Hocba Development PKI"},
        "tsa": {"common-name": "Time Stamping Authority", "organization-name": "Hocba Development PKI"},
        "tsa2": {"common-name": "Time Stamping Authority 2", "organization-name": "Hocba Development PKI"},
    }
    revocation_urls = [
        {
            "id": "crl_distribution_points",
            "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["school-ca"]}},
        },
        {
            "id": "authority_information_access",
            "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": ["school-ca"]}},
        },
    ]
    ca_ext = [
        {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
        {
            "id": "key_usage",
            "critical": True,
            "smart-value": {"schema": "key-usage", "params": ["digital_signature", "key_cert_sign", "crl_sign"]},
        },
    ]
    certs: dict[str, Any] = {
        "root": {
            "subject": "root",
            "subject-key": "root",
            "issuer": "root",
            "authority-key": "root",
            "validity": {"valid-from": VALID_FROM, "valid-to": "2070-01-01T00:00:00+0000"},
            "extensions": ca_ext,
        },
        "school-ca": {
            "issuer": "root",
            "validity": {"valid-from": VALID_FROM, "valid-to": "2060-01-01T00:00:00+0000"},
            "extensions": [
                *ca_ext,
                {
                    "id": "crl_distribution_points",
                    "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["root"]}},
                },
            ],
        },
        "ocsp": _leaf(
            "school-ca",
            ["digital_signature"],
            [{"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]}, {"id": "ocsp_no_check"}],
            "2060",
        ),
        "tsa": _tsa("2060"),
        # A second TSA whose certificate outlives the first: what renews the books' archive timestamps.
        "tsa2": _tsa("2069"),
    }
    for person in people:
        label = cert_label(person.signer_id)
        keys[label] = {"path": f"{label}.key.pem"}
        seal = person.signer_id.startswith("school:")
        # An organisation certificate names the organisation in both CN and O; a personal one names the person.
        entities[label] = {"common-name": person.name, "organization-name": school_name, "country-name": "VN"}
        if seal:
            entities[label]["organizational-unit-name"] = "Chứng thư số tổ chức"
        certs[label] = _leaf("school-ca", ["digital_signature", "non_repudiation"], revocation_urls, person.valid_until)
    return {
        "external-url-prefix": f"http://127.0.0.1:{port}",
        "keysets": {ARCH: {"path-prefix": "keys", "keys": keys}},
        "pki-architectures": {
            ARCH: {
                "keyset": ARCH,
                "entity-defaults": {"country-name": "VN"},
                "entities": entities,
                "certs": certs,
                "services": {
                    "ocsp": {"school-ca": {"for-issuer": "school-ca", "responder-cert": "ocsp", "signing-key": "ocsp"}},
                    "crl-repo": {
                        "root": {"for-issuer": "root", "signing-key": "root", "simulated-update-schedule": "P90D"},
                        "school-ca": {
                            "for-issuer": "school-ca",
                            "signing-key": "school-ca",
                            "simulated-update-schedule": "P7D",
                        },
                    },
                    "time-stamping": {
                        "tsa": {"signing-key": "tsa", "signing-cert": "tsa"},
                        "tsa2": {"signing-key": "tsa2", "signing-cert": "tsa2"},
                    },
                },
            }
        },
    }


def init(out: Path, school_name: str, people: list[Person], port: int) -> None:
    """Create (or extend) a development PKI in `out`; existing keys are kept."""
    keys = out / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    os.chmod(keys, 0o700)
    for name in _SERVICE_KEYS:
        _write_key(keys / f"{name}.key.pem", ecdsa=False)
    for person in people:
        _write_key(keys / f"{cert_label(person.signer_id)}.key.pem", ecdsa=person.ecdsa)
    config = _config(school_name, people, port)
    (out / CONFIG).write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    state = {"port": port, "revoked": {}, "signers": {p.signer_id: cert_label(p.signer_id) for p in people}}
    old = _state(out) if (out / STATE).exists() else {}
    state["revoked"] = old.get("revoked", {})
    (out / STATE).write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
    pki = DevPki.load(out)
    (out / "root.pem").write_bytes(pki.pem("root"))
    p12 = out / "p12"
    p12.mkdir(exist_ok=True)
    os.chmod(p12, 0o700)
    for person in people:
        label = cert_label(person.signer_id)
        _private(p12 / f"{label}.p12", pki.arch.package_pkcs12(CertLabel(label), password=DEV_PASSWORD))


def _state(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / STATE).read_text(encoding="utf-8"))
    return data


def revoke(folder: Path, signer_id: str, when: datetime | None = None, reason: str = "key_compromise") -> datetime:
    state = _state(folder)
    if signer_id not in state["signers"]:
        raise UnknownSignerError("revoke", signer_id=repr(signer_id), folder=folder)
    moment = (when or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    state["revoked"][signer_id] = {"revoked-since": moment.strftime("%Y-%m-%dT%H:%M:%S+0000"), "reason": reason}
    (folder / STATE).write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
    return moment


@dataclass
class DevPki:
    folder: Path
    arch: PKIArchitecture
    port: int
    signers: dict[str, str]
    config: CertomancerConfig | None = None

    @classmethod
    def load(cls, folder: Path) -> DevPki:
        if not (folder / CONFIG).is_file():
            raise PkiError(
                folder=folder,
            )
        state = _state(folder)
        config = yaml.safe_load((folder / CONFIG).read_text(encoding="utf-8"))
        certs = config["pki-architectures"][ARCH]["certs"]
        for signer_id, revocation in state["revoked"].items():
            certs[state["signers"][signer_id]]["revocation"] = revocation
        loaded = CertomancerConfig(config, key_search_dir=str(folder))
        arch = with_parsed_certificates(loaded.get_pki_arch(ArchLabel(ARCH)))
        return cls(folder, arch, int(state["port"]), dict(state["signers"]), loaded)

    def csc_credential(self, signer_id: str) -> str:
        """The credential id of a signer on the development CSC service."""
        return f"{ARCH}/{self.signers[signer_id]}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/{ARCH}/tsa/tsa"

    @property
    def tsa2_url(self) -> str:
        """The second TSA (its certificate valid to 2069, the first's to 2060): the one that renews."""
        return f"{self.url}/{ARCH}/tsa/tsa2"

    def pem(self, label: str) -> bytes:
        armored: bytes = pem.armor("CERTIFICATE", self.arch.get_cert(CertLabel(label)).dump())
        return armored

    def cert_of(self, signer_id: str) -> x509.Certificate:
        return self.arch.get_cert(CertLabel(self.signers[signer_id]))

    def p12_path(self, signer_id: str) -> Path:
        try:
            return self.folder / "p12" / f"{self.signers[signer_id]}.p12"
        except KeyError:
            raise UnknownSignerError("p12_path", signer_id=repr(signer_id)) from None

    def key_path(self, signer_id: str) -> Path:
        return self.folder / "keys" / f"{self.signers[signer_id]}.key.pem"


class _LiveStore(AnimatorArchStore):
    """Reloads the PKI when `hocba pki revoke` changed its state, so OCSP and CRLs answer accordingly."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._stamp = -1.0
        super().__init__({})

    def __getitem__(self, arch: ArchLabel) -> PKIArchitecture:
        stamp = (self.folder / STATE).stat().st_mtime
        if stamp != self._stamp:
            self.architectures = {ArchLabel(ARCH): DevPki.load(self.folder).arch}
            self._stamp = stamp
        return super().__getitem__(arch)


@contextmanager
def serve(folder: Path, port: int | None = None) -> Iterator[DevPki]:
    """Serve OCSP, CRLs and the TSA on 127.0.0.1 in a background thread for as long as the block runs."""
    pki = DevPki.load(folder)
    install_fast_signing()
    app = QuickAnimator(_LiveStore(folder))
    server = make_server("127.0.0.1", port or pki.port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="hocba-dev-pki", daemon=True)
    thread.start()
    try:
        yield pki
    finally:
        server.shutdown()
        thread.join(timeout=5)

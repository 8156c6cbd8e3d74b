"""PKCS#11: the homeroom teacher's RSA key and the deputy's ECDSA key on a SoftHSM2 token."""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf.pdfa
import pkcs11
import pytest
from pkcs11 import Attribute, CertificateType, ObjectClass
from pyhanko.pdf_utils.reader import PdfFileReader

from records import signing_plan
from signer import Pkcs11KeySource, errors
from signer.adapters.pkcs11 import DEFAULT_MODULE
from templates import Profile

from .conftest import require, require_tool
from .signing_fixtures import School

TOKEN, PIN, SO_PIN = "hocba-test", "123456", "654321"


@pytest.fixture(scope="module")
def token(school: School, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    util = require_tool("softhsm2-util")
    require(Path(DEFAULT_MODULE).is_file(), f"SoftHSM2 module {DEFAULT_MODULE}")
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    # SoftHSM reads its configuration when the module is first initialised in this process.
    os.environ["SOFTHSM2_CONF"] = str(conf)
    env = dict(os.environ)
    subprocess.run(
        [util, "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", SO_PIN],
        env=env,
        check=True,
        capture_output=True,
    )
    for number, staff_id in enumerate(("gvcn", "pht"), start=1):
        key = school.pki.folder / "keys" / f"staff-{staff_id}.key.pem"
        subprocess.run(
            [util, "--import", str(key), "--token", TOKEN, "--label", staff_id, "--id", f"{number:02d}", "--pin", PIN],
            env=env,
            check=True,
            capture_output=True,
        )
    library = pkcs11.lib(DEFAULT_MODULE)
    with library.get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as session:
        for number, staff_id in enumerate(("gvcn", "pht"), start=1):
            cert = school.pki.cert_of(staff_id)
            session.create_object(
                {
                    Attribute.SUBJECT: cert.subject.dump(),
                    Attribute.ISSUER: cert.issuer.dump(),
                    Attribute.SERIAL_NUMBER: cert["tbs_certificate"]["serial_number"].dump(),
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.LABEL: staff_id,
                    Attribute.ID: bytes([number]),
                    Attribute.VALUE: cert.dump(),
                }
            )
    yield TOKEN


def test_rsa_and_ecdsa_keys_on_a_token(school: School, token: str) -> None:
    chain = (school.pki.arch.get_cert("school-ca"),)  # type: ignore[arg-type]
    homeroom = Pkcs11KeySource(token, PIN, "gvcn", ca_chain=chain)
    deputy = Pkcs11KeySource(token, PIN, "pht", ca_chain=chain)
    try:
        record = school.thcs
        assert signing_plan(record).entry("hieu_truong").signer_id == "pht"
        pdf = school.book(record, Profile.PDFA_2B)
        for entry in signing_plan(record).entries:
            if entry.field == "gvcn":
                pdf = school.service.sign(pdf, "gvcn", homeroom)
            elif entry.field == "hieu_truong":
                pdf = school.service.sign(pdf, "hieu_truong", deputy)
                break
            else:
                pdf = school.service.sign(pdf, entry.field, school.key(entry.signer_id))
        signed = {s.field_name: s for s in PdfFileReader(io.BytesIO(pdf)).embedded_signatures}
        assert signed["gvcn"].signer_cert.subject.native["common_name"] == "Ngô Thanh Mai"
        assert signed["hieu_truong"].signer_cert.public_key.algorithm == "ec"
        assert list(pikepdf.pdfa.validate_written(io.BytesIO(pdf), "2b").violations) == []
    finally:
        homeroom.close()
        deputy.close()


def test_wrong_pin(token: str) -> None:
    source = Pkcs11KeySource(token, "000000", "gvcn")
    with pytest.raises(errors.KeySourceError):
        _ = source.certificate

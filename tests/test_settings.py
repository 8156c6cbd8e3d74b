"""Settings are read once from the environment and checked at start-up: a malformed value is refused naming its
variable (and never echoing it: it may hold a secret); the cache folder reaches the signer through the composition
root, not through a library reading the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.settings import Settings, SettingsError

from .signing_fixtures import School


def test_defaults_and_values_from_the_environment(tmp_path: Path) -> None:
    assert Settings.from_env({}).database.startswith("sqlite:///")
    env = {
        "HOCBA_DATABASE": "postgresql+psycopg://hocba:pw@db:5432/hocba",
        "HOCBA_STORAGE": "s3://k:s@minio:9000/archive",
        "HOCBA_TSA_URL": "http://tsa.example.vn/tsa",
        "HOCBA_CACHE": str(tmp_path),
    }
    settings = Settings.from_env(env)
    assert (settings.storage, settings.tsa_url, settings.cache_dir) == (
        env["HOCBA_STORAGE"],
        env["HOCBA_TSA_URL"],
        tmp_path,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HOCBA_DATABASE", "mysql://root:hunter2@db/hocba"),
        ("HOCBA_STORAGE", "ftp://user:hunter2@host/archive"),
        ("HOCBA_TSA_URL", "tsa.example.vn"),
        ("HOCBA_VERIFY_URL", "javascript:alert(1)"),
        ("HOCBA_PUBLIC_RATE", "-3hunter2"),
        ("HOCBA_FETCH_TIMEOUT", "hunter2"),
        ("HOCBA_FETCH_TIMEOUT", "0"),
        ("HOCBA_BROKER", "redis://hunter2@host"),
        ("HOCBA_SEAL_KEY", "/tmp/hunter2.p12"),
        ("HOCBA_JOB_THREADS", "0"),
    ],
)
def test_a_malformed_value_is_refused_naming_its_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({variable: value})
    assert refused.value.code == "settings.invalid"
    assert variable in refused.value.message_en and variable in refused.value.message_vi
    assert "hunter2" not in refused.value.message_en + refused.value.message_vi


def test_the_command_line_refuses_to_start_with_a_bad_setting(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", "schema"],
        env={"PATH": "/usr/bin:/bin", "HOCBA_DATABASE": "mysql://root:hunter2@db/x"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2 and "settings.invalid" in run.stderr and "HOCBA_DATABASE" in run.stderr
    assert "hunter2" not in run.stderr and "Traceback" not in run.stderr


def test_the_cache_folder_reaches_the_signer(tmp_path: Path) -> None:
    code = "from api import wiring; from api.settings import Settings; from signer.appearance import stamp_font\n"
    code += "wiring.start(Settings.from_env()); print(stamp_font())"
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", "HOCBA_CACHE": str(tmp_path / "cache")},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert Path(run.stdout.strip()).parent == tmp_path / "cache" and Path(run.stdout.strip()).is_file()


def test_trust_roots_and_key_sources_come_from_settings(tmp_path: Path) -> None:
    root = tmp_path / "root.pem"
    root.write_text("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    env = {
        "HOCBA_TRUST": f"{root}{os.pathsep}{root}",
        "HOCBA_PKCS11_MODULE": "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
        "HOCBA_CSC_URL": "https://csc.example.vn/csc/v1",
        "HOCBA_CONFIRM_URL": "https://smartca.example.vn",
    }
    settings = Settings.from_env(env)
    assert settings.trust_roots == (root, root)
    assert settings.pkcs11_module.endswith("opensc-pkcs11.so") and settings.csc_url and settings.confirm_url
    with pytest.raises(SettingsError) as missing:
        Settings.from_env({"HOCBA_TRUST": str(tmp_path / "nowhere.pem")})
    assert "HOCBA_TRUST" in missing.value.message_en
    with pytest.raises(SettingsError) as malformed:
        Settings.from_env({"HOCBA_CONFIRM_URL": "smartca.example.vn"})
    assert "HOCBA_CONFIRM_URL" in malformed.value.message_vi


def test_verify_takes_its_roots_from_the_settings(school: School, tmp_path: Path) -> None:
    """`hocba verify` without --trust uses HOCBA_TRUST; without either it refuses, naming both."""
    book = tmp_path / "hb.pdf"
    book.write_bytes(school.service.sign(school.book(school.primary), "gvcn", school.key("gvcn")))
    runner = CliRunner()
    trusted = runner.invoke(app, ["verify", str(book), "--json"], env={"HOCBA_TRUST": str(school.folder / "root.pem")})
    assert json.loads(trusted.stdout)["signatures"][0]["ok"], trusted.stdout
    refused = runner.invoke(app, ["verify", str(book), "--json"], env={"HOCBA_TRUST": ""})
    assert refused.exit_code == 2 and json.loads(refused.stdout)["error"]["code"] == "verify.no_trust"

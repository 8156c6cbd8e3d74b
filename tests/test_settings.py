"""Settings are read once from the environment and checked at start-up: a malformed value is refused naming its
variable (and never echoing it: it may hold a secret); the cache folder reaches the signer through the composition
root, not through a library reading the environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from api.settings import Settings, SettingsError


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

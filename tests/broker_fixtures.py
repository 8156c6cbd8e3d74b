"""The job broker for the tests: RabbitMQ on loopback (a missing broker fails the run under HOCBA_STRICT)."""

from __future__ import annotations

import os

import pytest
from kombu.connection import Connection

from .conftest import require

BROKER = os.environ.get("HOCBA_TEST_BROKER", "amqp://guest:guest@127.0.0.1:5672//")


@pytest.fixture(scope="session")
def broker() -> str:
    try:
        with Connection(BROKER, connect_timeout=5) as connection:
            connection.ensure_connection(max_retries=3, interval_start=0.5)
    except Exception as exc:  # a missing component, not a failure of ours
        require(False, f"RabbitMQ at {BROKER.rsplit('@', 1)[-1]} ({exc})")
    return BROKER

"""The public check's worker processes: verification is CPU-bound pure Python, so the service runs it in a pool
of processes, one check at a time in each (all the cores at work, the event loop never held, and each check's
wall-time bound enforced by its worker's own timer, as on the command line)."""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from asn1crypto import x509
from fastapi.encoders import jsonable_encoder

from signer import VerifyPolicy, etsi_report, install_speedups
from workflows.verifying import verify_with_archive

from ..reports import check_as_json

_ROOTS: list[x509.Certificate] = []


def _start(roots: list[bytes]) -> None:
    install_speedups()
    _ROOTS[:] = [x509.Certificate.load(der) for der in roots]


def _check(data: bytes, policy: VerifyPolicy, etsi: bool) -> tuple[str, Any]:
    """(verdict, the answer): the ETSI report's XML, or the report's JSON text, made here so that what travels
    back is a few kilobytes."""
    # Offline: a file from anyone must not make the service fetch the addresses it names; a sealed book carries
    # its own validation data.
    if etsi:
        return "", etsi_report(data, _ROOTS, True, policy)
    check = verify_with_archive(data, _ROOTS, True, policy).check
    # The JSON text itself: some of the report's values (names, enums from the libraries) pickle to megabytes.
    return check.verdict, json.dumps(jsonable_encoder(check_as_json(check)), ensure_ascii=False).encode()


class VerifyPool:
    """Processes that check files against the service's trust roots; started on first use."""

    def __init__(self, roots: list[x509.Certificate], workers: int | None = None) -> None:
        self._roots = [root.dump() for root in roots]
        self._workers = workers or os.cpu_count() or 2
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, data: bytes, policy: VerifyPolicy, etsi: bool) -> Future[tuple[str, Any]]:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")  # the service runs threads: never fork it
            self._pool = ProcessPoolExecutor(self._workers, context, _start, (self._roots,))
        return self._pool.submit(_check, data, policy, etsi)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

"""The pages as a school of `books` primary books sees them (`hocba bench pages`): the principal's progress page
(per class and per step, from the index), the principal's and the homeroom teacher's signing pages (every book
naming them, where each stands) and the school's list of books, each read `reads` times through the HTTP
service, on SQLite and files. Medians and p99 in milliseconds."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from signer import install_speedups

from .. import pki
from .api import _percentiles, _service, _token, school_services
from .principal import _accounts, _primary_records, _seed


def pages_figures(books: int = 1000, reads: int = 20) -> dict[str, Any]:
    install_speedups()
    records = _primary_records(books)
    principal, homeroom = records[0].signers.principal, records[0].signers.homeroom_teacher
    class_books = sum(1 for r in records if r.signers.homeroom_teacher == homeroom)
    with tempfile.TemporaryDirectory() as tmp, school_services(Path(tmp), records) as (folder, _, env):
        _seed(env, folder, records)
        second_factor = _accounts(env, records[0], homeroom, principal)
        with _service(env, pki.free_port()) as base:
            head = {"Authorization": f"Bearer {_token(base, 'hieu.truong', second_factor.now())}"}
            teacher = {"Authorization": f"Bearer {_token(base, 'gvcn')}"}
            figures: dict[str, Any] = {
                "books": books,
                "homeroom_class_books": class_books,
                "school_progress": _timed(base, "/truong", head, reads),
                "principal_queue": _timed(base, "/ky", head, reads),
                "homeroom_queue": _timed(base, "/ky", teacher, reads),
                "school_books": _timed(base, "/hoc-ba", head, reads),
            }
    return figures


def _timed(base: str, path: str, headers: dict[str, str], reads: int) -> dict[str, float]:
    samples = []
    with httpx.Client(base_url=base, headers=headers, timeout=300) as http:
        assert http.get(path).status_code == 200  # warm: the first read opens what later reads reuse
        for _ in range(reads):
            start = time.perf_counter()
            answer = http.get(path)
            samples.append(time.perf_counter() - start)
            assert answer.status_code == 200, answer.text[:300]
    return _percentiles(samples)

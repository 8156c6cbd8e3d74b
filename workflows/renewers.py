"""Where the yearly renewal run makes its archive timestamps: in this process, or in worker processes.

Renewing is CPU work in the signer (reading the book's last archive timestamp, writing the update, hashing the
book for the TSA); the archive's part (reading the book, keeping the renewed one, the audit event) is I/O and
catalog work. So the books are read and kept by threads of this process, and renewed here, or, with `jobs` > 1,
in `jobs` workers, each with a signing service of its own. Books cross to a worker as bytes, a few to a task,
and come back renewed. This process then renews none itself: its interpreter is busy with every book's reading
and keeping, and renewals here would leave the workers waiting for it."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from signer import Renewed, SigningPolicy, SigningService

from .runtime import Prepare, in_pool, landed, shipped, tune_collector

IN_FLIGHT = 3
"""Tasks worked on at once per renewing process (this one alone, or each worker): while one is renewed, others are
read or kept."""
PER_TASK = 4
"""Books a task renews at once when there are worker processes: a worker renews its tasks one after another,
and several books at a time keep it busy while one waits for the TSA."""

Renew = Callable[[list[bytes]], list[Renewed]]

_WORKER: dict[str, Any] = {}


def _worker_init(roots: list[bytes], policy: SigningPolicy, prepare: Prepare | None) -> None:
    # asn1crypto certificates travel as DER; the rest of the policy is plain data.
    if prepare is not None:  # first: the speed-ups must be in place before certificates are loaded
        prepare()
    _WORKER["service"] = SigningService(landed(roots, policy))
    tune_collector()


def _worker_renew(pdfs: list[bytes]) -> list[Renewed]:
    service: SigningService = _WORKER["service"]
    return service.renew_many(pdfs)


@dataclass(frozen=True)
class Renewers:
    renew: Renew
    """Renews a task's books (raising the first failure)."""
    in_flight: int
    """Tasks worked on at once."""
    per_task: int
    """Books in a task."""


@contextmanager
def renewers(signing: SigningService, jobs: int = 1, prepare: Prepare | None = None) -> Iterator[Renewers]:
    """How to renew books, and how many at once: in this process (`jobs` 1), where the tasks' threads already
    keep the service's loop busy (a task is one book), or in `jobs` worker processes."""
    if jobs <= 1:
        yield Renewers(signing.renew_many, IN_FLIGHT, 1)
        return
    roots, policy = shipped(signing.policy)
    context = multiprocessing.get_context("spawn")  # this process runs threads (the service's loop): no fork
    with ProcessPoolExecutor(jobs, context, _worker_init, (roots, policy, prepare)) as pool:
        yield Renewers(in_pool(pool, _worker_renew), IN_FLIGHT * jobs, PER_TASK)

"""What processes that sign and verify in bulk share: the collector's settings (the command line, and the
worker processes of a sitting or a renewal run, which tune themselves), and how work is spread over those
workers."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import ParamSpec, TypeVar

from asn1crypto import x509

from signer import SigningPolicy

from .errors import WorkerLostError

P = ParamSpec("P")
R = TypeVar("R")

Prepare = Callable[[], None]
"""Readies a worker process before anything is loaded in it (the face's settings, the signer's speed-ups);
picklable: a module-level function."""


def default_jobs() -> int:
    """Every core this process may run on."""
    return max(1, len(os.sched_getaffinity(0)))


# Signing and verifying allocate short-lived objects by the hundred thousand (asn1crypto values, pyHanko's
# parsed objects) in a process whose long-lived heap (modules, fonts, certificates) is large. With the default
# thresholds the collector runs every 700 allocations and keeps rescanning that heap (see
# docs/performance.md); turning it off would leave memory unbounded. These settings keep
# collection on, less often, and never over what was alive at start-up.
_YOUNGEST_EVERY = 10_000


def tune_collector() -> None:
    """Collect the youngest objects every 10,000 allocations, and freeze what is alive now (imported modules,
    caches built at start-up) out of every later collection."""
    gc.set_threshold(_YOUNGEST_EVERY, 10, 10)
    gc.freeze()


def shipped(policy: SigningPolicy) -> tuple[list[bytes], SigningPolicy]:
    """A signing policy as it crosses to a spawned worker: asn1crypto certificates travel as DER, the rest of
    the policy is plain data (`landed` rebuilds it there)."""
    return [r.dump() for r in policy.trust_roots], replace(policy, trust_roots=())


def landed(roots: list[bytes], policy: SigningPolicy) -> SigningPolicy:
    """The policy `shipped` sent, in the worker."""
    return replace(policy, trust_roots=tuple(x509.Certificate.load(r) for r in roots))


def in_pool(pool: ProcessPoolExecutor, there: Callable[P, R]) -> Callable[P, R]:
    """`there` (a module-level function: it is pickled by name), run by a worker of `pool`; a worker that died
    (and with it the pool) is a `WorkerLostError`, for this call and every later one."""

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            done: R = pool.submit(there, *args, **kwargs).result()
        except BrokenProcessPool:
            raise WorkerLostError() from None
        return done

    return run


def here_first(here: Callable[P, R], pool: ProcessPoolExecutor, there: Callable[P, R]) -> Callable[P, R]:
    """Work done in this process when it is free (it is one of the workers, and works while the others start),
    else by `there` in the pool; `there` is a module-level function (it is pickled by name)."""
    free = threading.Semaphore(1)
    elsewhere = in_pool(pool, there)

    def anywhere(*args: P.args, **kwargs: P.kwargs) -> R:
        if free.acquire(blocking=False):
            try:
                return here(*args, **kwargs)
            finally:
                free.release()
        return elsewhere(*args, **kwargs)

    return anywhere

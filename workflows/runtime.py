"""The collector's settings for processes that sign and verify in bulk: the command line, and a sitting's worker
processes (which the sitting starts, and tunes, itself)."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable

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

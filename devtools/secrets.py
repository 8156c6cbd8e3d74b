"""The tools' secret lookup for a sitting's worker processes: the process environment, which workers inherit.
A module of its own, with no imports, so that a worker unpickling it loads nothing else."""

from __future__ import annotations

import os


def from_environment(name: str) -> str | None:
    return os.environ.get(name)

"""The composition root: what the faces build from `Settings`, in one place."""

from __future__ import annotations

from signer import use_cache_dir

from .settings import Settings


def start(settings: Settings) -> None:
    """Configure the packages from the settings, once per process (the command line and each of its workers)."""
    use_cache_dir(settings.cache_dir)

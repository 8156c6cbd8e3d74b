"""Retention policies, holds, disposition and LTV renewal (filled by the archive capability)."""

__all__: list[str] = []

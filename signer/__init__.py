"""Signing plans, key sources, PAdES signatures and verification (filled by the signing capability)."""

__all__: list[str] = []

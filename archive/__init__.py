"""Object storage, metadata, audit trail, fixity and export (filled by the archive capability)."""

__all__: list[str] = []

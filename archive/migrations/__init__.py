"""Alembic migrations of the metadata database, applied on purpose by `hocba db upgrade` (an embedded SQLite file
by `archive.open_database` on first use)."""

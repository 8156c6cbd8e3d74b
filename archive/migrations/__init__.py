"""Alembic migrations of the metadata database (run by `archive.open_database`, never by hand in production)."""

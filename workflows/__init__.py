"""The application's use cases, face-free: each composes the domain packages and returns results (or reports
progress as events); the faces in `api/` parse, authorise and print. No typer, rich, fastapi, print or exit here.
"""

from .exporting import INDEX_COLUMNS, YearExport, export_year

__all__ = ["INDEX_COLUMNS", "YearExport", "export_year"]

"""A file the service hands over for saving (a book, a copy, a register, a certificate, a report)."""

from __future__ import annotations

from fastapi import Response


def attachment(data: bytes | str, media_type: str, name: str) -> Response:
    """`data` as a download named `name` (the browser saves it rather than showing it)."""
    return Response(data, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})

"""The signing service's public stages and its async core: a web handler awaits a signature on its own loop."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from records import Role
from signer import errors

from .signing_fixtures import School


def test_an_async_caller_awaits_a_signature_on_its_own_loop(school: School) -> None:
    book = school.book(school.primary)

    async def handler() -> tuple[bytes, bytes]:
        # Two signatures awaited together, as two requests of one web server would be.
        other = school.book(school.primary)
        return await asyncio.gather(
            school.service.async_sign(book, "gvcn", school.key("gvcn")),
            school.service.async_sign(other, "gvcn", school.key("gvcn")),
        )

    first, second = asyncio.run(handler())
    for signed in (first, second):
        (signature,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
        assert signature.field_name == "gvcn"
    assert school.service.sign(first, "hieu_truong", school.key("ht"))  # the sync wrapper goes on from there


def test_prepare_is_the_stage_of_every_check_before_a_signature(school: School) -> None:
    book = school.book(school.primary)
    key = school.key("gvcn")
    chain = list(key.signer().cert_registry)

    prepared = school.service.run(school.service.prepare(book, "gvcn", key.certificate, chain, None))
    assert prepared.entry.field == "gvcn" and prepared.entry.role is Role.HOMEROOM_TEACHER and not prepared.seal
    assert (
        prepared.part == "3"
        and prepared.appearance_text(datetime(2026, 6, 1, tzinfo=UTC))["name"] == prepared.entry.signer_name
    )

    principal = school.key("ht")
    with pytest.raises(errors.OrderError):  # the principal signs after the homeroom teacher, refused at this stage
        school.service.run(
            school.service.prepare(
                book, "hieu_truong", principal.certificate, list(principal.signer().cert_registry), None
            )
        )

"""What a sealed book's last archive timestamp still proves, read from the book: until when its TSA's
certificate is valid, and with which digest. A renewal is due before that date comes, or when the digest has
weakened (SHA-1, MD5)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import cms
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from ._cms import token_signer
from .model import ARCHIVE_TIMESTAMP_FIELD, is_archive_timestamp

WEAK_DIGESTS = frozenset({"md5", "sha1"})


@dataclass(frozen=True)
class ArchiveStamp:
    """The last archive timestamp of a book."""

    field: str
    count: int
    """Archive timestamps in the book (the seal's, then one per renewal)."""
    valid_until: datetime
    """The end of its TSA certificate's validity: past it, only a later timestamp carries the proof."""
    digest: str

    @property
    def weak(self) -> bool:
        return self.digest in WEAK_DIGESTS


def _number(name: str) -> int:
    return 1 if name == ARCHIVE_TIMESTAMP_FIELD else int(name.rpartition("_")[2])


def archive_stamps(reader: PdfFileReader) -> tuple[int, EmbeddedPdfSignature | None]:
    """How many archive timestamps the book has, and the last one (the seal's is `luu_tru`, each renewal's
    `luu_tru_N`: top-level document timestamp fields of the book's form). Each update appends its new field to the
    form's /Fields, so the last archive-timestamp field there is the newest, and its number counts them: the
    fields are read from the end, and only that one is parsed (reading every field and signature of a book would
    cost more than the renewal's own work)."""
    try:
        fields = reader.root["/AcroForm"]["/Fields"]
    except KeyError:
        return 0, None
    for ref in reversed(fields):
        field = ref.get_object()
        name = field.get("/T") if isinstance(field, generic.DictionaryObject) else None
        if isinstance(name, str) and is_archive_timestamp(name) and field.get("/FT") == "/Sig" and "/V" in field:
            return _number(name), EmbeddedPdfSignature(reader, field, name)
    return 0, None


def last_archive_stamp(pdf: bytes) -> ArchiveStamp | None:
    """The book's last archive timestamp, or None when it has none (not sealed, or PDF/A-1)."""
    count, last = archive_stamps(PdfFileReader(io.BytesIO(pdf)))
    if last is None:
        return None
    until: datetime = last.signer_cert["tbs_certificate"]["validity"]["not_after"].native
    return ArchiveStamp(last.field_name, count, until, str(last.md_algorithm))


@dataclass(frozen=True)
class Renewed:
    """A renewed book, and its new last archive timestamp (read from the TSA's answer, not from the book)."""

    pdf: bytes
    stamp: ArchiveStamp


class RecordingTimeStamper(TimeStamper):
    """The kept TSA client for one archive timestamp, remembering the token it answered with: what the new stamp
    proves until is then known without reading the book again."""

    def __init__(self, inner: TimeStamper) -> None:
        super().__init__()
        self._inner = inner
        self.token: cms.ContentInfo | None = None

    async def async_dummy_response(self, md_algorithm: str) -> cms.ContentInfo:
        response: cms.ContentInfo = await self._inner.async_dummy_response(md_algorithm)
        return response

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str, **kwargs: Any) -> cms.ContentInfo:
        self.token = await self._inner.async_timestamp(message_digest, md_algorithm, **kwargs)
        return self.token

    def stamp(self, field: str, count: int, md_algorithm: str) -> ArchiveStamp:
        """The archive timestamp just made, as `last_archive_stamp` would read it from the book."""
        assert self.token is not None, "no timestamp was made"
        cert = token_signer(self.token)
        if cert is None:
            raise ValueError("the TSA's answer does not carry its certificate")
        until: datetime = cert["tbs_certificate"]["validity"]["not_after"].native
        return ArchiveStamp(field, count, until, md_algorithm)

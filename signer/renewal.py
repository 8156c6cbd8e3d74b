"""What a sealed book's last archive timestamp still proves, read from the book: until when its TSA's
certificate is valid, and with which digest. A renewal is due before that date comes, or when the digest has
weakened (SHA-1, MD5)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from pyhanko.pdf_utils.reader import PdfFileReader

from .model import is_archive_timestamp

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


def last_archive_stamp(pdf: bytes) -> ArchiveStamp | None:
    """The book's last archive timestamp, or None when it has none (not sealed, or PDF/A-1)."""
    reader = PdfFileReader(io.BytesIO(pdf))
    stamps = [s for s in reader.embedded_signatures if is_archive_timestamp(s.field_name)]
    if not stamps:
        return None
    last = stamps[-1]
    until: datetime = last.signer_cert["tbs_certificate"]["validity"]["not_after"].native
    return ArchiveStamp(last.field_name, len(stamps), until, str(last.md_algorithm))

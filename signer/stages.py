"""The stages of one signature, shared by the one-step path (`SigningService.sign`) and the two-phase path
(`ExternalSigning`), after pyHanko's own (`PdfSigner` → `PdfTBSDocument` → `PdfPostSignatureDocument`):

1. **prepare** (`SigningService.prepare`): every check before a signature, giving a `Preparation`: the plan
   entry, the signer's checked status and the writer for the signature's update;
2. **sign**: `Preparation.pdf_signer(signer)` signs in one go, or digests the document for a signer that answers
   later (a token, a phone);
3. **finish** (`SigningService.finish`): the seal closes the book (validation data, archive timestamp) and the
   result is checked against its PDF/A part.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, timestamps
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, Signer, constants
from pyhanko_certvalidator import ValidationContext

from records import PlanEntry, Role
from templates import VIETNAM

from .appearance import person_style, seal_style

RESERVED = 16384
"""Room for the CMS (certificates, signature, timestamp token): known up front, pyHanko skips its trial
signature."""

# PDF/A forbids filters on the metadata stream (ISO 19005-1 6.7.2, -2/-3 6.6.2.1), so the XMP of a valid book
# is plain text in the file; the last one written is the current one.
_XMP_PART = re.compile(rb"<pdfaid:part>\s*(\d)|pdfaid:part=[\"']\s*(\d)")


def declared_part(pdf: bytes) -> str | None:
    """The PDF/A part the book's XMP declares ("1", "2", "3"), without parsing the PDF."""
    last = pdf.rfind(b"pdfaid:part")  # from the end: a regex over the whole book is slow
    if last < 0:
        return None
    matches = list(_XMP_PART.finditer(pdf, max(0, last - 64), last + 64))
    return (matches[-1].group(1) or matches[-1].group(2)).decode() if matches else None


class PdfAWriter(IncrementalPdfFileWriter):
    """The incremental writer for every update of a book. PDF/A-1 is PDF 1.4: for a PDF/A-1 book the version is
    never raised and no developer extension is declared, which pyHanko otherwise does for PAdES (ESIC, 1.7) and
    ECDSA (ISO 32002, 2.0)."""

    def __init__(self, pdf: bytes, keep_metadata: bool = False) -> None:
        self.pdfa_part = declared_part(pdf)  # before the base class, which already asks for a version
        self.keep_metadata = keep_metadata
        super().__init__(io.BytesIO(pdf))

    def _update_meta(self) -> None:
        # A renewal's archive timestamp changes nothing the metadata describes: the XMP and the Info dictionary
        # are left as the seal wrote them (still consistent, as PDF/A wants), not parsed and written again.
        if not self.keep_metadata:
            super()._update_meta()

    def ensure_output_version(self, version: Any) -> None:
        if self.pdfa_part != "1":
            super().ensure_output_version(version)

    def register_extension(self, ext: Any) -> None:
        if self.pdfa_part != "1":
            super().register_extension(ext)


class _PdfASigner(PdfSigner):
    """Declares ESIC only: ECDSA's ISO 32002 extension would raise the version to 2.0, outside PDF/A-2/3."""

    def register_extensions(self, pdf_out: BasePdfFileWriter, *, md_algorithm: str) -> None:
        pdf_out.ensure_output_version(version=(1, 7))
        pdf_out.register_extension(constants.ESIC_EXTENSION_1)


@dataclass(frozen=True)
class Preparation:
    """What the checks before a signature established: the stage between `prepare` and `finish`."""

    entry: PlanEntry
    """The plan's entry for the field being signed."""
    checked: ValidationContext
    """The signer's certificate status, as checked (the seal embeds its revocation data)."""
    writer: PdfAWriter
    """The incremental writer for the signature's update."""
    location: str = ""

    @property
    def seal(self) -> bool:
        return self.entry.role is Role.SCHOOL_SEAL

    @property
    def part(self) -> str | None:
        """The PDF/A part the book declares ("1", "2", "3")."""
        return self.writer.pdfa_part

    def pdf_signer(self, signer: Signer, timestamper: timestamps.TimeStamper | None = None) -> PdfSigner:
        """pyHanko's signer for this field: PAdES, the plan's label and name, the person's or the seal's stamp,
        "no changes" after the seal (its field's lock already says so) and form filling after anyone else."""
        meta = PdfSignatureMetadata(
            field_name=self.entry.field,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=self.entry.label,
            location=self.location or None,
            name=self.entry.signer_name,
            docmdp_permissions=MDPPerm.NO_CHANGES if self.seal else MDPPerm.FILL_FORMS,
        )
        style = seal_style(self.entry.signer_name) if self.seal else person_style()
        return _PdfASigner(meta, signer, timestamper=timestamper, stamp_style=style)

    def appearance_text(self, moment: datetime) -> dict[str, str]:
        """The stamp's text: role, name and the signing time in Vietnam time."""
        when = moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M (GMT+7)")
        return {"role": self.entry.label, "name": self.entry.signer_name, "time": when}

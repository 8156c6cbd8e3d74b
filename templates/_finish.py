"""Turn ReportLab's output into the finished PDF/A: metadata, signature fields, plan, attachments.

pikepdf's PDF/A checker is an allowlist and does not judge interactive forms, embedded files or page-piece
data, so the finished file is accepted when it has no *violation* and its only unchecked findings are those
three constructs; the base (everything but them) is checked in full. PDF/A-1b output is also checked by
Apache PDFBox Preflight in the tests, which does judge forms.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary, Name, String, pdfa

from records import Record, SigningPlan, to_json, to_xml
from records.plan import PRINCIPAL_FIELD, SEAL_FIELD

from .errors import PdfaConformanceError
from .labels import LEVEL_NAME
from .model import Attachment, Description, FieldBox, Identity, Profile

PIECE_KEY = "/Hocba"
_NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}
CREATOR_TOOL = "hocba"


def pdf_date(moment: datetime) -> str:
    offset = moment.strftime("%z") or "+0000"
    return moment.strftime("D:%Y%m%d%H%M%S") + f"{offset[:3]}'{offset[3:]}'"


def _alt(text: str) -> str:
    return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(text)}</rdf:li></rdf:Alt>'


def _bag(items: Iterable[str], kind: str = "Bag") -> str:
    return f"<rdf:{kind}>" + "".join(f"<rdf:li>{escape(i)}</rdf:li>" for i in items) + f"</rdf:{kind}>"


def describe_book(record: Record, identity: Identity) -> Description:
    title = f"Học bạ {LEVEL_NAME[record.level]} – {record.student.full_name} – năm học {record.school_year}"
    subject = (
        f"Học bạ số của học sinh {record.student.full_name}, lớp {record.class_name}, {record.school.name}, "
        f"năm học {record.school_year}. Mã hồ sơ {identity.document_id}."
    )
    keywords = ("học bạ số", record.school.name, record.student.full_name, record.school_year, identity.document_id)
    return Description(title, record.school.name, subject, keywords)


def book_attachments(record: Record) -> tuple[Attachment, ...]:
    return (
        Attachment("hocba.xml", to_xml(record), "application/xml", "Dữ liệu học bạ (XML, hocba-record/1)"),
        Attachment("hocba.json", to_json(record), "application/json", "Dữ liệu học bạ (JSON, hocba-record/1)"),
    )


def xmp_packet(about: Description, identity: Identity, profile: Profile, moment: datetime) -> bytes:
    """XMP with only predefined schemas (PDF/A needs no extension schema), namespaces on rdf:Description."""
    title, author, subject, keywords = about.title, about.author, about.subject, about.keywords
    stamp = moment.isoformat()
    namespaces = " ".join(f'xmlns:{k}="{v}"' for k, v in _NS.items())
    body = (
        f'<rdf:Description rdf:about="" {namespaces}>'
        f"<dc:format>application/pdf</dc:format>"
        f"<dc:title>{_alt(title)}</dc:title>"
        f"<dc:creator>{_bag([author], 'Seq')}</dc:creator>"
        f"<dc:description>{_alt(subject)}</dc:description>"
        f"<dc:subject>{_bag(keywords)}</dc:subject>"
        f"<dc:publisher>{_bag([author])}</dc:publisher>"
        f"<dc:identifier>{escape(identity.document_id)}</dc:identifier>"
        f"<xmp:CreateDate>{stamp}</xmp:CreateDate><xmp:ModifyDate>{stamp}</xmp:ModifyDate>"
        f"<xmp:MetadataDate>{stamp}</xmp:MetadataDate><xmp:CreatorTool>{CREATOR_TOOL}</xmp:CreatorTool>"
        f"<pdf:Keywords>{escape('; '.join(keywords))}</pdf:Keywords>"
        f"<pdfaid:part>{profile.flavour[0]}</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"
        "</rdf:Description>"
    )
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f"{body}</rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


def _set_metadata(pdf: pikepdf.Pdf, about: Description, identity: Identity, profile: Profile, moment: datetime) -> None:
    title, author, subject, keywords = about.title, about.author, about.subject, about.keywords
    date = pdf_date(moment)
    # No /Producer: signing software appends to it and the XMP would then disagree (field notes).
    pdf.trailer.Info = pdf.make_indirect(
        Dictionary(
            Title=String(title),
            Author=String(author),
            Subject=String(subject),
            Keywords=String("; ".join(keywords)),
            Creator=String(CREATOR_TOOL),
            CreationDate=String(date),
            ModDate=String(date),
        )
    )
    pdf.Root.Metadata = pdf.make_stream(
        xmp_packet(about, identity, profile, moment), Type=Name.Metadata, Subtype=Name.XML
    )


def _empty_appearance(pdf: pikepdf.Pdf, box: FieldBox) -> pikepdf.Object:
    return pdf.make_stream(b"", Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, box.width, box.height])


def _lock(plan: SigningPlan, field: str) -> Dictionary | None:
    """The principal's signature locks every field but the one the plan still needs (the seal's), so that no
    field added or left in a book can be filled after the approval; the seal locks the whole document."""
    if field == PRINCIPAL_FIELD:
        later = [String(e.field) for e in plan.entries if e.group > plan.entry(field).group]
        return Dictionary(Type=Name.SigFieldLock, Action=Name.Exclude, Fields=Array(later))
    if field == SEAL_FIELD:
        return Dictionary(Type=Name.SigFieldLock, Action=Name.All, P=1)
    return None


def _add_fields(pdf: pikepdf.Pdf, plan: SigningPlan, boxes: list[FieldBox]) -> None:
    where = {b.field: b for b in boxes}
    missing = [f for f in plan.fields() if f not in where]
    if missing:
        raise PdfaConformanceError("layout", [f"no box drawn for field {name}" for name in missing])
    top: list[pikepdf.Object] = []
    parents: dict[str, pikepdf.Object] = {}
    for entry in plan.entries:
        box = where[entry.field]
        page = pdf.pages[box.page - 1]
        parent_name, _, leaf = entry.field.rpartition(".")
        widget = Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Sig,
            T=String(leaf),
            TU=String(f"{entry.label}: {entry.signer_name}"),
            Rect=Array(list(box.rect)),
            F=4,  # Print: PDF/A requires printable annotations
            P=page.obj,
            AP=Dictionary(N=_empty_appearance(pdf, box)),
        )
        lock = _lock(plan, entry.field)
        if lock is not None:
            widget.Lock = lock
        field = pdf.make_indirect(widget)
        if parent_name:
            if parent_name not in parents:
                parents[parent_name] = pdf.make_indirect(Dictionary(T=String(parent_name), Kids=Array()))
                top.append(parents[parent_name])
            field.Parent = parents[parent_name]
            parents[parent_name].Kids.append(field)
        else:
            top.append(field)
        if "/Annots" not in page.obj:
            page.obj.Annots = pdf.make_indirect(Array())
        page.obj.Annots.append(field)
    pdf.Root.AcroForm = pdf.make_indirect(Dictionary(Fields=Array(top)))


def _add_plan(pdf: pikepdf.Pdf, plan: SigningPlan, identity: Identity, moment: datetime) -> None:
    # A stream (compressed on save), not a string: every signer's PDF reader parses the catalog on each signature, and a
    # 5 KB string literal is parsed byte by byte; a stream is only read by whoever asks for the plan.
    private = Dictionary(
        SigningPlan=pdf.make_stream(plan.to_json().encode()),
        DocumentId=String(identity.document_id),
        ContentHash=String(identity.content_hash),
    )
    pdf.Root.PieceInfo = Dictionary({PIECE_KEY: Dictionary(LastModified=String(pdf_date(moment)), Private=private)})


def _attach(pdf: pikepdf.Pdf, attachments: Iterable[Attachment], moment: datetime) -> None:
    date = pdf_date(moment)
    specs = []
    for a in attachments:
        spec = pikepdf.AttachedFileSpec(
            pdf,
            a.data,
            description=a.what,
            filename=a.name,
            mime_type=a.mime,
            creation_date=date,
            mod_date=date,
            relationship=Name("/" + a.relationship),
        )
        pdf.attachments[a.name] = spec
        specs.append(spec.obj)
    pdf.Root.AF = pdf.make_indirect(Array(specs))


def accepted_unchecked(finding: pdfa.Finding) -> bool:
    """The unchecked constructs a finished học bạ is allowed to contain (see the module docstring)."""
    if finding.rule == "pikepdf:embedded-file":
        return True
    if finding.rule != "pikepdf:schema-Catalog":
        return False
    return "(/AcroForm)" in finding.message or finding.message == "unrecognized key(s) /PieceInfo are not checked"


def pdfa_problems(data: bytes, flavour: str) -> list[str]:
    """Every PDF/A violation, and every unchecked construct other than the accepted ones."""
    report = pdfa.validate_written(io.BytesIO(data), flavour)
    findings = list(report.violations) + [f for f in report.unsupported if not accepted_unchecked(f)]
    return [f"{f.rule} at {f.where}: {f.message}" for f in findings]


def _check(data: bytes, profile: Profile) -> None:
    problems = pdfa_problems(data, profile.flavour)
    if problems:
        raise PdfaConformanceError(profile.flavour, problems)


def finish(
    raw: bytes,
    plan: SigningPlan,
    boxes: list[FieldBox],
    identity: Identity,
    profile: Profile,
    moment: datetime,
    about: Description,
    attachments: tuple[Attachment, ...],
) -> bytes:
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        for page in pdf.pages:
            if "/Trans" in page.obj:  # ReportLab writes an empty transition dictionary on every page
                del page.obj["/Trans"]
        pdfa.prepare(pdf, profile.flavour)
        _set_metadata(pdf, about, identity, profile, moment)  # replaces what prepare wrote: reproducible dates
        _add_fields(pdf, plan, boxes)
        _add_plan(pdf, plan, identity, moment)
        if profile.attachments:
            _attach(pdf, attachments, moment)
        # Classic cross-reference tables, no object streams, in every part: each revision's objects stay readable
        # in the plain file (as PDF/A-1 requires), and every signature's update follows the same form, which
        # pyHanko reads back faster at every signature than a long chain of cross-reference streams.
        save_kwargs = pdfa.resolve_save_kwargs(
            profile.flavour, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.disable
        )
        out = io.BytesIO()
        pdf.save(out, **save_kwargs)
    data = out.getvalue()
    _check(data, profile)
    return data

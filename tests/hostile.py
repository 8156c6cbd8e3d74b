"""Hostile files built from a real book: bombs, endless updates, deep or looping objects, lies about lengths,
encryption and a CMS that carries its own content. Each is what an upload to a public verifier can be."""

from __future__ import annotations

import io
import random
import re
import zlib

import pikepdf
from asn1crypto import cms


def _startxref(pdf: bytes) -> int:
    return int(pdf[pdf.rindex(b"startxref") + len(b"startxref") :].split()[0])


def _root_ref(pdf: bytes) -> bytes:
    found: list[bytes] = re.findall(rb"/Root\s+(\d+\s+\d+)\s+R", pdf)
    return found[-1]


def _size(pdf: bytes) -> int:
    return max(int(n) for n in re.findall(rb"/Size\s+(\d+)", pdf))


def append_objects(pdf: bytes, objects: dict[int, bytes], root: bytes | None = None) -> bytes:
    """An incremental update written by hand (a parser must survive what no library would write)."""
    out = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n"
    for number, offset in sorted(offsets.items()):
        out += b"%d 1\n%010d 00000 n \n" % (number, offset)
    size = max(_size(pdf), *(n + 1 for n in objects))
    out += b"trailer\n<< /Size %d /Root %s R /Prev %d >>\n" % (size, root or _root_ref(pdf), _startxref(pdf))
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _catalog_with(pdf: bytes, extra: bytes) -> tuple[int, bytes]:
    """The catalog's number and its body with `extra` added (read with pikepdf, written by hand)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        number = doc.Root.objgen[0]
        body = doc.Root.unparse(resolved=True)
    return number, body[:-2] + b" " + extra + b" >>"


def xmp_bomb(pdf: bytes, gib: int = 1) -> bytes:
    """The book's XMP replaced by a Flate stream of `gib` GiB of zeros (about 1 MB in the file)."""
    packer = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    data = b"".join(packer.compress(chunk) for _ in range(gib << 10)) + packer.flush()
    number = _size(pdf)
    catalog, body = _catalog_with(pdf, b"/Metadata %d 0 R" % number)
    stream = b"<< /Type /Metadata /Subtype /XML /Filter /FlateDecode /Length %d >>\nstream\n" % len(data)
    return append_objects(
        pdf, {number: stream + data + b"\nendstream", catalog: body.replace(b"/Metadata", b"/OldMeta", 1)}
    )


def many_updates(pdf: bytes, count: int) -> bytes:
    """`count` empty incremental updates, each a cross-reference section of its own."""
    out = pdf
    for _ in range(count):
        xref = len(out) + 1
        root = _root_ref(out)
        out += b"\nxref\n0 0\ntrailer\n<< /Size %d /Root %s R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
            _size(pdf),
            root,
            _startxref(out),
            xref,
        )
    return out


def deep_object(pdf: bytes, depth: int = 100_000) -> bytes:
    number = _size(pdf)
    catalog, body = _catalog_with(pdf, b"/Deep %d 0 R" % number)
    return append_objects(pdf, {number: b"[" * depth + b"]" * depth, catalog: body})


def self_reference(pdf: bytes) -> bytes:
    number = _size(pdf)
    catalog, body = _catalog_with(pdf, b"/Loop %d 0 R" % number)
    return append_objects(pdf, {number: b"%d 0 R" % number, catalog: body})


def huge_length(pdf: bytes) -> bytes:
    number = _size(pdf)
    catalog, body = _catalog_with(pdf, b"/Big %d 0 R" % number)
    stream = b"<< /Length 99999999999 >>\nstream\nabc\nendstream"
    return append_objects(pdf, {number: stream, catalog: body})


def malformed_update(pdf: bytes) -> bytes:
    catalog, body = _catalog_with(pdf, b"/Broken << /A [1 2 >> ) (")
    return append_objects(pdf, {catalog: body})


def encrypted(pdf: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        out = io.BytesIO()
        doc.save(out, encryption=pikepdf.Encryption(owner="o", user="", R=6))
    return out.getvalue()


def encapsulated_cms(pdf: bytes) -> bytes:
    """The first signature's CMS rewritten to carry its content inside (not detached), same size in place."""
    start = pdf.index(b"/Contents <") + len(b"/Contents <")
    end = pdf.index(b">", start)
    hex_text = pdf[start:end]
    info = cms.ContentInfo.load(bytes.fromhex(hex_text.decode()))  # the zero padding after the DER is ignored
    signed = info["content"]
    signed["encap_content_info"] = cms.ContentInfo({"content_type": "data", "content": b"9.5"})
    new_hex: bytes = info.dump(force=True).hex().encode()
    return pdf[:start] + new_hex.ljust(len(hex_text), b"0") + pdf[end:]


def near_the_size_limit(pdf: bytes) -> bytes:
    """As large as the verifier reads (about 26 MB): eight streams of 10 MB of zeros each once decompressed, and
    25 MB of incompressible bytes, all referenced from the catalog of an update."""
    number = _size(pdf)
    objects: dict[int, bytes] = {}
    refs = b""
    zeros = zlib.compress(b"\0" * (10 << 20), 9)
    for i in range(8):
        objects[number + i] = b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(zeros) + zeros + b"\nendstream"
        refs += b" /Heavy%d %d 0 R" % (i, number + i)
    noise = random.Random(7).randbytes(25 << 20)
    objects[number + 8] = b"<< /Length %d >>\nstream\n" % len(noise) + noise + b"\nendstream"
    catalog, body = _catalog_with(pdf, refs + b" /Noise %d 0 R" % (number + 8))
    objects[catalog] = body
    return append_objects(pdf, objects)

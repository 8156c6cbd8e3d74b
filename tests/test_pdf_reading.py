"""The faster readers behind signing and verification give exactly what pyHanko's own give."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from records import signing_plan
from signer import _pdfread
from templates import read_plan, read_signing_state

from .signing_fixtures import School


def _read(reader: Callable[[io.BytesIO], object], data: bytes) -> tuple[object, int]:
    """What `reader` returns for a stream at `data`'s '<' (or the error type), and where it leaves the stream."""
    stream = io.BytesIO(data)
    try:
        return reader(stream), stream.tell()
    except PdfReadError as exc:
        return type(exc), -1


def _both(data: bytes) -> tuple[tuple[object, int], tuple[object, int]]:
    return _read(_pdfread.read_hex_string, data), _read(_pdfread._original, data)


@pytest.mark.parametrize(
    "data",
    [
        b"<>",
        b"<48656c6c6f> rest",
        b"<48 65\n6c\r6c\t6f\x00\x0c> /Next",
        b"<4865a>",  # an odd digit: pyHanko appends a 0
        b"<FEFF00480069>",  # UTF-16 with a byte order mark: a text string
        b"<48 % a comment\n65>",  # a comment: handled by pyHanko's own reader
        b"<48zz65>",  # not hex: pyHanko's error
        b"<4865",  # no '>': pyHanko's error
    ],
)
def test_hex_strings_read_as_pyhanko_reads_them(data: bytes) -> None:
    ours, theirs = _both(data)
    assert ours == theirs and type(ours[0]) is type(theirs[0])


def test_long_random_hex_strings() -> None:
    rng = random.Random(5)
    for size in (1, 2, 4095, 65535, 65536, 65537, 200_000):
        digits = bytes(rng.choice(b"0123456789abcdefABCDEF \n") for _ in range(size))
        ours, theirs = _both(b"<" + digits + b">trailer")
        assert ours == theirs and ours[1] == size + 2


@pytest.mark.parametrize(
    "data",
    [b"Type /XRef", b"XRef/Filter", b"true]", b"null>>", b"abc", b"", b"x" * 300 + b" y", b"x" * 300, b"a%comment"],
)
def test_tokens_end_where_pyhanko_ends_them(data: bytes) -> None:
    ours, theirs = _read(_pdfread.read_until_delimiter, data), _read(_pdfread._original_until_delimiter, data)
    assert ours == theirs


def _decoded(decode: Callable[[bytes], object], name: bytes) -> object:
    try:
        return decode(name)
    except PdfReadError as exc:
        return type(exc)


@pytest.mark.parametrize(
    "name",
    [
        b"Type",
        b"",
        b"ByteRange",
        b'K~!"',
        b"A#20B",  # an escape: pyHanko's own decoder
        b"Caf#C3#A9",  # an escaped UTF-8 name
        b"#",  # an unterminated escape: pyHanko's error
        b"Caf\xc3\xa9",  # bytes that must be escaped: pyHanko's error
        b"x\x01",
        b"ab%c",
        b"ab(c",
    ],
)
def test_names_decode_as_pyhanko_decodes_them(name: bytes) -> None:
    ours, theirs = _decoded(_pdfread.decode_name, name), _decoded(_pdfread._original_decode_name, name)
    assert ours == theirs and type(ours) is type(theirs)


def test_every_byte_in_a_name_decodes_as_pyhanko_decodes_it() -> None:
    for byte in range(256):
        name = b"a" + bytes([byte]) + b"z"
        assert _decoded(_pdfread.decode_name, name) == _decoded(_pdfread._original_decode_name, name), byte


def test_installed_reader_is_the_one_pyhanko_calls(school: School) -> None:
    _pdfread.install()
    assert generic.read_hex_string_from_stream is _pdfread.read_hex_string
    assert generic._decode_name is _pdfread.decode_name
    assert getattr(generic, "read_until_delimiter") is _pdfread.read_until_delimiter  # noqa: B009
    pdf = school.sign_all(school.book(school.primary), school.primary, until="dau_truong")
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert [s.field_name for s in signatures] == ["gvcn", "hieu_truong"]
    assert all(len(s.pkcs7_content) > 1000 for s in signatures)


def test_signing_state_matches_pyhanko(school: School) -> None:
    record = school.thcs
    pdf = school.book(record)
    state = read_signing_state(pdf)
    assert state.plan == read_plan(pdf) == signing_plan(record) and state.signed == frozenset()
    assert state.foreign == frozenset()  # a rendered book has the plan's signature fields and nothing else
    pdf = school.sign_all(pdf, record, until="gvcn")
    signed = read_signing_state(pdf).signed
    expected = {name for name, _, _ in enumerate_sig_fields(PdfFileReader(io.BytesIO(pdf)), filled_status=True)}
    assert signed == expected and "gvbm.toan" in signed and "gvcn" not in signed


def test_signing_state_kept_for_the_same_bytes_only(school: School) -> None:
    pdf = school.book(school.primary)
    first = read_signing_state(pdf)
    assert read_signing_state(pdf) is first  # the same book asked about twice: read once
    copy = bytes(bytearray(pdf))
    again = read_signing_state(copy)
    assert again == first and again is not first  # an equal copy is another book: read again

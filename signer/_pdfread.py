"""Faster token readers for pyHanko's PDF parser.

pyHanko reads hex strings and names one byte at a time through Python generators.
- A signature's /Contents is a hex string of twice its reserved size (32,768 digits for 16 KB), so reading the
  signatures of a sealed book (the seal's validation data, every verification) spent a large part of
  their time there (a third of verifying a book). `read_hex_string` takes the whole string with one search
  and decodes it in C.
- Names and keywords end at the first delimiter; `read_until_delimiter` finds it with one search. Every
  signature reads a dozen cross-reference sections made of them.
- A name is then decoded byte by byte (its `#xx` escapes); `decode_name` takes a plain name (printable ASCII,
  no escape: every name pyHanko and ReportLab write) in one step. Names were the largest single cost of
  reading a book's objects (a renewal reads a few hundred).
Whenever a token is not the plain case (a comment, a stray byte, the end of the file), they step back and let
pyHanko's own reader handle it, so results and errors stay exactly pyHanko's.
"""

from __future__ import annotations

import binascii
import os
import re
from typing import Any

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.misc import PDF_DELIMITERS, PDF_WHITESPACE

_HEX_DIGITS = b"0123456789abcdefABCDEF"
_CHUNK = 1 << 16
_original = generic.read_hex_string_from_stream
_original_until_delimiter = misc.read_until_delimiter  # the function `generic` imported from `misc`
_DELIMITER = re.compile(b"[" + re.escape(PDF_WHITESPACE + PDF_DELIMITERS) + b"]")
_TOKEN_CHUNK = 256  # names and keywords are short; a longer one goes to pyHanko's reader
_original_decode_name = generic._decode_name
_PLAIN_NAME = re.compile(b"[^#" + re.escape(PDF_WHITESPACE + PDF_DELIMITERS) + rb"\x00-\x20\x7f-\xff]*")


def read_hex_string(stream: Any) -> Any:
    """Drop-in for `pyhanko.pdf_utils.generic.read_hex_string_from_stream` (the stream is at the '<')."""
    start = stream.tell()
    stream.read(1)
    parts: list[bytes] = []
    while True:
        chunk = stream.read(_CHUNK)
        end = chunk.find(b">")
        if end >= 0:
            parts.append(chunk[:end])
            stream.seek(end + 1 - len(chunk), os.SEEK_CUR)  # just after the '>'
            break
        if not chunk:
            stream.seek(start)
            return _original(stream)
        parts.append(chunk)
    digits = b"".join(parts).translate(None, PDF_WHITESPACE)
    if digits.translate(None, _HEX_DIGITS):
        stream.seek(start)
        return _original(stream)
    if len(digits) % 2:
        digits += b"0"  # as pyHanko: a final odd digit is followed by an implied 0
    return generic.pdf_string(binascii.unhexlify(digits))


def read_until_delimiter(stream: Any) -> bytes:
    """Drop-in for `pyhanko.pdf_utils.misc.read_until_delimiter`: the bytes up to the next delimiter or white
    space, the stream left at that character."""
    start = stream.tell()
    chunk = stream.read(_TOKEN_CHUNK)
    found = _DELIMITER.search(chunk)
    if found is None:  # at the end of the file, or a very long token
        stream.seek(start)
        result: bytes = _original_until_delimiter(stream)
        return result
    stream.seek(start + found.start())
    token: bytes = chunk[: found.start()]
    return token


def decode_name(name_bytes: bytes) -> Any:
    """Drop-in for `pyhanko.pdf_utils.generic._decode_name` (the bytes after the '/')."""
    if _PLAIN_NAME.fullmatch(name_bytes) is None:  # an escape, or a byte pyHanko refuses: its own decoder
        return _original_decode_name(name_bytes)
    return generic.NameObject("/" + name_bytes.decode("ascii"))


def install() -> None:
    """Use the faster readers in this process (idempotent). pyHanko's object parser (`generic`) looks each up
    in its own module at every call."""
    generic.read_hex_string_from_stream = read_hex_string
    generic._decode_name = decode_name
    setattr(generic, "read_until_delimiter", read_until_delimiter)  # noqa: B010 - imported there from misc

"""Canonical machine-readable forms of a record: JSON, XML, and the content hash.

The canonical JSON (sorted keys, no insignificant white space, NFC text, absent fields omitted) is what the
content hash covers, so the same record always hashes the same however its input file was laid out.
The XML mapping is documented in docs/xml-mapping.md.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

from .model import Record

XML_NAMESPACE = "urn:hocba:record:1"
# Array fields and the element name of one item.
_ITEM = {"subjects": "subject", "staff": "member", "study_history": "entry"}


def record_data(record: Record) -> dict[str, Any]:
    data: dict[str, Any] = record.model_dump(mode="json", exclude_none=True)
    return data


def canonical_json(record: Record) -> bytes:
    text = json.dumps(record_data(record), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")


def content_hash(record: Record) -> str:
    """sha256 of the canonical JSON, hex."""
    return hashlib.sha256(canonical_json(record)).hexdigest()


def _fill(parent: ET.Element, name: str, value: Any) -> None:
    if isinstance(value, list):
        holder = ET.SubElement(parent, name)
        for item in value:
            _fill(holder, _ITEM.get(name, "item"), item)
        return
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key in sorted(value):
            _fill(element, key, value[key])
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)


def to_xml(record: Record) -> bytes:
    data = record_data(record)
    root = ET.Element("hocba", {"xmlns": XML_NAMESPACE, "format": data.pop("format")})
    for key in sorted(data):
        _fill(root, key, data[key])
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def to_json(record: Record) -> bytes:
    """Readable JSON of the record (the attachment people open); same content as `canonical_json`."""
    text = json.dumps(record_data(record), ensure_ascii=False, sort_keys=True, indent=2)
    return (text + "\n").encode("utf-8")


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps_jsonl(values: list[dict[str, Any]]) -> str:
    """Raw record dicts (scores may be Decimal) as JSON Lines."""
    return "".join(json.dumps(v, ensure_ascii=False, default=_number) + "\n" for v in values)

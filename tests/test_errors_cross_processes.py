"""One error root: every coded error of every package derives from `records.HocbaError` and survives pickling (a
sitting's workers, a job queue) as an equal error — its class, code, both messages, whether a retry can help, and
the attributes its constructor set."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from datetime import UTC, datetime
from string import Formatter
from types import ModuleType
from typing import Any

import pytest

import archive
import records
import signer
import templates
from devtools import pki
from records import HocbaError, error, wording


def _classes() -> Iterator[type[HocbaError]]:
    modules: list[ModuleType] = [records, templates, signer, signer.errors, archive, archive.errors, pki]
    seen: set[type[HocbaError]] = set()
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, HocbaError) and value not in seen:
                seen.add(value)
                yield value


def _instance(cls: type[HocbaError]) -> HocbaError:
    """An instance made the way the package makes it (some constructors take problems or findings)."""
    arguments: dict[str, Any] = {
        "InvalidRecordError": ([error("field.required", "student.full_name")],),
        "CorrectionRefusedError": ([error("field.required", "reason")],),
        "PdfaConformanceError": ("2b", ["no box drawn for field gvcn"]),
    }
    if cls.__name__ in arguments:
        return cls(*arguments[cls.__name__])
    key = next(k for k in sorted(wording()) if k == cls.code or k.startswith(f"{cls.code}:"))
    variant = key.partition(":")[2]
    vi, en = wording()[key]
    fields = {name: spec for text in (vi, en) for _, name, spec, _ in Formatter().parse(text) if name}
    samples = {"f": 8.0, "%": datetime(2026, 12, 6, tzinfo=UTC)}
    values = {
        name: next((v for k, v in samples.items() if k in (spec or "")), "giá trị") for name, spec in fields.items()
    }
    return cls(variant, **values)


CLASSES = sorted(_classes(), key=lambda c: (c.__module__, c.__name__))


def test_every_package_has_its_errors_under_the_root() -> None:
    roots = {records.RecordsError, templates.TemplatesError, signer.SignerError, archive.ArchiveError, pki.PkiError}
    assert roots <= set(CLASSES) and len(CLASSES) > 50


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_error_round_trips(cls: type[HocbaError]) -> None:
    original = _instance(cls)
    back = pickle.loads(pickle.dumps(original))
    assert type(back) is cls and back == original
    assert (back.code, back.retryable, back.message_vi, back.message_en) == (
        original.code,
        original.retryable,
        original.message_vi,
        original.message_en,
    )
    assert back.message_vi and back.message_en and back.code.count(".") >= 1
    assert vars(back) == vars(original)  # problems, findings and the like come back too

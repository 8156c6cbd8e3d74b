"""Every error's text comes from the one catalogue: each raise site names a key the catalogue has and gives every
parameter its wording uses, no site writes text of its own, and every key is used."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from string import Formatter

import api.settings  # noqa: F401 - registers the settings' wording
import archive  # noqa: F401 - each package registers its wording on import
import signer  # noqa: F401
import templates  # noqa: F401
from devtools import pki  # noqa: F401
from records import HocbaError, wording

ROOT = Path(__file__).parent.parent
PACKAGES = ("records", "templates", "signer", "archive", "retention", "workflows", "api", "devtools")


def _classes() -> dict[str, type[HocbaError]]:
    found: dict[str, type[HocbaError]] = {"HocbaError": HocbaError}
    todo = [HocbaError]
    while todo:
        for sub in todo.pop().__subclasses__():
            found[sub.__name__] = sub
            todo.append(sub)
    return found


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def _raise_sites() -> Iterator[tuple[str, ast.Call, str]]:
    """Every place an error is made with the root's constructor (variant and parameters)."""
    classes = {n: c for n, c in _classes().items() if c.__init__ is HocbaError.__init__}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in classes:
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", node, classes[name].code


def test_every_raise_site_names_a_wording_and_gives_its_parameters() -> None:
    catalogue = wording()
    for where, call, code in _raise_sites():
        texts = [a for a in call.args if isinstance(a, ast.JoinedStr)]
        assert not texts, f"{where}: text belongs in the catalogue, not at the raise site"
        first = call.args[0] if call.args else None
        if first is not None and not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue  # a constructor of its own (problems, findings) or a variant chosen by the caller
        key = f"{code}:{first.value!s}" if isinstance(first, ast.Constant) and first.value else code
        assert key in catalogue, f"{where}: no wording for {key}"
        if any(k.arg is None for k in call.keywords):
            continue  # **params: checked when the error is made
        given = {k.arg for k in call.keywords if k.arg}
        vi, en = catalogue[key]
        assert _placeholders(vi) | _placeholders(en) <= given, f"{where}: {key} needs {_placeholders(vi + en)}"


def test_both_languages_and_every_key_of_an_error_class() -> None:
    codes = {c.code for c in _classes().values()}
    for key, (vi, en) in wording().items():
        assert vi.strip() and en.strip(), key
        assert key.partition(":")[0] in codes, f"{key}: no error class has this code"
        vi_names, en_names = _placeholders(vi) - {"first_vi"}, _placeholders(en) - {"first_en"}
        assert vi_names <= en_names, f"{key}: the two languages name other values"

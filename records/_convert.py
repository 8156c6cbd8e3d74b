"""Turn pydantic's validation errors into coded, bilingual `Problem`s."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from .problems import CATALOGUE, Problem, error, join_path

_TYPES: dict[str, tuple[str, str]] = {
    "string_type": ("chuỗi ký tự", "a string"),
    "int_type": ("số nguyên", "an integer"),
    "int_from_float": ("số nguyên", "an integer"),
    "dict_type": ("đối tượng", "an object"),
    "model_type": ("đối tượng", "an object"),
    "model_attributes_type": ("đối tượng", "an object"),
    "list_type": ("mảng", "an array"),
    "tuple_type": ("mảng", "an array"),
    "bool_type": ("true/false", "true/false"),
}


def _expected_list(ctx: dict[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace("'", "")


def problems_from(exc: ValidationError, prefix: tuple[int | str, ...] = ()) -> list[Problem]:
    out: list[Problem] = []
    for item in exc.errors(include_url=False):
        loc = prefix + tuple(item["loc"])
        # Union members and validator wrappers add their own names to the location; hide them.
        loc = tuple(
            p for p in loc if not (isinstance(p, str) and ("[" in p or p in ("function-after", "function-before")))
        )
        out.append(_one(item["type"], join_path(loc), item.get("input"), item.get("ctx") or {}, item["msg"]))
    return out


def _one(kind: str, path: str, value: Any, ctx: dict[str, Any], msg: str) -> Problem:
    if kind in CATALOGUE:
        return error(kind, path, **ctx)
    if kind == "missing":
        if path == "student.personal_id":
            return error("student.personal_id", path)
        return error("field.required", path)
    if kind == "extra_forbidden":
        return error("field.unknown", path)
    if kind in _TYPES:
        vi, en = _TYPES[kind]
        return error("field.type", path, expected_vi=vi, expected_en=en)
    if kind == "string_too_long":
        return error("field.too_long", path, max=ctx.get("max_length"))
    if kind in ("string_too_short", "too_short"):
        return error("field.empty", path)
    if kind == "literal_error":
        return error("field.enum", path, value=value, allowed=_expected_list(ctx))
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        low = ctx.get("ge", ctx.get("gt", "…"))
        high = ctx.get("le", ctx.get("lt", "…"))
        return error("field.range", path, value=value, low=low, high=high)
    return error("field.invalid", path, reason=msg)

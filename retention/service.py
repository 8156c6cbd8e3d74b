"""The policy table, read from `policies.toml` beside this file."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from .model import RetentionPolicy


@cache
def policies() -> tuple[RetentionPolicy, ...]:
    text = resources.files(__package__).joinpath("policies.toml").read_text(encoding="utf-8")
    return tuple(
        RetentionPolicy(
            id=p["id"],
            kind=p["kind"],
            title_vi=p["title_vi"],
            title_en=p["title_en"],
            period=str(p["period"]),
            horizon_years=int(p["horizon_years"]),
            legal_refs=tuple(p["legal_refs"]),
            note=p.get("note", ""),
        )
        for p in tomllib.loads(text)["policy"]
    )


def policy_for(kind: str) -> RetentionPolicy:
    for policy in policies():
        if policy.kind == kind:
            return policy
    raise KeyError(f"no retention policy for {kind!r}")

"""The policy table, read from `policies.toml` beside this file: every policy ever in force (assignments keep
the one they were made under), one current policy per kind."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from .model import RetentionPolicy

KINDS = (
    "hoc_ba",
    "correction_minutes",
    "ban_sao",
    "audit_anchor",
    "copy_register",
    "copy_request",
    "copy_refusal",
    "export",
    "revision",
    "disposal_certificate",
    "evidence_record",
)
"""Everything the archive keeps: each has one current policy."""


@cache
def policies() -> tuple[RetentionPolicy, ...]:
    """Every policy, current or superseded, in the file's order."""
    text = resources.files(__package__).joinpath("policies.toml").read_text(encoding="utf-8")
    found = tuple(
        RetentionPolicy(
            id=p["id"],
            kind=p["kind"],
            title_vi=p["title_vi"],
            title_en=p["title_en"],
            period=str(p["period"]),
            horizon_years=int(p["horizon_years"]),
            legal_refs=tuple(p["legal_refs"]),
            note=p.get("note", ""),
            starts=p.get("starts", "archived"),
            lock=p.get("lock", "compliance"),
            superseded_by=p.get("superseded_by"),
        )
        for p in tomllib.loads(text)["policy"]
    )
    _check(found)
    return found


def _check(found: tuple[RetentionPolicy, ...]) -> None:
    """The table's own rules: a broken table is a release that must not start."""
    ids = {p.id: p for p in found}
    if len(ids) != len(found):
        raise RuntimeError("retention policies: an id is used twice")
    for policy in found:
        if policy.period != "permanent" and not policy.period.isdigit():
            raise RuntimeError(f"retention policy {policy.id}: period {policy.period!r}")
        if policy.starts not in ("archived", "sealed") or policy.lock not in ("compliance", "governance"):
            raise RuntimeError(f"retention policy {policy.id}: starts or lock")
        successor = ids.get(policy.superseded_by or "")
        if policy.superseded_by is not None and (successor is None or successor.kind != policy.kind):
            raise RuntimeError(f"retention policy {policy.id}: superseded by {policy.superseded_by!r}")
    for kind in KINDS:
        if sum(1 for p in found if p.kind == kind and p.superseded_by is None) != 1:
            raise RuntimeError(f"retention policies: {kind} needs exactly one current policy")


def policy_for(kind: str) -> RetentionPolicy:
    """The current policy of a kind (what new objects of it are kept under)."""
    for policy in policies():
        if policy.kind == kind and policy.superseded_by is None:
            return policy
    raise KeyError(f"no retention policy for {kind!r}")


def policy_named(policy_id: str) -> RetentionPolicy:
    """A policy by its id, current or superseded (what an assignment was made under)."""
    for policy in policies():
        if policy.id == policy_id:
            return policy
    raise KeyError(f"no retention policy {policy_id!r}")

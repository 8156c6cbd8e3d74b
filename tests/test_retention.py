"""The retention policy table: data with legal references; "permanent" is a renewable 100-year lock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from archive import DocumentKind
from retention import KINDS, RetentionPolicy, policies, policy_for, policy_named, service


def test_hoc_ba_is_permanent_with_a_100_year_horizon_and_legal_references() -> None:
    policy = policy_for("hoc_ba")
    assert policy.permanent and policy.horizon_years == 100
    assert any("33/2024/QH15" in ref for ref in policy.legal_refs)
    assert any("08/2025/TT-BGDĐT" in ref for ref in policy.legal_refs)
    assert policy.retain_until(datetime(2026, 6, 1, tzinfo=UTC)) == datetime(2126, 6, 1, tzinfo=UTC)
    assert policy.retain_until(datetime(2028, 2, 29, tzinfo=UTC)).year == 2128


def test_everything_the_archive_keeps_has_one_current_policy_with_references() -> None:
    assert {p.kind for p in policies()} == set(KINDS)
    assert {kind.value for kind in DocumentKind} <= set(KINDS)  # every document kind, and the other objects
    assert all(sum(p.kind == k and p.superseded_by is None for p in policies()) == 1 for k in KINDS)
    assert len({p.id for p in policies()}) == len(policies())
    assert all(p.legal_refs and p.title_vi and p.horizon_years > 0 for p in policies())
    with pytest.raises(KeyError):
        policy_for("unknown")


def test_a_fixed_period_counts_years() -> None:
    policy = RetentionPolicy("x", "x", "X", "X", "20", 20, ("ref",))
    assert not policy.permanent
    assert policy.retain_until(datetime(2026, 1, 1, tzinfo=UTC)) == datetime(2046, 1, 1, tzinfo=UTC)


def test_working_revisions_are_kept_until_five_years_after_the_seal_under_governance() -> None:
    revisions = policy_for("revision")
    assert (revisions.period, revisions.starts, revisions.lock) == ("5", "sealed", "governance")
    assert any("32000" in ref for ref in revisions.legal_refs)  # the sealed book holds every revision's bytes
    register, request = policy_for("copy_register"), policy_for("copy_request")
    assert register.permanent and not request.permanent and request.lock == "compliance"
    assert any("23/2015" in ref for ref in request.legal_refs)


def test_a_policy_change_is_a_new_policy_and_the_old_one_still_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    old = policy_for("export")
    changed = (
        RetentionPolicy("ban-xuat-du-lieu-2030", "export", "X", "X", "15", 15, ("ref",)),
        *(
            p if p.id != old.id else RetentionPolicy(**{**p.__dict__, "superseded_by": "ban-xuat-du-lieu-2030"})
            for p in policies()
        ),
    )
    monkeypatch.setattr(service, "policies", lambda: changed)
    assert service.policy_for("export").id == "ban-xuat-du-lieu-2030"
    assert service.policy_named(old.id).period == old.period  # assignments made under it keep it
    service._check(changed)
    twice = (*changed, changed[0])
    with pytest.raises(RuntimeError):
        service._check(twice)
    orphan = tuple(p for p in changed if p.id != "ban-xuat-du-lieu-2030")
    with pytest.raises(RuntimeError):
        service._check(orphan)  # superseded by a policy that is not there, and no current one for exports
    assert policy_named("hoc-ba-so").kind == "hoc_ba"

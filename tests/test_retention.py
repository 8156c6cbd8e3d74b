"""The retention policy table: data with legal references; "permanent" is a renewable 100-year lock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retention import RetentionPolicy, policies, policy_for


def test_hoc_ba_is_permanent_with_a_100_year_horizon_and_legal_references() -> None:
    policy = policy_for("hoc_ba")
    assert policy.permanent and policy.horizon_years == 100
    assert any("33/2024/QH15" in ref for ref in policy.legal_refs)
    assert any("08/2025/TT-BGDĐT" in ref for ref in policy.legal_refs)
    assert policy.retain_until(datetime(2026, 6, 1, tzinfo=UTC)) == datetime(2126, 6, 1, tzinfo=UTC)
    assert policy.retain_until(datetime(2028, 2, 29, tzinfo=UTC)).year == 2128


def test_every_kind_the_archive_locks_has_a_policy_with_references() -> None:
    kinds = {p.kind for p in policies()}
    assert {"hoc_ba", "correction_minutes", "audit_anchor"} <= kinds
    assert len({p.id for p in policies()}) == len(policies())
    assert all(p.legal_refs and p.title_vi and p.horizon_years > 0 for p in policies())
    with pytest.raises(KeyError):
        policy_for("unknown")


def test_a_fixed_period_counts_years() -> None:
    policy = RetentionPolicy("x", "x", "X", "X", "20", 20, ("ref",))
    assert not policy.permanent
    assert policy.retain_until(datetime(2026, 1, 1, tzinfo=UTC)) == datetime(2046, 1, 1, tzinfo=UTC)

"""What a book's readers see of it: the state of every field of its signing plan."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from records import SigningPlan
from templates import read_signing_state


class FieldStatus(StrEnum):
    SIGNED = "signed"
    WAITING = "waiting"
    """Unsigned, in the first group that is not complete: its signer may sign now."""
    LATER = "later"
    """Unsigned, after a group that is not complete yet."""


@dataclass(frozen=True)
class FieldState:
    field: str
    role: str
    group: int
    signer_id: str
    signer_name: str
    label: str
    status: FieldStatus


def field_states(pdf: bytes) -> list[FieldState]:
    """Every field of the book's plan, in plan order, with whether it is signed, waiting or later."""
    state = read_signing_state(pdf)
    return states_of(state.plan, state.signed)


def states_of(plan: SigningPlan, signed: Collection[str]) -> list[FieldState]:
    """Every field of `plan`, in plan order, given the fields `signed` so far."""
    open_groups = [e.group for e in plan.entries if e.field not in signed]
    current = min(open_groups, default=None)
    states = []
    for entry in plan.entries:
        if entry.field in signed:
            status = FieldStatus.SIGNED
        else:
            status = FieldStatus.WAITING if entry.group == current else FieldStatus.LATER
        states.append(
            FieldState(
                entry.field, entry.role.value, entry.group, entry.signer_id, entry.signer_name, entry.label, status
            )
        )
    return states

"""Accounts (pure): who may use the service, in which role, linked to which staff member, student or province
office. Passwords and second factors are checked in `workflows.accounts`; the archive keeps only their hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    TEACHER = "teacher"
    """A subject teacher, and the homeroom teacher of a class (the book's plan says which rows and which class)."""
    PRINCIPAL = "principal"
    DEPUTY = "deputy"
    """A deputy principal, who signs "KT. HIỆU TRƯỞNG" where a book's plan names them."""
    CLERK = "clerk"
    """The văn thư: keeps the school's seal and issues certified copies."""
    ARCHIVIST = "archivist"
    ADMIN = "admin"
    """The school's administrator: manages accounts, and nothing else."""
    STUDENT = "student"
    PARENT = "parent"
    SUPERVISOR = "supervisor"
    """The province's education department: watches progress, reads, signs nothing."""


STAFF_ROLES = frozenset({Role.TEACHER, Role.PRINCIPAL, Role.DEPUTY, Role.CLERK, Role.ARCHIVIST, Role.ADMIN})
FAMILY_ROLES = frozenset({Role.STUDENT, Role.PARENT})
SECOND_FACTOR_ROLES = frozenset({Role.PRINCIPAL, Role.DEPUTY, Role.CLERK, Role.ARCHIVIST, Role.ADMIN})
"""Roles whose actions carry the school's authority: a password alone never opens them."""


class AccountStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    """Staff who leave are disabled, never deleted: their signatures and audit events keep naming them."""


@dataclass(frozen=True)
class Account:
    username: str
    role: Role
    school_code: str | None = None
    staff_id: str | None = None
    """The staff member's id in the school's records (the id a book's signing plan names)."""
    student_id: str | None = None
    """The student's personal id (students and parents)."""
    relationship: str | None = None
    """A parent's or guardian's relationship to the student."""
    province: str | None = None
    """A supervisor's province, as the records write it."""
    status: AccountStatus = AccountStatus.ACTIVE
    created_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status is AccountStatus.ACTIVE

    @property
    def needs_second_factor(self) -> bool:
        return self.role in SECOND_FACTOR_ROLES


def link_problem(account: Account) -> str | None:
    """The catalogue variant of what is missing or extra in an account's links, or None when they fit its role."""
    if account.role is Role.SUPERVISOR:
        if not account.province or account.school_code or account.staff_id or account.student_id:
            return "supervisor"
        return None
    if not account.school_code:
        return "school"
    if account.role in STAFF_ROLES:
        return None if account.staff_id and not account.student_id else "staff"
    if not account.student_id or account.staff_id:
        return "student"
    if account.role is Role.PARENT and not account.relationship:
        return "relationship"
    return None


class FlowPurpose(StrEnum):
    SIGN_IN = "sign_in"
    LINK = "link"
    """A signed-in account links its own identity at the school's identity provider."""


@dataclass(frozen=True)
class Identity:
    """An account at the school's OpenID Connect identity provider: its issuer and its stable subject."""

    issuer: str
    subject: str


@dataclass(frozen=True)
class SignInFlow:
    """A sign-in through the identity provider under way: the `nonce` and PKCE `verifier` that bind the
    provider's answer to the browser that asked, where to go after, and (when linking) the account."""

    purpose: FlowPurpose
    nonce: str
    verifier: str
    next_path: str
    expires_at: datetime
    username: str | None = None

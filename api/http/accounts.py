"""The school administrator's account routes: list, create and disable the school's accounts. Every change is
audited with the administrator as its actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Request
from pydantic import BaseModel, Field

from archive import Account, AccountInvalidError, Role

from .access import AccessDeniedError, Caller, allow, guarded_router, services
from .auth import AccountView

router = guarded_router(prefix="/v1/accounts", tags=["accounts"])


class NewAccountBody(BaseModel):
    username: str = Field(max_length=64, examples=["gv.toan"])
    role: Role
    password: str = Field(max_length=1024)
    staff_id: str | None = Field(default=None, max_length=64)
    student_id: str | None = Field(default=None, max_length=64)
    relationship: str | None = Field(default=None, max_length=64)


class CreatedAccount(BaseModel):
    account: AccountView
    otpauth_uri: str | None = Field(default=None, description="The second factor's secret: shown once")
    recovery_codes: list[str] = Field(default_factory=list, description="Each works once: shown once")


@router.get("")
def list_accounts(request: Request, caller: Annotated[Caller, allow("accounts.list")]) -> list[AccountView]:
    """The accounts of the administrator's school."""
    return [AccountView.of(a) for a in services(request).accounts().accounts(caller.account.school_code)]


@router.post("", status_code=201)
def create_account(
    request: Request, body: NewAccountBody, caller: Annotated[Caller, allow("accounts.create")]
) -> CreatedAccount:
    """An account of the administrator's own school (never another administrator's, never a province's)."""
    if body.role in (Role.ADMIN, Role.SUPERVISOR):
        # An administrator who could make administrators would hold unchecked power: those come from the console.
        raise AccessDeniedError(role=caller.account.role.value)
    account = Account(
        username=body.username.strip().lower(),
        role=body.role,
        school_code=caller.account.school_code,
        staff_id=body.staff_id,
        student_id=body.student_id,
        relationship=body.relationship,
    )
    if not account.username:
        raise AccountInvalidError("username", username=body.username)
    made = services(request).accounts().create(account, body.password, caller.account.username)
    return CreatedAccount(
        account=AccountView.of(made.account), otpauth_uri=made.otpauth_uri, recovery_codes=list(made.recovery_codes)
    )


@router.post("/{username}/disable")
def disable_account(
    request: Request, username: str, caller: Annotated[Caller, allow("accounts.disable")]
) -> AccountView:
    """Disable an account of the school and end its sessions (never deleted)."""
    return AccountView.of(services(request).accounts().disable(username, caller.account.username))

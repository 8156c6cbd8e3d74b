"""`hocba account create|disable|list`: the accounts of a school's staff, its students and parents, and the
province's supervisors. Staff who leave are disabled, never deleted."""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from archive import DEFAULT_DATABASE, Account, AccountInvalidError, Identity, Role
from workflows import FederationOffError

from .. import wiring
from .archiving import DatabaseOpt
from .console import out

app = typer.Typer(no_args_is_help=True, help="Accounts: create, disable, list, link an identity provider's account.")

_ACTOR = "console"
"""Who acts in the audit trail when an operator runs these commands on the server itself."""


def _password() -> str:
    """From `HOCBA_PASSWORD` (never an option: a command line is visible to every user of the machine)."""
    given = os.environ.get("HOCBA_PASSWORD")
    if given:
        return given
    return str(typer.prompt("Mật khẩu / password", hide_input=True, confirmation_prompt=True))


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise AccountInvalidError("role", role=value, roles=", ".join(role.value for role in Role)) from None


@app.command("create")
def create(
    username: str,
    role: Annotated[
        str,
        typer.Option("--role", help="teacher, principal, deputy, clerk, archivist, admin, student, parent, supervisor"),
    ],
    school: Annotated[str | None, typer.Option("--school", help="The school's ministry code")] = None,
    staff: Annotated[str | None, typer.Option("--staff", help="The staff id the school's records use")] = None,
    student: Annotated[
        str | None, typer.Option("--student", help="The student's personal id (students, parents)")
    ] = None,
    relationship: Annotated[
        str | None, typer.Option("--relationship", help="A parent's relationship: cha, mẹ, người giám hộ…")
    ] = None,
    province: Annotated[str | None, typer.Option("--province", help="A supervisor's province")] = None,
    database: DatabaseOpt = DEFAULT_DATABASE,
) -> None:
    """Create an account (password from HOCBA_PASSWORD or a prompt). Principals, deputies, clerks, archivists and
    admins get a second factor: its otpauth:// URI and ten recovery codes are shown once, now."""
    account = Account(
        username=username,
        role=_role(role),
        school_code=school,
        staff_id=staff,
        student_id=student,
        relationship=relationship,
        province=province,
    )
    with wiring.accounts(database) as book:
        created = book.create(account, _password(), _ACTOR)
    out.print(f"Đã tạo tài khoản / account created: {escape(created.account.username)} ({created.account.role})")
    if created.otpauth_uri:
        out.print("Xác thực hai lớp / second factor (add to an authenticator app, shown once):")
        out.print(escape(created.otpauth_uri), soft_wrap=True)
        out.print("Mã khôi phục / recovery codes (each works once, shown once):")
        for code in created.recovery_codes:
            out.print(f"  {code}")


@app.command("reset-second-factor")
def reset_second_factor(username: str, database: DatabaseOpt = DEFAULT_DATABASE) -> None:
    """A new authenticator secret and recovery codes for someone who lost their phone (shown once, now); their
    sessions end. Audited."""
    with wiring.accounts(database) as book:
        made = book.reset_second_factor(username, _ACTOR)
    out.print(f"Xác thực hai lớp mới / new second factor for {escape(username)} (shown once):")
    out.print(escape(made.otpauth_uri or ""), soft_wrap=True)
    for code in made.recovery_codes:
        out.print(f"  {code}")


@app.command("link-identity")
def link_identity(
    username: str,
    subject: Annotated[str, typer.Argument(help="The account's subject (`sub`) at the identity provider")],
    issuer: Annotated[
        str | None, typer.Option("--issuer", help="The identity provider (default: HOCBA_OIDC_ISSUER)")
    ] = None,
    database: DatabaseOpt = DEFAULT_DATABASE,
) -> None:
    """Let an account at the school's identity provider open this account (audited). Staff can also link their
    own, signed in, with `POST /v1/auth/oidc/link`."""
    provider = (issuer or wiring.settings().oidc_issuer or "").rstrip("/")
    if not provider:
        raise FederationOffError()
    with wiring.accounts(database) as book:
        book.link_identity(username, Identity(provider, subject), _ACTOR)
    out.print(f"Đã gắn / linked: {escape(subject)} @ {escape(provider)} → {escape(username)}")


@app.command("unlink-identity")
def unlink_identity(username: str, database: DatabaseOpt = DEFAULT_DATABASE) -> None:
    """Stop every identity at the provider from opening this account (audited)."""
    with wiring.accounts(database) as book:
        gone = book.unlink_identities(username, _ACTOR)
    out.print(f"Đã gỡ / unlinked: {gone} ({escape(username)})")


@app.command("disable")
def disable(username: str, database: DatabaseOpt = DEFAULT_DATABASE) -> None:
    """Disable an account and end its sessions (kept, never deleted: its actions keep naming it)."""
    with wiring.accounts(database) as book:
        book.disable(username, _ACTOR)
    out.print(f"Đã khoá / disabled: {escape(username)}")


@app.command("list")
def list_cmd(
    school: Annotated[str | None, typer.Option("--school", help="Only this school's accounts")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    database: DatabaseOpt = DEFAULT_DATABASE,
) -> None:
    """The accounts, with their role, links and status."""
    with wiring.accounts(database) as book:
        found = book.accounts(school)
    if as_json:
        rows = [
            {
                "username": a.username,
                "role": a.role.value,
                "school": a.school_code,
                "staff": a.staff_id,
                "student": a.student_id,
                "relationship": a.relationship,
                "province": a.province,
                "status": a.status.value,
            }
            for a in found
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("username", "role", "school", "link", "status")
    for a in found:
        link = a.staff_id or a.student_id or a.province or ""
        table.add_row(escape(a.username), a.role.value, a.school_code or "", escape(link), a.status.value)
    out.print(table)

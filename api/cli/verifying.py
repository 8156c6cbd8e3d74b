"""`hocba verify`: is this học bạ genuine? Vietnamese by default. Exit 0 genuine, 1 not, 2 unreadable."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from archive import DocumentVersion
from records import HocbaError, write_atomic
from signer import DocumentCheck, VerifyPolicy, load_roots
from signer import etsi_report as build_etsi_report
from signer.evidence import EvidenceCheck
from templates import VIETNAM
from workflows.verifying import check_evidence, evidence_check_json, read_bounded, verify_with_archive

from .. import wiring
from ..reports import check_as_json
from .console import EXIT_BAD_INPUT, EXIT_NOT_GENUINE, EXIT_OK, err, out
from .errors import exit_code_for


class Lang(StrEnum):
    VI = "vi"
    EN = "en"


WORDS = {
    "vi": {
        "yes": "có",
        "no": "không",
        "field": "Trường",
        "signer": "Người ký",
        "role": "Vai trò",
        "ts": "Dấu thời gian",
        "intact": "Toàn vẹn",
        "valid": "Hợp lệ",
        "trusted": "Tin cậy",
        "revocation": "Thu hồi",
        "level": "Mức PAdES",
        "changes": "Sửa đổi sau ký",
        "plan": "Đủ chữ ký theo kế hoạch",
        "sealed": "Đã đóng dấu",
        "lta": "Dấu thời gian lưu trữ",
        "indication": "Chỉ báo (ETSI)",
        "TOTAL-PASSED": "đạt",
        "TOTAL-FAILED": "không đạt",
        "INDETERMINATE": "không xác định",
        "state": "Trạng thái",
        "remaining": "còn chờ",
        "state_unsigned": "chưa ký",
        "state_in_progress": "đang ký",
        "state_complete": "đã đủ chữ ký, chờ đóng dấu",
        "state_sealed": "đã đóng dấu",
        "state_unknown": "không rõ (không có kế hoạch ký)",
        "genuine": "HỢP LỆ: mọi chữ ký toàn vẹn, hợp lệ và tin cậy",
        "not_genuine": "KHÔNG HỢP LỆ",
        "indeterminate": "KHÔNG KIỂM TRA ĐƯỢC: chưa thể kết luận tài liệu hợp lệ",
    },
    "en": {
        "yes": "yes",
        "no": "no",
        "field": "Field",
        "signer": "Signer",
        "role": "Role",
        "ts": "Timestamp",
        "intact": "Intact",
        "valid": "Valid",
        "trusted": "Trusted",
        "revocation": "Revocation",
        "level": "PAdES level",
        "changes": "Changes after signing",
        "plan": "Plan complete",
        "sealed": "Sealed",
        "lta": "Archive timestamp",
        "indication": "Indication (ETSI)",
        "TOTAL-PASSED": "passed",
        "TOTAL-FAILED": "failed",
        "INDETERMINATE": "indeterminate",
        "state": "State",
        "remaining": "waiting for",
        "state_unsigned": "not signed",
        "state_in_progress": "signing in progress",
        "state_complete": "every signature made, waiting for the seal",
        "state_sealed": "sealed",
        "state_unknown": "unknown (no signing plan)",
        "genuine": "GENUINE: every signature intact, valid and trusted",
        "not_genuine": "NOT GENUINE",
        "indeterminate": "COULD NOT BE CHECKED: the document cannot be confirmed genuine",
    },
}


def _yes(value: bool, w: dict[str, str]) -> str:
    return f"[green]{w['yes']}[/green]" if value else f"[red]{w['no']}[/red]"


def _show(result: DocumentCheck, lang: str) -> None:
    w = WORDS[lang]
    table = Table(show_lines=False)
    columns = ("field", "signer", "role", "ts", "intact", "valid", "trusted", "revocation", "level", "changes")
    for column in (*columns, "indication"):
        table.add_column(w[column])
    for s in result.signatures:
        proven = s.timestamp_time.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M:%S (GMT+7)") if s.timestamp_time else "—"
        table.add_row(
            s.field,
            s.signer,
            s.role,
            proven,
            _yes(s.intact, w),
            _yes(s.valid, w),
            _yes(s.trusted, w),
            s.revocation,
            s.pades_level,
            s.modification,
            w[s.indication] + (f"\n{s.sub_indication}" if s.sub_indication else ""),
        )
    out.print(table)
    out.print(
        f"{w['plan']}: {_yes(result.plan_complete, w)} · {w['sealed']}: {_yes(result.sealed, w)} · "
        f"{w['lta']}: {_yes(result.lta, w)} · PDF/A: {result.pdfa or '—'}"
    )
    waiting = f" ({w['remaining']}: {', '.join(result.remaining)})" if result.remaining else ""
    out.print(f"{w['state']}: {w['state_' + result.state]}{waiting}")
    index = 0 if lang == "vi" else 1
    for s in result.signatures:
        for note in s.notes:
            out.print(f"[yellow]{escape(s.field)}: {escape(note[index])}[/yellow]")
        for problem in s.problems:
            out.print(f"[red]{escape(s.field)}: {escape(problem[index])}[/red]")
    for problem in result.problems:
        out.print(f"[red]{escape(problem[index])}[/red]")
    colour = "bold" if result.verdict == "genuine" else "bold red"
    out.print(f"[{colour}]{w[result.verdict]}[/{colour}]")


def _refuse(
    document: Path, code: str, message_vi: str, message_en: str, as_json: bool, exit_code: int = EXIT_BAD_INPUT
) -> NoReturn:
    """A file that cannot be verified at all (exit 2), or an archive that cannot be asked (exit 1): the code and
    both messages, as one JSON document with --json."""
    if as_json:
        error = {"code": code, "message_vi": message_vi, "message_en": message_en, "file": str(document)}
        verdict = "unreadable" if exit_code == EXIT_BAD_INPUT else "error"
        sys.stdout.write(json.dumps({"ok": False, "verdict": verdict, "error": error}, ensure_ascii=False) + "\n")
    else:
        err.print(f"[red]{escape(str(document))}: {escape(message_vi)}[/red] [dim]({code})[/dim]")
        err.print(f"    [dim]{escape(message_en)}[/dim]")
    raise typer.Exit(exit_code)


def verify_cmd(
    document: Annotated[Path, typer.Argument(help="The học bạ (or a copy) to check")],
    trust: Annotated[list[Path], typer.Option("--trust", help="Trusted root certificate(s)")] = [],  # noqa: B006
    offline: Annotated[
        bool, typer.Option("--offline", help="Use only the validation data inside the document")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    lang: Annotated[Lang, typer.Option("--lang")] = Lang.VI,
    etsi_report: Annotated[
        Path | None,
        typer.Option("--etsi-report", help="Also write the ETSI TS 119 102-2 validation report (XML) here"),
    ] = None,
    database: Annotated[
        str | None, typer.Option("--database", help="Also report what the archive knows (sealed, superseded)")
    ] = None,
    evidence: Annotated[
        Path | None,
        typer.Option("--evidence", help="Also check this evidence record (RFC 4998, .ers) of the document"),
    ] = None,
) -> None:
    """Check every signature and the archive timestamp of a học bạ (and, with --evidence, the record that keeps
    a PDF/A-1b book's proof)."""
    trust = trust or list(wiring.settings().trust_roots)
    if not trust:
        _refuse(
            document,
            "verify.no_trust",
            "Cần ít nhất một --trust ROOT.pem (hoặc HOCBA_TRUST)",
            "At least one --trust ROOT.pem (or HOCBA_TRUST) is needed",
            as_json,
        )
    policy = VerifyPolicy(fetch_timeout=wiring.settings().fetch_timeout)
    try:
        data = read_bounded(document, policy)
        roots = list(load_roots(trust))
        known = partial(wiring.sealed_version, database) if database else None
        verification = verify_with_archive(data, roots, offline, policy, known)
        proof = check_evidence(evidence, data, roots) if evidence is not None else None
        if etsi_report is not None:
            write_atomic(etsi_report, build_etsi_report(data, roots, offline, policy).encode())
    except OSError as exc:
        _refuse(
            document,
            "file.unreadable",
            f"Không đọc được tệp: {exc.strerror}",
            f"Cannot read the file: {exc.strerror}",
            as_json,
        )
    except HocbaError as exc:
        _refuse(document, exc.code, exc.message_vi, exc.message_en, as_json, exit_code_for(exc))
    result = verification.check
    archived = _archived(verification.archived) if database else None
    if as_json:
        payload = check_as_json(result) | ({"archive": archived} if database else {})
        if proof is not None:
            payload["evidence"] = evidence_check_json(proof)
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        _show(result, lang.value)
        if database:
            _show_archived(archived, lang.value)
        if proof is not None:
            _show_evidence(proof, lang.value)
    proven = proof is None or proof.proven
    raise typer.Exit(EXIT_OK if result.ok and proven else EXIT_NOT_GENUINE)


_EVIDENCE = {
    "proven": (
        "Hồ sơ bằng chứng: tài liệu đã tồn tại, nguyên vẹn, từ",
        "Evidence record: the document existed, unchanged, since",
    ),
    "altered": ("Hồ sơ bằng chứng KHÔNG khớp tài liệu", "The evidence record does NOT match the document"),
    "invalid": ("Hồ sơ bằng chứng có dấu thời gian không hợp lệ", "The evidence record has an invalid timestamp"),
    "unchecked": ("Không kiểm tra được hồ sơ bằng chứng", "The evidence record could not be checked"),
}


def _show_evidence(proof: EvidenceCheck, lang: str) -> None:
    vi, en = _EVIDENCE[proof.outcome]
    text = vi if lang == "vi" else en
    colour = "green" if proof.proven else "red" if proof.outcome in ("altered", "invalid") else "yellow"
    when = f" {proof.existed_at.astimezone(VIETNAM):%d/%m/%Y %H:%M}" if proof.proven and proof.existed_at else ""
    out.print(f"[{colour}]{escape(text)}{when}[/{colour}]")
    for problem in proof.problems:
        out.print(f"    [dim]{escape(problem)}[/dim]")


def _archived(found: DocumentVersion | None) -> dict[str, Any] | None:
    """The archive's record of exactly these bytes: its version and whether a correction superseded it."""
    if found is None:
        return None
    return {
        "document_id": found.document_id,
        "version": found.version,
        "status": found.status.value,
        "superseded_by": found.superseded_by,
    }


def _show_archived(archived: dict[str, Any] | None, lang: str) -> None:
    vi = lang == "vi"
    if archived is None:
        out.print("[yellow]" + ("Không có trong kho lưu trữ" if vi else "Not in the archive") + "[/yellow]")
    elif archived["status"] == "superseded":
        out.print(
            "[bold yellow]"
            + (
                f"ĐÃ BỊ THAY THẾ: phiên bản {archived['version']} đã được điều chỉnh bởi phiên bản "
                f"{archived['superseded_by']}"
                if vi
                else f"SUPERSEDED: version {archived['version']} was corrected by version {archived['superseded_by']}"
            )
            + "[/bold yellow]"
        )
    else:
        out.print(
            f"{'Lưu trữ' if vi else 'Archive'}: {archived['document_id']} v{archived['version']} ({archived['status']})"
        )

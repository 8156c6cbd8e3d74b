"""Whether the signatures a book carries are the ones its plan asks for: each plan field signed by the person (or,
for the seal, the organisation) the plan names, and no group signed before the groups that come first. A
cryptographically sound signature by the wrong person, or out of order, does not make a book genuine."""

from __future__ import annotations

from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from records import Role, SigningPlan

from .checks import common_name, is_organisation_certificate, same_person

Message = tuple[str, str]


def _signer_problem(sig: EmbeddedPdfSignature, plan: SigningPlan) -> Message | None:
    entry = plan.entry(sig.field_name)
    cert = sig.signer_cert
    name = common_name(cert)
    organisation = is_organisation_certificate(cert)
    if organisation == (entry.role is Role.SCHOOL_SEAL) and same_person(name, entry.signer_name):
        return None
    return (
        f"Trường '{entry.field}' ({entry.label}) được ký bởi '{name}', không phải {entry.signer_name}",
        f"Field '{entry.field}' ({entry.label}) is signed by '{name}', not by {entry.signer_name}",
    )


def plan_problems(signatures: list[EmbeddedPdfSignature], plan: SigningPlan | None) -> list[Message]:
    """What in the signatures contradicts the plan (nothing to say without a plan)."""
    if plan is None:
        return []
    problems: list[Message] = []
    planned = [s for s in signatures if s.sig_object_type == "/Sig" and s.field_name in plan.fields()]
    revision = {s.field_name: s.signed_revision for s in planned}
    for sig in planned:
        found = _signer_problem(sig, plan)
        if found:
            problems.append(found)
        group = plan.entry(sig.field_name).group
        early = [
            e.field
            for e in plan.entries
            if e.group < group and (e.field not in revision or revision[e.field] > sig.signed_revision)
        ]
        if early:
            problems.append(
                (
                    f"Trường '{sig.field_name}' được ký trước khi {', '.join(early)} ký xong",
                    f"Field '{sig.field_name}' was signed before {', '.join(early)}",
                )
            )
    return problems

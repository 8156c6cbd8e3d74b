"""Schemathesis over the service's OpenAPI description: generated requests to every operation, as a role the
operation allows, find no server error and no answer that breaks the schema the description gives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.settings import Settings
from archive import Role

from .http_fixtures import Site, open_site
from .signing_fixtures import School

EXAMPLES = 20
"""Generated requests per operation."""


@pytest.fixture(scope="module")
def schema_site(school: School, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("schema")
    configured = Settings(
        database=f"sqlite:///{folder / 'hocba.db'}",
        storage=f"file://{folder / 'objects'}",
        trust_roots=(school.folder / "root.pem",),
        exports=folder / "exports",
        public_rate=100_000,
    )
    with open_site(school, configured) as site:
        yield site


def _role_for(access: Any) -> Role | None:
    """A role the operation allows (its `x-hocba-access`): the broadest-reaching one."""
    if not isinstance(access, dict):
        return None
    for role in (Role.PRINCIPAL, Role.ARCHIVIST, Role.CLERK, Role.ADMIN, Role.TEACHER, Role.SUPERVISOR, Role.STUDENT):
        if role.value in access:
            return role
    return None


def test_no_server_error_and_no_answer_outside_the_schema(schema_site: Site) -> None:
    api = schemathesis.openapi.from_asgi("/v1/openapi.json", schema_site.client.app)
    results = list(api.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), "every operation's description is valid"
    assert len(operations) >= 25
    calls = [_fuzz(schema_site, operation) for operation in operations]
    assert min(calls) >= 1 and sum(calls) >= len(operations) * 5, calls


def _fuzz(site: Site, operation: Any) -> int:
    """Run the generated requests of one operation; how many were made."""
    made = []

    role = _role_for(operation.definition.raw.get("x-hocba-access"))

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case: Any) -> None:
        headers = site.as_role(role) if role is not None else {}
        case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])
        made.append(case)

    run()
    return len(made)

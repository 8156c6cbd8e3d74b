"""docs/api.md shows the access table as the service enforces it."""

from __future__ import annotations

from pathlib import Path

from api.http.access import RULES, Scope
from archive import Role

DOC = Path(__file__).parent.parent / "docs" / "api.md"


def test_the_documented_access_table_is_the_enforced_one() -> None:
    text = DOC.read_text(encoding="utf-8")
    roles = list(Role)
    assert "| rule | " + " | ".join(r.value for r in roles) + " |" in text
    for rule, row in RULES.items():
        cells = [row.value if isinstance(row, Scope) else (row[r].value if r in row else "—") for r in roles]
        assert f"| `{rule}` | " + " | ".join(cells) + " |" in text, rule

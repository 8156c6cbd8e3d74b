"""Two-phase signing sessions in the metadata database (signer's `SessionStore` port): what `prepare` laid out,
read back by `complete` on any host that shares the database."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select

from ._sql import SqlBase
from .tables import signing_session_states


class SqlSessionStore(SqlBase):
    def save(self, session_id: str, state: dict[str, Any], blobs: dict[str, bytes]) -> None:
        payload = json.dumps({"state": state, "blobs": {k: base64.b64encode(v).decode() for k, v in blobs.items()}})
        with self._tx() as conn:
            conn.execute(delete(signing_session_states).where(signing_session_states.c.id == session_id))
            conn.execute(
                insert(signing_session_states).values(id=session_id, payload=payload, created_at=datetime.now(UTC))
            )

    def load(self, session_id: str) -> tuple[dict[str, Any], dict[str, bytes]]:
        """The session's state and blobs; `KeyError` when there is none (never prepared, completed, or expired
        and removed)."""
        with self._tx() as conn:
            row = conn.execute(
                select(signing_session_states.c.payload).where(signing_session_states.c.id == session_id)
            ).first()
        if row is None:
            raise KeyError(session_id)
        data = json.loads(row[0])
        return data["state"], {k: base64.b64decode(v) for k, v in data["blobs"].items()}

    def delete(self, session_id: str) -> None:
        with self._tx() as conn:
            conn.execute(delete(signing_session_states).where(signing_session_states.c.id == session_id))

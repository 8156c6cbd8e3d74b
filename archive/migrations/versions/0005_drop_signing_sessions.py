"""Drop `signing_sessions`: planned for two-phase signatures, never written; the sessions live in
`signing_session_states` (0004).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("signing_sessions")


def downgrade() -> None:
    op.create_table(
        "signing_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("document_version_id", sa.Integer, sa.ForeignKey("document_versions.id"), nullable=False),
        sa.Column("field", sa.String(128), nullable=False),
        sa.Column("signer_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
    )

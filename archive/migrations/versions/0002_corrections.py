"""Corrections: request, decision, witness, and the links to the corrected book and its minutes.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "corrections",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("document_id", sa.String(32), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("changes", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("requester_id", sa.String(64), nullable=False),
        sa.Column("witness_id", sa.String(64), nullable=False),
        sa.Column("principal_id", sa.String(64)),
        sa.Column("refusal", sa.Text),
        sa.Column("record_json", sa.Text),
        sa.Column("minutes_document_id", sa.String(32)),
        sa.Column("requested_at", Stamp, nullable=False),
        sa.Column("decided_at", Stamp),
        sa.Column("witnessed_at", Stamp),
    )


def downgrade() -> None:
    op.drop_table("corrections")

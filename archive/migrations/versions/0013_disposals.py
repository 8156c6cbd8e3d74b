"""Disposition: proposals of objects whose retention ended, the principal's decisions, what was deleted, and
the certificate of destruction of each disposal.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "disposals",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("school_code", sa.String(32), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("proposed_by", sa.String(64), nullable=False),
        sa.Column("proposed_at", _STAMP, nullable=False),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("decided_at", _STAMP),
        sa.Column("decision_reason", sa.Text),
        sa.Column("done_at", _STAMP),
        sa.Column("certificate_key", sa.Text),
        sa.Column("certificate_sha256", sa.String(64)),
    )
    op.create_table(
        "disposal_items",
        sa.Column("disposal_id", sa.String(32), sa.ForeignKey("disposals.id"), primary_key=True),
        sa.Column("object_key", sa.Text, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("document_id", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("policy_id", sa.String(64), nullable=False),
        sa.Column("ended_at", _STAMP, nullable=False),
        sa.Column("deleted_at", _STAMP),
        sa.Column("note", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("disposal_items")
    op.drop_table("disposals")

"""Renewals of sealed books' archive timestamps: the objects each renewal replaced as the version's sealed book.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "renewals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_version_id", sa.Integer, sa.ForeignKey("document_versions.id"), nullable=False, index=True),
        sa.Column("previous_key", sa.Text, nullable=False),
        sa.Column("previous_sha256", sa.String(64), nullable=False, index=True),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("renewed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("renewals")

"""The copy register (sổ cấp bản sao): every request for a certified copy, how it was decided, and the running
number of each school's copies per calendar year.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "copy_requests",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("school_code", sa.String(32), nullable=False),
        sa.Column("document_id", sa.String(32), nullable=False),
        sa.Column("form", sa.String(16), nullable=False),
        sa.Column("pages", sa.Text, nullable=False),
        sa.Column("asker", sa.Text, nullable=False),
        sa.Column("account", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer),
        sa.Column("number", sa.Integer),
        sa.Column("number_year", sa.Integer),
        sa.Column("number_text", sa.String(64)),
        sa.Column("copy_id", sa.String(32)),
        sa.Column("signer_id", sa.String(64)),
        sa.Column("reason", sa.Text),
        sa.Column("delivery", sa.String(16)),
        sa.Column("requested_at", _STAMP, nullable=False),
        sa.Column("checked_at", _STAMP),
        sa.Column("decided_at", _STAMP),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("revoked_at", _STAMP),
        sa.Column("delivered_at", _STAMP),
        sa.UniqueConstraint("school_code", "number_year", "number"),
    )
    op.create_index("ix_copy_requests_document_id", "copy_requests", ["document_id"])
    op.create_table(
        "copy_numbers",
        sa.Column("school_code", sa.String(32), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("copy_numbers")
    op.drop_index("ix_copy_requests_document_id", "copy_requests")
    op.drop_table("copy_requests")

"""Legal holds: what the archivist holds back from disposal, on a book, a student, a class or a school year.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("school_code", sa.String(32), nullable=False, index=True),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("document_id", sa.String(32)),
        sa.Column("student_id", sa.String(64)),
        sa.Column("school_year", sa.String(9)),
        sa.Column("class_name", sa.String(32)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("placed_by", sa.String(64), nullable=False),
        sa.Column("placed_at", _STAMP, nullable=False),
        sa.Column("release_reason", sa.Text),
        sa.Column("release_asked_by", sa.String(64)),
        sa.Column("release_asked_at", _STAMP),
        sa.Column("released_by", sa.String(64)),
        sa.Column("released_at", _STAMP),
    )


def downgrade() -> None:
    op.drop_table("legal_holds")

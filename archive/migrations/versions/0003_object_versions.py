"""Object versions: the storage version id of every object the archive wrote, so that reads take exactly that
version and a version written beside it (S3 object lock protects versions, not keys) is seen as tampering.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "object_versions",
        sa.Column("object_key", sa.Text, primary_key=True),
        sa.Column("version_id", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("object_versions")

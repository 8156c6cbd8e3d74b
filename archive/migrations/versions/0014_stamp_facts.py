"""Each sealed version's last archive timestamp (how many, until when its TSA's certificate is valid, its digest), so
that the yearly renewal run finds what is due by a query. Versions sealed before stay null and are read once, by
the next run.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("document_versions", sa.Column("stamp_count", sa.Integer))
    op.add_column("document_versions", sa.Column("stamp_until", sa.DateTime(timezone=True)))
    op.add_column("document_versions", sa.Column("stamp_digest", sa.String(16)))


def downgrade() -> None:
    with op.batch_alter_table("document_versions") as batch:
        batch.drop_column("stamp_digest")
        batch.drop_column("stamp_until")
        batch.drop_column("stamp_count")

"""Each book's district, so that the province sees its progress by district (filled in from the stored records
for books registered before); and what a running job waits for outside (a signer's answer on the phone).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("district", sa.Text))
    op.add_column("jobs", sa.Column("waiting", sa.String(32)))
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT v.document_id, r.record_json FROM document_versions v "
            "JOIN record_versions r ON r.id = v.record_version_id WHERE v.version = 1"
        )
    ).fetchall()
    for document_id, record_json in rows:
        school = json.loads(record_json).get("school") or {}
        if school.get("district"):
            conn.execute(
                sa.text("UPDATE documents SET district = :x WHERE id = :d"),
                {"x": school["district"], "d": document_id},
            )


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("waiting")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("district")

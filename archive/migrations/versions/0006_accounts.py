"""Accounts, login throttling and access tokens; each book's class, province and plan staff, so that lists are
filtered and scoped in SQL (filled in from the stored records for books registered before).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("school_code", sa.String(32)),
        sa.Column("staff_id", sa.String(64)),
        sa.Column("student_id", sa.String(64)),
        sa.Column("relationship", sa.String(64)),
        sa.Column("province", sa.Text),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("totp_secret", sa.Text),
        sa.Column("totp_step", sa.BigInteger),
        sa.Column("recovery_codes", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _STAMP, nullable=False),
        sa.Column("disabled_at", _STAMP),
    )
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("first_at", _STAMP, nullable=False),
        sa.Column("blocked_until", _STAMP),
    )
    op.create_table(
        "access_tokens",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), sa.ForeignKey("accounts.username"), nullable=False),
        sa.Column("issued_at", _STAMP, nullable=False),
        sa.Column("expires_at", _STAMP, nullable=False),
        sa.Column("revoked_at", _STAMP),
    )

    op.add_column("documents", sa.Column("class_name", sa.String(32)))
    op.add_column("documents", sa.Column("province", sa.Text))
    op.create_table(
        "document_staff",
        sa.Column("document_id", sa.String(32), sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("staff_id", sa.String(64), primary_key=True),
    )
    _fill_book_index()


def _fill_book_index() -> None:
    """Each registered book's class, province and staff, read from the record of its first version."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT v.document_id, r.record_json FROM document_versions v "
            "JOIN record_versions r ON r.id = v.record_version_id WHERE v.version = 1"
        )
    ).fetchall()
    for document_id, record_json in rows:
        record = json.loads(record_json)
        school = record.get("school") or {}
        conn.execute(
            sa.text("UPDATE documents SET class_name = :c, province = :p WHERE id = :d"),
            {"c": record.get("class_name"), "p": school.get("province"), "d": document_id},
        )
        for staff_id in sorted({member["id"] for member in record.get("staff") or () if "id" in member}):
            conn.execute(
                sa.text("INSERT INTO document_staff (document_id, staff_id) VALUES (:d, :s)"),
                {"d": document_id, "s": staff_id},
            )


def downgrade() -> None:
    op.drop_table("document_staff")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("province")
        batch.drop_column("class_name")
    op.drop_table("access_tokens")
    op.drop_table("login_failures")
    op.drop_table("accounts")

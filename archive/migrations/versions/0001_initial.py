"""The initial archive schema: schools, staff, students, records, documents, revisions, sessions, retention,
and the append-only audit trail with its anchors.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS = "0" * 64
APPEND_ONLY = ("audit_events", "audit_anchors")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "schools",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
    )
    op.create_table(
        "staff",
        sa.Column("school_code", sa.String(32), sa.ForeignKey("schools.code"), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("left_at", Stamp),
        sa.Column("created_at", Stamp, nullable=False),
    )
    op.create_table(
        "students",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("school_code", sa.String(32), sa.ForeignKey("schools.code"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
    )
    op.create_table(
        "record_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("student_id", sa.String(64), sa.ForeignKey("students.id"), nullable=False),
        sa.Column("school_year", sa.String(9), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("record_json", sa.Text, nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.UniqueConstraint("student_id", "school_year", "version"),
        sa.UniqueConstraint("content_hash"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("school_code", sa.String(32), sa.ForeignKey("schools.code"), nullable=False),
        sa.Column("student_id", sa.String(64), sa.ForeignKey("students.id"), nullable=False),
        sa.Column("school_year", sa.String(9), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
    )
    op.create_table(
        "document_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.String(32), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("record_version_id", sa.Integer, sa.ForeignKey("record_versions.id")),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("head_sha256", sa.String(64), nullable=False),
        sa.Column("revision_count", sa.Integer, nullable=False),
        sa.Column("sealed_key", sa.Text),
        sa.Column("sealed_sha256", sa.String(64)),
        sa.Column("sealed_at", Stamp),
        sa.Column("superseded_by", sa.Integer, sa.ForeignKey("document_versions.id")),
        sa.Column("created_at", Stamp, nullable=False),
        sa.UniqueConstraint("document_id", "version"),
    )
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_version_id", sa.Integer, sa.ForeignKey("document_versions.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("parent_sha256", sa.String(64)),
        sa.Column("object_key", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("field", sa.String(128)),
        sa.Column("signer_id", sa.String(64)),
        sa.Column("created_at", Stamp, nullable=False),
        sa.UniqueConstraint("document_version_id", "seq"),
    )
    op.create_table(
        "signing_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("document_version_id", sa.Integer, sa.ForeignKey("document_versions.id"), nullable=False),
        sa.Column("field", sa.String(128), nullable=False),
        sa.Column("signer_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("expires_at", Stamp, nullable=False),
        sa.Column("completed_at", Stamp),
    )
    op.create_table(
        "retention_assignments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("object_key", sa.Text, nullable=False),
        sa.Column("policy_id", sa.String(64), nullable=False),
        sa.Column("retain_until", Stamp, nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("legal_hold", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("assigned_at", Stamp, nullable=False),
    )
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("refs", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "audit_anchors",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("head_seq", sa.BigInteger, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("object_key", sa.Text, nullable=False),
        sa.Column("timestamp_token", sa.LargeBinary),
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    _append_only()


def _append_only() -> None:
    """The database itself refuses to change or remove audit history, whoever asks."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION hocba_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'hocba: % is append-only (% refused)', TG_TABLE_NAME, TG_OP "
            "USING ERRCODE = 'insufficient_privilege'; END $$"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION hocba_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION hocba_append_only()"
            )
        return
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'hocba: {table} is append-only ({verb} refused)'); END"
            )


def downgrade() -> None:
    raise NotImplementedError("the audit trail is never dropped")

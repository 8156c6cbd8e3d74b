"""The metadata database's tables (SQLAlchemy Core). The migrations in `archive/migrations` create exactly these;
a test compares the two.

Times that enter a hash (audit events, anchors) are stored as canonical UTC text so that SQLite and PostgreSQL
give back the very characters that were hashed. Other times are timezone-aware timestamps.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ix": "ix_%(table_name)s_%(column_0_name)s",
    }
)

Stamp = DateTime(timezone=True)

schools = Table(
    "schools",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("created_at", Stamp, nullable=False),
)

staff = Table(
    "staff",
    metadata,
    Column("school_code", ForeignKey("schools.code"), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", String(64), nullable=False),
    # Staff are never deleted: someone who left keeps the signatures they made.
    Column("status", String(16), nullable=False, server_default="active"),
    Column("left_at", Stamp),
    Column("created_at", Stamp, nullable=False),
)

students = Table(
    "students",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("school_code", ForeignKey("schools.code"), nullable=False),
    Column("name", Text, nullable=False),
    Column("created_at", Stamp, nullable=False),
)

record_versions = Table(
    "record_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("student_id", ForeignKey("students.id"), nullable=False),
    Column("school_year", String(9), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("record_json", Text, nullable=False),
    Column("created_at", Stamp, nullable=False),
    UniqueConstraint("student_id", "school_year", "version"),
    UniqueConstraint("content_hash"),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("school_code", ForeignKey("schools.code"), nullable=False),
    Column("student_id", ForeignKey("students.id"), nullable=False),
    Column("school_year", String(9), nullable=False),
    Column("created_at", Stamp, nullable=False),
    # Copied from the record when the book is registered, so that lists filter and scope in SQL.
    Column("class_name", String(32)),
    Column("province", Text),
    Column("district", Text),
)

# The staff a book's signing plan names: the teachers of its rows, its homeroom teacher, its principal.
document_staff = Table(
    "document_staff",
    metadata,
    Column("document_id", ForeignKey("documents.id"), primary_key=True),
    Column("staff_id", String(64), primary_key=True),
)

document_versions = Table(
    "document_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", ForeignKey("documents.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("record_version_id", ForeignKey("record_versions.id")),
    # signing → sealing (object being written) → sealed; sealed → superseded by a correction.
    Column("status", String(16), nullable=False),
    Column("head_sha256", String(64), nullable=False),
    Column("revision_count", Integer, nullable=False),
    Column("sealed_key", Text),
    Column("sealed_sha256", String(64)),
    Column("sealed_at", Stamp),
    Column("superseded_by", ForeignKey("document_versions.id")),
    Column("created_at", Stamp, nullable=False),
    # The sealed book's last archive timestamp (`StampFacts`); null until read (a version sealed before 0014).
    Column("stamp_count", Integer),
    Column("stamp_until", Stamp),
    Column("stamp_digest", String(16)),
    UniqueConstraint("document_id", "version"),
)

revisions = Table(
    "revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_version_id", ForeignKey("document_versions.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("parent_sha256", String(64)),
    Column("object_key", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("field", String(128)),
    Column("signer_id", String(64)),
    Column("created_at", Stamp, nullable=False),
    UniqueConstraint("document_version_id", "seq"),
)

# A prepared two-phase signature waiting for its signature value: state and blobs as JSON (base64 for bytes).
signing_session_states = Table(
    "signing_session_states",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("payload", Text, nullable=False),
    Column("created_at", Stamp, nullable=False),
)

retention_assignments = Table(
    "retention_assignments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("object_key", Text, nullable=False),
    Column("policy_id", String(64), nullable=False),
    Column("retain_until", Stamp, nullable=False),
    Column("mode", String(16), nullable=False),
    Column("legal_hold", Boolean, nullable=False, server_default="false"),
    Column("assigned_at", Stamp, nullable=False),
)

# The storage version id of each object the archive wrote (S3); a filesystem store has none.
object_versions = Table(
    "object_versions",
    metadata,
    Column("object_key", Text, primary_key=True),
    Column("version_id", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("recorded_at", Stamp, nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(64), nullable=False),
    Column("refs", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_anchors = Table(
    "audit_anchors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("head_seq", BigInteger, nullable=False),
    Column("head_hash", String(64), nullable=False),
    Column("at", String(32), nullable=False),
    Column("object_key", Text, nullable=False),
    Column("timestamp_token", LargeBinary),
)

# One row: the head of the audit chain, locked by every append so that appends are serial on every database.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

# A correction of a sealed book: request → approved (or refused) → witnessed; then the corrected book and the
# minutes go through signing, and sealing the corrected book supersedes the old version.
corrections = Table(
    "corrections",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("document_id", ForeignKey("documents.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("changes", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("requester_id", String(64), nullable=False),
    Column("witness_id", String(64), nullable=False),
    Column("principal_id", String(64)),
    Column("refusal", Text),
    Column("record_json", Text),
    Column("minutes_document_id", String(32)),
    Column("requested_at", Stamp, nullable=False),
    Column("decided_at", Stamp),
    Column("witnessed_at", Stamp),
)

# Accounts of people who use the service. Never deleted: a disabled account keeps naming its actions.
accounts = Table(
    "accounts",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("school_code", String(32)),
    Column("staff_id", String(64)),
    Column("student_id", String(64)),
    Column("relationship", String(64)),
    Column("province", Text),
    Column("password_hash", Text, nullable=False),
    Column("totp_secret", Text),
    # The last time step a second-factor code was accepted at (a code is never accepted twice).
    Column("totp_step", BigInteger),
    # sha256 of each unused recovery code, as a JSON list.
    Column("recovery_codes", Text),
    Column("status", String(16), nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("disabled_at", Stamp),
)

# Failed logins per account and per address, shared by every process of the service.
login_failures = Table(
    "login_failures",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("first_at", Stamp, nullable=False),
    Column("blocked_until", Stamp),
)

# Bearer tokens and page sessions, by the sha256 of the token (the token itself is never stored).
access_tokens = Table(
    "access_tokens",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("username", ForeignKey("accounts.username"), nullable=False),
    Column("issued_at", Stamp, nullable=False),
    Column("expires_at", Stamp, nullable=False),
    Column("revoked_at", Stamp),
)

# Long work (a sitting, a rendering, an export) as asked, where it stands and how it ended. A job is run again
# when its worker dies; `idempotency_key` makes asking twice start it once.
jobs = Table(
    "jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("account", String(64), nullable=False),
    Column("school_code", String(32)),
    Column("params", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("done", Integer, nullable=False),
    Column("total", Integer),
    Column("result", Text),
    Column("error", Text),
    Column("cancel_requested", Boolean, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("idempotency_key", String(128)),
    Column("created_at", Stamp, nullable=False),
    Column("started_at", Stamp),
    Column("finished_at", Stamp),
    Column("waiting", String(32)),
    UniqueConstraint("account", "idempotency_key"),
)

# The identity provider's accounts (OpenID Connect issuer and subject) that open a hocba account. An account
# links its own identity, signed in; a provider account opens at most one hocba account.
account_identities = Table(
    "account_identities",
    metadata,
    Column("issuer", String(255), primary_key=True),
    Column("subject", String(255), primary_key=True),
    Column("username", ForeignKey("accounts.username"), nullable=False, index=True),
    Column("linked_at", Stamp, nullable=False),
)

# Sign-ins through the identity provider under way, by the sha256 of their `state` (kept in the browser's
# cookie): what was asked, for whom, and the secrets that bind the provider's answer to this browser. Each is
# taken once; they last minutes.
sign_in_flows = Table(
    "sign_in_flows",
    metadata,
    Column("state_sha256", String(64), primary_key=True),
    Column("purpose", String(16), nullable=False),
    Column("username", String(64)),
    Column("nonce", String(64), nullable=False),
    Column("verifier", String(128), nullable=False),
    Column("next_path", Text, nullable=False),
    Column("expires_at", Stamp, nullable=False),
)

# The copy register (sổ cấp bản sao): each request for a certified copy and how it was decided. `asker` is JSON
# (who asked, their relationship, the identity document checked); `pages` the extract's pages (JSON list).
copy_requests = Table(
    "copy_requests",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("school_code", String(32), nullable=False),
    Column("document_id", String(32), nullable=False, index=True),
    Column("form", String(16), nullable=False),
    Column("pages", Text, nullable=False),
    Column("asker", Text, nullable=False),
    Column("account", String(64)),
    Column("status", String(16), nullable=False),
    Column("version", Integer),
    Column("number", Integer),
    Column("number_year", Integer),
    # As printed on the copy ("07/SY-THCSNT"), with the school's mark of that day.
    Column("number_text", String(64)),
    Column("copy_id", String(32)),
    Column("signer_id", String(64)),
    Column("reason", Text),
    Column("delivery", String(16)),
    Column("requested_at", Stamp, nullable=False),
    Column("checked_at", Stamp),
    Column("decided_at", Stamp),
    Column("decided_by", String(64)),
    Column("revoked_at", Stamp),
    Column("delivered_at", Stamp),
    UniqueConstraint("school_code", "number_year", "number"),
)

# One running number of copies per school and calendar year, across both forms (taken under the row's lock).
copy_numbers = Table(
    "copy_numbers",
    metadata,
    Column("school_code", String(32), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last", Integer, nullable=False),
)

# Legal holds: what an archivist holds back from disposal, and why; released by two people (one asks, another
# approves). The objects of the documents a hold covers carry the storage's legal hold while it is active.
legal_holds = Table(
    "legal_holds",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("school_code", String(32), nullable=False, index=True),
    Column("scope", String(16), nullable=False),
    Column("document_id", String(32)),
    Column("student_id", String(64)),
    Column("school_year", String(9)),
    Column("class_name", String(32)),
    Column("reason", Text, nullable=False),
    Column("reference", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("placed_by", String(64), nullable=False),
    Column("placed_at", Stamp, nullable=False),
    Column("release_reason", Text),
    Column("release_asked_by", String(64)),
    Column("release_asked_at", Stamp),
    Column("released_by", String(64)),
    Column("released_at", Stamp),
)

# Renewals of a sealed version's archive timestamp: each adds a new sealed object (the book plus the new
# timestamp, an incremental update) and the version points to it; the object before stays stored and locked, and
# its hash still names the version (a copy downloaded before the renewal is still recognised).
renewals = Table(
    "renewals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_version_id", ForeignKey("document_versions.id"), nullable=False, index=True),
    Column("previous_key", Text, nullable=False),
    Column("previous_sha256", String(64), nullable=False, index=True),
    Column("key", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("renewed_at", Stamp, nullable=False),
)

# Disposition: a proposal of objects whose retention ended, the principal's decision, and what was deleted; the
# certificate of destruction is a locked object of its own.
disposals = Table(
    "disposals",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("school_code", String(32), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("proposed_by", String(64), nullable=False),
    Column("proposed_at", Stamp, nullable=False),
    Column("decided_by", String(64)),
    Column("decided_at", Stamp),
    Column("decision_reason", Text),
    Column("done_at", Stamp),
    Column("certificate_key", Text),
    Column("certificate_sha256", String(64)),
)

disposal_items = Table(
    "disposal_items",
    metadata,
    Column("disposal_id", ForeignKey("disposals.id"), primary_key=True),
    Column("object_key", Text, primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("document_id", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("policy_id", String(64), nullable=False),
    Column("ended_at", Stamp, nullable=False),
    Column("deleted_at", Stamp),
    Column("note", Text),
)

"""The packages' public names are pinned: other packages may use these and nothing else."""

from __future__ import annotations

import ast
from pathlib import Path

import archive
import records
import records.adapters
import retention
import signer
import templates
import workflows
from devtools import pki


def test_records_public_names() -> None:
    assert sorted(records.__all__) == sorted(
        [
            "ARCHIVE_TIMESTAMP_FIELD",
            "CATALOGUE",
            "COPY_SIGNER_FIELD",
            "Asker",
            "Copy",
            "CopyForm",
            "CopySigner",
            "Requester",
            "asker_problem",
            "copy_number",
            "copy_plan",
            "due_on",
            "Change",
            "CorrectionRefusedError",
            "FORMAT",
            "FileReport",
            "HocbaError",
            "InvalidRecordError",
            "Minutes",
            "PlanEntry",
            "Problem",
            "Record",
            "RecordReport",
            "RecordsError",
            "Role",
            "Severity",
            "SigningPlan",
            "StaleRevisionError",
            "Subject",
            "TimestampUnavailableError",
            "apply_changes",
            "canonical_json",
            "check_people",
            "check_principal",
            "content_hash",
            "derive_learning",
            "dumps_jsonl",
            "error",
            "fsync_dir",
            "generate_sample",
            "json_schema",
            "load_file",
            "minutes_plan",
            "parse_bytes",
            "parse_value",
            "plan_changes",
            "put_in_place",
            "record_data",
            "register_wording",
            "signing_plan",
            "standard_subjects",
            "to_json",
            "to_xml",
            "validate_record",
            "warning",
            "wording",
            "write_atomic",
            "year_average",
        ]
    )
    for name in records.__all__:
        assert hasattr(records, name), name


def test_templates_public_names() -> None:
    assert sorted(templates.__all__) == sorted(
        [
            "DEFAULT_VERIFY_URL",
            "PIECE_KEY",
            "OriginalUnreadableError",
            "render_copy",
            "render_disposal_certificate",
            "render_register",
            "render_refusal",
            "SigningState",
            "VIETNAM",
            "FieldBox",
            "FontMissingError",
            "Identity",
            "LastSignature",
            "PdfaConformanceError",
            "PlanMissingError",
            "Profile",
            "RenderOptions",
            "RenderedDocument",
            "TemplatesError",
            "document_id",
            "parse_now",
            "read_identity",
            "read_plan",
            "read_signing_state",
            "render",
            "render_minutes",
            "render_plain",
        ]
    )
    for name in templates.__all__:
        assert hasattr(templates, name), name


def test_signer_and_pki_public_names() -> None:
    assert sorted(signer.__all__) == sorted(
        [
            "ARCHIVE_TIMESTAMP_FIELD",
            "ArchiveStamp",
            "last_archive_stamp",
            "Renewed",
            "DEFAULT_PKCS11_MODULE",
            "ConfirmAndPollApi",
            "ConfirmAndPollKeySource",
            "CscKeySource",
            "DocumentCheck",
            "ExternalSigning",
            "FileSessionStore",
            "KeyKind",
            "KeyReference",
            "KeySource",
            "Pkcs11KeySource",
            "Pkcs12KeySource",
            "PreparedSignature",
            "SecretLookup",
            "SessionStore",
            "SignatureCheck",
            "SignerError",
            "SigningPolicy",
            "SigningService",
            "UnreadableDocumentError",
            "VerifyPolicy",
            "errors",
            "etsi_report",
            "fingerprint",
            "install_speedups",
            "is_organisation_certificate",
            "load_roots",
            "next_field_for",
            "pdfa_part",
            "raw_signature",
            "same_person",
            "use_cache_dir",
            "verify",
        ]
    )
    assert sorted(pki.__all__) == sorted(
        [
            "DEV_PASSWORD",
            "DevPki",
            "PeopleFileError",
            "Person",
            "PkiError",
            "UnknownSignerError",
            "cert_label",
            "free_port",
            "init",
            "people_from_records",
            "people_from_staff",
            "revoke",
            "serve",
        ]
    )


def test_archive_and_retention_public_names() -> None:
    assert sorted(archive.__all__) == sorted(
        [
            "ANCHORS",
            "SECOND_FACTOR_ROLES",
            "Account",
            "AccountExistsError",
            "AccountInvalidError",
            "AccountStatus",
            "BookEntry",
            "BookQuery",
            "Role",
            "SqlAccounts",
            "SqlBookIndex",
            "UnknownAccountError",
            "link_problem",
            "FlowPurpose",
            "Identity",
            "IdentityTakenError",
            "SqlCopies",
            "PublicVersion",
            "PublicView",
            "CopyEntry",
            "CopyStatus",
            "CopyStateError",
            "UnknownCopyError",
            "IdentityProviderError",
            "IdentityRefusedError",
            "OidcProvider",
            "ProviderAnswer",
            "SignInFlow",
            "IdempotencyKeyReusedError",
            "Job",
            "JobStatus",
            "SqlJobs",
            "UnknownJobError",
            "DEFAULT_DATABASE",
            "DEFAULT_STORAGE",
            "STORAGE_SCHEMES",
            "GENESIS",
            "REVISIONS",
            "SEALED",
            "Anchor",
            "AnchorError",
            "ArchiveError",
            "ArchiveService",
            "BagInvalidError",
            "CorruptObjectError",
            "AuditEvent",
            "AuditReport",
            "BookFacts",
            "DocumentKind",
            "Break",
            "Catalog",
            "Clock",
            "Correction",
            "CorrectionStatus",
            "DatabaseConfigError",
            "DatabaseOutdatedError",
            "DatabaseUnavailableError",
            "DocumentStateError",
            "DocumentVersion",
            "ExportError",
            "FileStore",
            "FixityReport",
            "InvalidKeyError",
            "Lock",
            "LockMode",
            "ObjectExistsError",
            "ObjectLockedError",
            "ObjectMissingError",
            "ObjectStore",
            "ReconcileReport",
            "Renewal",
            "RetentionSummary",
            "Revision",
            "RfcTimestamper",
            "S3Store",
            "SchoolCounts",
            "SignedFields",
            "SqlHolds",
            "SqlDisposals",
            "Disposal",
            "DisposalItem",
            "DisposalStateError",
            "DisposalStatus",
            "UnknownDisposalError",
            "Hold",
            "HoldScope",
            "HoldStateError",
            "HoldStatus",
            "HoldTarget",
            "UnknownHoldError",
            "SqlCatalog",
            "SqlCorrections",
            "SqlSessionStore",
            "StaffFacts",
            "StampFacts",
            "StorageConfigError",
            "StorageUnavailableError",
            "StoredObject",
            "SystemClock",
            "Timestamper",
            "UnknownDocumentError",
            "VersionStatus",
            "check_bag",
            "check_token",
            "errors",
            "first_break",
            "database_backend",
            "open_database",
            "open_store",
            "upgrade_database",
            "revision_key",
            "schema_metadata",
            "sealed_key",
            "sha256_hex",
            "write_bag",
        ]
    )
    assert sorted(retention.__all__) == ["KINDS", "RetentionPolicy", "policies", "policy_for", "policy_named"]
    assert "build_records" in records.adapters.__all__


def test_errors_carry_stable_codes() -> None:
    assert archive.ObjectLockedError.code == "archive.object_locked"
    assert archive.StorageUnavailableError.retryable and not archive.ObjectLockedError.retryable
    assert records.InvalidRecordError([]).code == "records.invalid"
    assert templates.PdfaConformanceError("1b", ["x"]).code == "templates.pdfa_violation"
    assert templates.FontMissingError.code == "templates.font_missing"
    assert templates.PlanMissingError.code == "templates.plan_missing"


def test_error_codes_are_documented() -> None:
    text = (Path(__file__).parent.parent / "docs" / "error-codes.md").read_text(encoding="utf-8")
    for code in records.CATALOGUE:
        assert f"`{code}`" in text, code
    for name in dir(signer.errors):
        value = getattr(signer.errors, name)
        if isinstance(value, type) and issubclass(value, signer.SignerError) and value is not signer.SignerError:
            assert f"`{value.code}`" in text, value.code
    archive_errors = [getattr(archive.errors, n) for n in dir(archive.errors) if n.endswith("Error")]
    shared = [records.StaleRevisionError, records.TimestampUnavailableError]
    for error in archive_errors + shared:
        assert f"`{error.code}`" in text, error.code


def test_workflows_are_face_free_and_public_names_pinned() -> None:
    """The application layer imports no face (typer, rich, fastapi, the `api` package) and prints nothing."""
    assert sorted(workflows.__all__) == sorted(
        [
            "INDEX_COLUMNS",
            "AccountBook",
            "AuthenticationError",
            "JobStateError",
            "WorkerLostError",
            "FederatedSignIn",
            "FederationOffError",
            "CopyAskError",
            "copies",
            "Finished",
            "Started",
            "LoginPolicy",
            "NewAccount",
            "ThrottledError",
            "Token",
            "WeakPasswordError",
            "WorkflowError",
            "ClassImport",
            "Outcome",
            "Registered",
            "YearExport",
            "book_facts",
            "corrections",
            "export_year",
            "import_class",
            "keep_signature",
            "register_book",
            "rendering",
            "sign_and_archive",
            "sign_archived_sitting",
            "sign_into_archive",
            "sitting",
            "tune_collector",
            "verifying",
        ]
    )
    for path in (Path(__file__).parent.parent / "workflows").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            (node.module or "").split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert not imported & {"typer", "rich", "fastapi", "api"}, (path, imported)
        calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert not calls & {"print", "exit"}, path

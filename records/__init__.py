"""Record intake: the `hocba-record/1` format, its rules, samples and spreadsheet import.

Knows nothing of PDFs, keys or storage.
"""

from .copies import (
    COPY_SIGNER_FIELD,
    Asker,
    Copy,
    CopyForm,
    CopySigner,
    Requester,
    asker_problem,
    copy_number,
    copy_plan,
    due_on,
)
from .corrections import Change, Minutes, apply_changes, check_people, check_principal, parse_value, plan_changes
from .errors import (
    CorrectionRefusedError,
    HocbaError,
    InvalidRecordError,
    RecordsError,
    StaleRevisionError,
    TimestampUnavailableError,
    register_wording,
    wording,
)
from .export import canonical_json, content_hash, dumps_jsonl, record_data, to_json, to_xml
from .files import fsync_dir, put_in_place, write_atomic
from .model import FORMAT, Record, Subject
from .plan import ARCHIVE_TIMESTAMP_FIELD, PlanEntry, Role, SigningPlan, minutes_plan, signing_plan
from .problems import CATALOGUE, Problem, Severity, error, warning
from .rules import derive_learning, year_average
from .sample import generate as generate_sample
from .sample import standard_subjects
from .service import FileReport, RecordReport, json_schema, load_file, parse_bytes, validate_record

__all__ = [
    "ARCHIVE_TIMESTAMP_FIELD",
    "CATALOGUE",
    "COPY_SIGNER_FIELD",
    "FORMAT",
    "Asker",
    "Change",
    "Copy",
    "CopyForm",
    "CopySigner",
    "CorrectionRefusedError",
    "FileReport",
    "HocbaError",
    "InvalidRecordError",
    "Minutes",
    "PlanEntry",
    "Problem",
    "Record",
    "RecordReport",
    "RecordsError",
    "Requester",
    "Role",
    "Severity",
    "SigningPlan",
    "StaleRevisionError",
    "Subject",
    "TimestampUnavailableError",
    "apply_changes",
    "asker_problem",
    "canonical_json",
    "check_people",
    "check_principal",
    "content_hash",
    "copy_number",
    "copy_plan",
    "derive_learning",
    "due_on",
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

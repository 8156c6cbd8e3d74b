"""The application's use cases, face-free: each composes the domain packages and returns results (or reports
progress as events); the faces in `api/` parse, authorise and print. No typer, rich, fastapi, print or exit here.
"""

from . import copies, corrections, rendering, sitting, verifying
from .accounts import AccountBook, LoginPolicy, NewAccount, Token
from .archived_sitting import sign_archived_sitting
from .errors import (
    AuthenticationError,
    CopyAskError,
    FederationOffError,
    JobStateError,
    ThrottledError,
    WeakPasswordError,
    WorkerLostError,
    WorkflowError,
)
from .exporting import INDEX_COLUMNS, YearExport, export_year
from .federation import FederatedSignIn, Finished, Started
from .importing import ClassImport, import_class
from .lifecycle import (
    Outcome,
    Registered,
    book_facts,
    keep_signature,
    register_book,
    sign_and_archive,
    sign_into_archive,
)
from .runtime import tune_collector

__all__ = [
    "INDEX_COLUMNS",
    "AccountBook",
    "AuthenticationError",
    "ClassImport",
    "CopyAskError",
    "FederatedSignIn",
    "FederationOffError",
    "Finished",
    "JobStateError",
    "LoginPolicy",
    "NewAccount",
    "Outcome",
    "Registered",
    "Started",
    "ThrottledError",
    "Token",
    "WeakPasswordError",
    "WorkerLostError",
    "WorkflowError",
    "YearExport",
    "book_facts",
    "copies",
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

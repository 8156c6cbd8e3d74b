"""Object stores (the embedded filesystem store; S3 through the `minio` client), the SQL catalog and the RFC 3161
client of the audit anchors."""

from .accounts import SqlAccounts
from .catalog import SqlCatalog
from .corrections import SqlCorrections
from .filesystem import FileStore
from .jobs import SqlJobs
from .listing import SqlBookIndex
from .s3 import S3Store
from .sessions import SqlSessionStore
from .tsa import RfcTimestamper, check_token

__all__ = [
    "FileStore",
    "RfcTimestamper",
    "S3Store",
    "SqlAccounts",
    "SqlBookIndex",
    "SqlCatalog",
    "SqlCorrections",
    "SqlJobs",
    "SqlSessionStore",
    "check_token",
]

"""Object stores (the embedded filesystem store; S3 through the `minio` client), the SQL catalog, the RFC 3161
client of the audit anchors, and the client of the school's OpenID Connect identity provider."""

from .accounts import SqlAccounts
from .catalog import SqlCatalog
from .copies import SqlCopies
from .corrections import SqlCorrections
from .disposals import SqlDisposals
from .filesystem import FileStore
from .holds import SqlHolds
from .jobs import SqlJobs
from .listing import SqlBookIndex
from .oidc import OidcProvider, ProviderAnswer
from .s3 import S3Store
from .sessions import SqlSessionStore
from .tsa import RfcTimestamper, check_token

__all__ = [
    "FileStore",
    "OidcProvider",
    "ProviderAnswer",
    "RfcTimestamper",
    "S3Store",
    "SqlAccounts",
    "SqlBookIndex",
    "SqlCatalog",
    "SqlCopies",
    "SqlCorrections",
    "SqlDisposals",
    "SqlHolds",
    "SqlJobs",
    "SqlSessionStore",
    "check_token",
]

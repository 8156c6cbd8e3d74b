"""Object stores: the embedded filesystem store and S3 (MinIO, SeaweedFS, AWS) through the `minio` client."""

from .filesystem import FileStore
from .s3 import S3Store

__all__ = ["FileStore", "S3Store"]

"""Archive errors: each has a stable code and a message in Vietnamese and English."""

from __future__ import annotations

from records import HocbaError, register_wording

from .messages import WORDING


class ArchiveError(HocbaError):
    """Root of this package's errors (under the one root, `records.HocbaError`)."""

    code = "archive.error"
    retryable = False

    def __str__(self) -> str:
        return f"{self.message_vi} / {self.message_en}"


class ObjectLockedError(ArchiveError):
    """Deleting, overwriting, shortening or downgrading the lock of an object under retention or legal hold."""

    code = "archive.object_locked"


class ObjectExistsError(ArchiveError):
    """Objects are immutable: a key that holds other bytes is never written again."""

    code = "archive.object_exists"


class ObjectMissingError(ArchiveError):
    code = "archive.object_missing"


class CorruptObjectError(ArchiveError):
    """An object whose bytes are not the ones the catalog recorded (its sha256 differs)."""

    code = "archive.object_corrupt"


class InvalidKeyError(ArchiveError):
    """A key that is not a relative path of plain segments (no '..', no leading '/', no empty segment)."""

    code = "archive.invalid_key"


class StorageUnavailableError(ArchiveError):
    """The storage server did not answer after the bounded retries; nothing was recorded as stored."""

    code = "archive.storage_unavailable"
    retryable = True


class StorageConfigError(ArchiveError):
    code = "archive.storage_config"


class DatabaseConfigError(ArchiveError):
    code = "archive.database_config"


class DatabaseUnavailableError(ArchiveError):
    """The metadata database could not be reached or refused the operation; nothing was half-recorded."""

    code = "archive.database_unavailable"
    retryable = True


class DatabaseOutdatedError(ArchiveError):
    """The database's schema is older than this release's: `hocba db upgrade` brings it up to date."""

    code = "archive.database_outdated"


class DocumentStateError(ArchiveError):
    """The document version is not in a state that allows the operation (sealing twice, signing a sealed book)."""

    code = "archive.document_state"


class UnknownDocumentError(ArchiveError):
    code = "archive.unknown_document"


class UnknownAccountError(ArchiveError):
    code = "archive.unknown_account"


class AccountExistsError(ArchiveError):
    """Usernames are never reused: a disabled account keeps its name, so the audit trail names one person."""

    code = "archive.account_exists"


class IdentityTakenError(ArchiveError):
    """An identity provider's account opens one hocba account at most: whoever holds it is that one person."""

    code = "archive.identity_taken"


class UnknownCopyError(ArchiveError):
    code = "archive.unknown_copy"


class CopyStateError(ArchiveError):
    """A step of a copy request that its state does not allow (issuing before the identity was checked,
    refusing an issued copy, revoking one never issued)."""

    code = "archive.copy_state"


class IdentityProviderError(ArchiveError):
    """The identity provider did not answer (after the bounded retries)."""

    code = "archive.identity_provider"
    retryable = True


class IdentityRefusedError(ArchiveError):
    """The identity provider's answer does not check out (a spent or forged code, an ID token whose signature,
    issuer, audience, expiry or nonce is wrong): nobody is signed in."""

    code = "archive.identity_refused"


class AccountInvalidError(ArchiveError):
    """An account whose links do not fit its role (a teacher without a staff id, a parent without a student…)."""

    code = "archive.account_invalid"


class UnknownJobError(ArchiveError):
    code = "archive.unknown_job"


class IdempotencyKeyReusedError(ArchiveError):
    """The same idempotency key sent again with another request: the first request's job stands."""

    code = "archive.idempotency_key_reused"


class AnchorError(ArchiveError):
    """An audit anchor's timestamp does not cover what it claims, or its signature is broken."""

    code = "archive.anchor_invalid"


class ExportError(ArchiveError):
    """The export cannot be written where asked (a folder that is not empty, a bad name); nothing was left."""

    code = "archive.export_failed"


class BagInvalidError(ArchiveError):
    """The bag's manifests do not match its files, or a file is missing or extra."""

    code = "archive.bag_invalid"


register_wording(WORDING)


class UnknownHoldError(ArchiveError):
    code = "archive.unknown_hold"


class HoldStateError(ArchiveError):
    """A step of a legal hold that its state does not allow (asking twice, approving what nobody asked, one
    person asking and approving), or a hold that would cover nothing."""

    code = "archive.hold_state"


class UnknownDisposalError(ArchiveError):
    code = "archive.unknown_disposal"


class DisposalStateError(ArchiveError):
    """A step of a disposal its state does not allow (deciding twice, running one not approved), the same person
    proposing and approving, or keeping without a reason."""

    code = "archive.disposal_state"

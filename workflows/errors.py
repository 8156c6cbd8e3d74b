"""Errors of the use cases themselves (signing in), under the one root `records.HocbaError`."""

from __future__ import annotations

from records import HocbaError, register_wording

from .messages import WORDING


class WorkflowError(HocbaError):
    code = "workflow.error"


class AuthenticationError(WorkflowError):
    """Wrong username, password or second factor, a disabled account, or a token that is unknown, expired or
    revoked. The message never says which, so that it tells an attacker nothing."""

    code = "auth.failed"


class ThrottledError(WorkflowError):
    """Too many failed logins for this account or from this address: refused, unchecked, until `retry_after`."""

    code = "auth.throttled"
    retryable = True


class FederationOffError(WorkflowError):
    """Signing in through an identity provider was asked of a service that has none configured."""

    code = "auth.federation_off"


class CopyAskError(WorkflowError):
    """A request for a copy that does not say who asks, or how they stand to the student (NĐ 23/2015, Đ.16)."""

    code = "copy.asker"


class WeakPasswordError(WorkflowError):
    code = "auth.weak_password"


class WorkerLostError(WorkflowError):
    """A worker process of a sitting or a renewal run died (the system killed it, or it ran out of memory): what
    was sent to it, and everything sent after, is not done. What was done before is kept; running again goes on."""

    code = "workflow.worker_lost"
    retryable = True


class JobStateError(WorkflowError):
    """Asking a job for what it does not have yet (the bag of an export still running, or one that failed)."""

    code = "job.not_ready"


register_wording(WORDING)

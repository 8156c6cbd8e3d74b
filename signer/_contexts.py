"""The validation contexts of one verification: the book's certificates and revocation data loaded once and judged
at any moment, online (the book's data plus the responders' answers) or from the book's data alone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import aiohttp
from asn1crypto import x509
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule

from .model import VerifyPolicy

T = TypeVar("T")


def _revinfo_policy() -> CertRevTrustPolicy:
    return CertRevTrustPolicy(
        # No revocation answer for a signer means "could not be checked", never "probably fine".
        RevocationCheckingPolicy(
            ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
            intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
        ),
        # Revocation data gathered after the signature (at sealing, or now) speaks for the signing time.
        retroactive_revinfo=True,
    )


class Contexts:
    """The book's certificates and revocation data, loaded once, judged at any moment: online (the book's data
    plus what the responders answer) and, when asked, from the book's data alone (what a book must fall back on
    when the responders are gone: pyHanko otherwise lets a failed fetch hide the embedded answers)."""

    def __init__(
        self, roots: list[x509.Certificate], dss: Any, offline: bool, now: datetime | None, policy: VerifyPolicy
    ) -> None:
        self.roots, self.dss, self.offline, self.now = roots, dss, offline, now
        self.backend = None if offline else AIOHttpFetcherBackend(per_request_timeout=policy.fetch_timeout)
        self.present = self._load(fetch=not offline)
        self._embedded = self.present if offline else None
        self.responders_down = False

    def _load(self, fetch: bool) -> ValidationContext:
        kwargs: dict[str, Any] = {
            "trust_roots": self.roots,
            "allow_fetching": fetch,
            "revinfo_policy": _revinfo_policy(),
            "moment": self.now,
        }
        if fetch:
            kwargs["fetcher_backend"] = self.backend
        if self.dss is not None:
            context: ValidationContext = self.dss.as_validation_context(kwargs)
            return context
        if not fetch:  # nothing to fetch and nothing embedded: revocation will be reported as unknown
            kwargs.update(crls=[], ocsps=[])
        return ValidationContext(**kwargs)

    def at(self, moment: datetime | None, fetch: bool = True) -> ValidationContext:
        """Shared, not parsed again per signature (loading a DSS into a context costs tens of ms). Once the
        responders have failed a check the book's own data then passed, the rest is judged from the book's data:
        each further attempt would only wait for the timeout again."""
        fetch = fetch and not self.responders_down
        if fetch or self.offline:
            base = self.present
        else:
            self._embedded = self._embedded or self._load(fetch=False)
            base = self._embedded
        return ValidationContext(
            trust_manager=base.path_builder.trust_manager,
            certificate_registry=base.certificate_registry,
            revinfo_manager=base.revinfo_manager,
            moment=moment or self.now,
            allow_fetching=fetch and not self.offline,
            revinfo_policy=_revinfo_policy(),
        )

    async def close(self) -> None:
        if self.backend is not None:
            await self.backend.close()


async def online_or_embedded(contexts: Contexts, check: Callable[[bool], Awaitable[T]]) -> T:
    """`check(fetch=True)`; when a responder's failure escapes the validator as a network error (a timeout), the
    same check from the book's data, and the responders are not asked again."""
    try:
        return await check(not contexts.offline)
    except (TimeoutError, aiohttp.ClientError, OSError):
        if contexts.offline or contexts.responders_down:
            raise
        contexts.responders_down = True
        return await check(False)

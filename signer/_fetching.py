"""OCSP responses and CRLs fetched for the seal's long-term validation data, kept for a while.

Each seal embeds the validation data of every signer of its book: a class's books share their 15 signers, so a
sitting of seals asked the same responders the same questions for every book (an OCSP request per signer and a CRL
a book: a large part of a seal, and a real CA's responder rate-limits). The fetchers, with what they
fetched and the paths validated through them, serve every seal and renewal of the service for
`SigningPolicy.status_reuse`, as a good status is reused for the checks before signing; a failed collection starts
afresh, so a failure is never reused.

What a book's DSS receives is what its own paths need, taken from the shared fetchers certificate by
certificate, never everything the fetchers hold (other classes' signers).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import aiohttp
from asn1crypto import crl, ocsp, x509
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.api import Fetchers


class Kept:
    """One generation of what the seals and renewals share: the fetchers with what they fetched, the TSA client
    (its first answer, kept, sizes every later archive timestamp without asking the TSA twice per book) and the
    certificate paths already validated through those fetchers."""

    def __init__(self, fetchers: Fetchers, timestamper: TimeStamper | None) -> None:
        self.fetchers = fetchers
        self.timestamper = timestamper
        self._paths: dict[bytes, Any] = {}
        self._tsa_paths: list[Any] | None = None

    async def paths(self, subjects: list[tuple[x509.Certificate, list[x509.Certificate]]], context: Any) -> list[Any]:
        """The validation path of each certificate (with the certificates it came with), each validated once per
        generation; validating also fetches the revocation data `revocation_data` then collects."""
        missing = {cert.sha256: (cert, others) for cert, others in subjects if cert.sha256 not in self._paths}
        validators = [
            CertificateValidator(cert, intermediate_certs=others, validation_context=context)
            for cert, others in missing.values()
        ]
        found = await asyncio.gather(*(v.async_validate_path() for v in validators))
        self._paths.update(zip(missing, found, strict=True))
        return [self._paths[cert.sha256] for cert, _ in subjects]

    async def tsa_paths(self, context: Any) -> list[Any]:
        """The validation paths of the TSA's certificates, for the archive timestamp's own validation data."""
        if self._tsa_paths is None:
            assert self.timestamper is not None
            self._tsa_paths = [path async for path in self.timestamper.validation_paths(context)]
        return self._tsa_paths


class KeptFetchers:
    """The current generation (`Kept`); a new one once `reuse` has passed since it was made, or after
    `forget`."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        reuse: timedelta,
        timeout: float = 10.0,
        timestamper: Callable[[], TimeStamper | None] = lambda: None,
    ) -> None:
        self._session = session
        self._timeout = timeout
        self._reuse = reuse.total_seconds()
        self._timestamper = timestamper
        self._made = 0.0
        self._current: Kept | None = None

    def get(self) -> Kept:
        now = time.monotonic()
        if self._current is None or now - self._made >= self._reuse:
            backend = AIOHttpFetcherBackend(self._session, per_request_timeout=self._timeout)
            self._current, self._made = Kept(backend.get_fetchers(), self._timestamper()), now
        return self._current

    def forget(self) -> None:
        self._current = None


def _responder_certs(response: ocsp.OCSPResponse) -> list[x509.Certificate]:
    try:
        return list(response["response_bytes"]["response"].parsed["certs"] or ())
    except (KeyError, ValueError, TypeError):
        return []


def revocation_data(paths: list[Any], fetchers: Fetchers) -> tuple[list[ocsp.OCSPResponse], list[crl.CertificateList]]:
    """The OCSP responses and CRLs `fetchers` hold for the certificates of `paths` (validated through them) and
    for the OCSP responders that answered for those certificates."""
    ocsps: dict[bytes, ocsp.OCSPResponse] = {}
    crls: dict[bytes, crl.CertificateList] = {}
    pending: list[x509.Certificate] = [cert for path in paths for cert in path]
    seen: set[bytes] = set()
    while pending:
        cert = pending.pop()
        if cert.sha256 in seen:
            continue
        seen.add(cert.sha256)
        responses = list(fetchers.ocsp_fetcher.fetched_responses_for_cert(cert))
        for response in responses:
            ocsps.setdefault(response.dump(), response)
            pending.extend(_responder_certs(response))
        try:
            lists = fetchers.crl_fetcher.fetched_crls_for_cert(cert)
        except KeyError:  # no CRL was fetched for it: its status came from OCSP, or from a CRL fetched for
            # another certificate of the same issuer (two TSAs under one CA), which the fetchers do not file under
            # this one: that CRL answered for it too.
            issuer = cert.issuer.dump()
            lists = [] if responses else [c for c in fetchers.crl_fetcher.fetched_crls() if c.issuer.dump() == issuer]
        for revocation_list in lists:
            crls.setdefault(revocation_list.dump(), revocation_list)
    return list(ocsps.values()), list(crls.values())

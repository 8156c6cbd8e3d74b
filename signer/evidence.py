"""Evidence records (RFC 4998, Evidence Record Syntax) for what cannot carry an archive timestamp of its own: a
PDF/A-1b book stops at B-LT (see `docs/retention.md`), so the proof that it existed, unchanged, is kept beside it.

- **Archive timestamp** (§4): the books of a run are the leaves of one hash tree (SHA-256; each node the hash of
  its children's values sorted and joined), and one RFC 3161 token covers its root. Each book's record keeps the
  token and the reduced hash tree from its leaf to the root, so it stands on its own.
- **Validation data**: right after a token is issued, its TSA's certificates and their OCSP responses and CRLs are
  put into the token's `SignedData` (`certificates`, `crls`, RFC 5940): outside what the TSA signed, inside what
  the next archive timestamp covers.
- **Timestamp renewal** (§5.2): before the last token's TSA certificate ends, a new archive timestamp covers the
  hash of the last one's `timeStamp` (validation data included), and joins the same chain.
- **Hash-tree renewal** (§5.2): when the chain's digest itself weakens (SHA-256 some day), a new chain begins
  under a stronger one (`STRONG`): its first archive timestamp covers, for each book, the new digest of the book
  joined to the new digest of the whole sequence so far (`renewed_leaf`); the book is read again for it.
- **Verification** (§5.3): every hash link is recomputed from the book, chain by chain with each chain's digest,
  and each token is validated at the time the next one proves, with the data it carries; the last one at the
  time asked. A check that cannot run is reported as such, never as a pass.

A record with `cryptoInfos` or `encryptionInfo`, or a digest not in `READ_DIGESTS`, is refused as unsupported
rather than judged."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from asn1crypto import cms, core, crl, ocsp, tsp, x509
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext

from records import TimestampUnavailableError

from ._cms import token_signer
from ._contexts import _revinfo_policy
from ._ers import (
    DIGEST,
    READ_DIGESTS,
    STRONG,
    ArchiveTimeStamp,
    ArchiveTimeStampChain,
    ArchiveTimeStampSequence,
    EvidenceRecord,
    chain_digest,
    digest_of,
    hash_tree,
    renewed_leaf,
    root_of,
)
from ._fetching import Kept, revocation_data
from ._judging import RETRY_EMBEDDED, still_valid
from ._verdict import of_trust

__all__ = [
    "DIGEST",
    "MAX_RECORD_BYTES",
    "STRONG",
    "EvidenceCheck",
    "EvidenceRecord",
    "ValidationData",
    "chain_digest",
    "check_record",
    "digest_of",
    "evidence_token",
    "hash_tree",
    "new_records",
    "refreshed",
    "renew_hash_trees",
    "renew_records",
    "root_of",
    "stamp_until",
    "with_validation_data",
]

MAX_RECORD_BYTES = 4 * 1024 * 1024
"""An evidence record is a few tokens and hash lists: anything larger is refused before parsing."""


def _imprint(token: cms.ContentInfo) -> tuple[str, bytes, datetime]:
    info: tsp.TSTInfo = token["content"]["encap_content_info"]["content"].parsed
    imprint = info["message_imprint"]
    return imprint["hash_algorithm"]["algorithm"].native, imprint["hashed_message"].native, info["gen_time"].native


@dataclass(frozen=True)
class ValidationData:
    """A TSA's certificates and the answers about them, to be carried by its token."""

    certs: list[x509.Certificate] = field(default_factory=list)
    ocsps: list[ocsp.OCSPResponse] = field(default_factory=list)
    crls: list[crl.CertificateList] = field(default_factory=list)


def with_validation_data(token: cms.ContentInfo, data: ValidationData) -> cms.ContentInfo:
    """The token with `data` in its `SignedData` (certificates, and CRLs and OCSP responses as revocation
    information choices): outside the TSA's signature, which covers only the signed attributes and the TSTInfo.
    The signed parts are carried over as parsed, byte for byte."""
    signed = token["content"]
    certs = list(signed["certificates"] or ())
    known = {c.chosen.dump() for c in certs}
    certs += [cms.CertificateChoices({"certificate": c}) for c in data.certs if c.dump() not in known]
    revocation = list(signed["crls"] or ())
    added = [cms.RevocationInfoChoice({"crl": c}) for c in data.crls] + [
        cms.RevocationInfoChoice({"other": {"other_rev_info_format": "ocsp_response", "other_rev_info": o}})
        for o in data.ocsps
    ]
    held = {r.dump() for r in revocation}
    revocation += [r for r in added if r.dump() not in held]
    fields: dict[str, Any] = {
        "version": signed["version"],
        "digest_algorithms": signed["digest_algorithms"],
        "encap_content_info": signed["encap_content_info"],
        "certificates": certs,
        "signer_infos": signed["signer_infos"],
    }
    if revocation:
        fields["crls"] = revocation
    return cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(fields)})


Stamp = Callable[[bytes, str], Awaitable[cms.ContentInfo]]
"""Asks the TSA for a token over a digest (made with the named algorithm), the token carrying its validation
data."""


async def archive_timestamps(leaves: list[bytes], stamp: Stamp, algorithm: str = DIGEST) -> list[ArchiveTimeStamp]:
    """One archive timestamp per leaf, all under one token over the tree's root."""
    root, paths = hash_tree(leaves, algorithm)
    token = await stamp(root, algorithm)
    return [
        ArchiveTimeStamp(
            {
                "digest_algorithm": {"algorithm": algorithm},
                "reduced_hashtree": [[core.OctetString(v) for v in group] for group in path],
                "time_stamp": token,
            }
        )
        for path in paths
    ]


async def new_records(digests: list[bytes], stamp: Stamp) -> list[EvidenceRecord]:
    """A first evidence record for each document (by its SHA-256), all under one token."""
    stamps = await archive_timestamps(digests, stamp)
    return [
        EvidenceRecord(
            {"version": 1, "digest_algorithms": [{"algorithm": DIGEST}], "archive_time_stamp_sequence": [[ats]]}
        )
        for ats in stamps
    ]


Refresh = Callable[[cms.ContentInfo], Awaitable[cms.ContentInfo]]
"""Adds fresh validation data for a token's TSA to the token."""


async def _refreshed_chains(record: EvidenceRecord, refresh: Refresh) -> list[ArchiveTimeStampChain]:
    """The record's chains, its last token with fresh validation data for its TSA (what a renewal covers)."""
    chains = list(record["archive_time_stamp_sequence"])
    *before, last = list(chains[-1])
    fresh = ArchiveTimeStamp(
        {
            "digest_algorithm": last["digest_algorithm"],
            "reduced_hashtree": last["reduced_hashtree"],
            "time_stamp": await refresh(last["time_stamp"]),
        }
    )
    chains[-1] = ArchiveTimeStampChain([*before, fresh])
    return chains


def _record(record: EvidenceRecord, chains: list[ArchiveTimeStampChain], algorithm: str) -> EvidenceRecord:
    named = [a["algorithm"].native for a in record["digest_algorithms"]]
    algorithms = [*record["digest_algorithms"]] + ([{"algorithm": algorithm}] if algorithm not in named else [])
    return EvidenceRecord(
        {"version": record["version"], "digest_algorithms": algorithms, "archive_time_stamp_sequence": chains}
    )


async def renew_records(records: list[EvidenceRecord], stamp: Stamp, refresh: Refresh) -> list[EvidenceRecord]:
    """Each record with a new archive timestamp over its last one's `timeStamp` (§5.2, timestamp renewal), with
    its chain's digest, all under one token per digest. The last one first receives fresh validation data for its
    TSA, which the new timestamp then covers."""
    chains_of = [await _refreshed_chains(r, refresh) for r in records]
    renewed: list[EvidenceRecord | None] = [None] * len(records)
    for algorithm in sorted({chain_digest(chains[-1]) for chains in chains_of}):
        picked = [i for i, chains in enumerate(chains_of) if chain_digest(chains[-1]) == algorithm]
        leaves = [digest_of(chains_of[i][-1][-1]["time_stamp"].dump(), algorithm) for i in picked]
        for i, ats in zip(picked, await archive_timestamps(leaves, stamp, algorithm), strict=True):
            chains = chains_of[i]
            chains[-1] = ArchiveTimeStampChain([*chains[-1], ats])
            renewed[i] = _record(records[i], chains, algorithm)
    return [r for r in renewed if r is not None]


async def renew_hash_trees(
    records: list[EvidenceRecord], digests: list[bytes], stamp: Stamp, refresh: Refresh, algorithm: str = STRONG
) -> list[EvidenceRecord]:
    """Each record with a new chain under `algorithm` (§5.2, hash-tree renewal), all under one token: `digests`
    are the documents' own digests with `algorithm` (the documents are read again for them). The last token first
    receives fresh validation data, which the new chain then covers with everything before it."""
    sequences = [ArchiveTimeStampSequence(await _refreshed_chains(r, refresh)) for r in records]
    leaves = [renewed_leaf(d, before, algorithm) for d, before in zip(digests, sequences, strict=True)]
    stamps = await archive_timestamps(leaves, stamp, algorithm)
    return [
        _record(record, [*before, ArchiveTimeStampChain([ats])], algorithm)
        for record, before, ats in zip(records, sequences, stamps, strict=True)
    ]


async def evidence_token(digest: bytes, algorithm: str, kept: Kept, context: ValidationContext) -> cms.ContentInfo:
    """A token over `digest` (made with `algorithm`) from the kept TSA client, with its TSA's validation data."""
    assert kept.timestamper is not None
    token: cms.ContentInfo = await kept.timestamper.async_timestamp(digest, algorithm)
    return await refreshed(token, kept, context)


async def refreshed(token: cms.ContentInfo, kept: Kept, context: ValidationContext) -> cms.ContentInfo:
    """The token with fresh validation data for its TSA (paths validated through the kept fetchers, which hold
    the answers)."""
    cert = token_signer(token)
    if cert is None:
        raise TimestampUnavailableError("close", exc="the TSA's answer does not carry its certificate")
    others = [c.chosen for c in token["content"]["certificates"] or () if c.name == "certificate"]
    paths = await kept.paths([(cert, others)], context)
    ocsps, crls = revocation_data(paths, kept.fetchers)
    return with_validation_data(token, ValidationData([c for p in paths for c in p], ocsps, crls))


def last_token(record: EvidenceRecord) -> cms.ContentInfo:
    return record["archive_time_stamp_sequence"][-1][-1]["time_stamp"]


@dataclass(frozen=True)
class EvidenceCheck:
    """What an evidence record proves about a document."""

    outcome: str
    """``proven`` (every link and token checked), ``altered`` (a hash does not lead to the token: the document or
    the record changed), ``invalid`` (a token's signature or certificate fails) or ``unchecked`` (a check could
    not run: unsupported record, no revocation data, untrusted TSA)."""
    existed_at: datetime | None = None
    """The first token's time: the document existed, unchanged, then."""
    times: tuple[datetime, ...] = ()
    """Every token's time, oldest first."""
    problems: tuple[str, ...] = ()

    @property
    def proven(self) -> bool:
        return self.outcome == "proven"


def _expected(imprint: bytes, _algorithm: str) -> bytes:
    return imprint


def _context(roots: list[x509.Certificate], token: cms.ContentInfo, moment: datetime | None) -> ValidationContext:
    """The token's own certificates and revocation data, judged at `moment`; nothing fetched."""
    signed = token["content"]
    certs = [c.chosen for c in signed["certificates"] or () if c.name == "certificate"]
    crls, ocsps = [], []
    for choice in signed["crls"] or ():
        if choice.name == "crl":
            crls.append(choice.chosen)
        elif choice.chosen["other_rev_info_format"].native == "ocsp_response":
            ocsps.append(choice.chosen["other_rev_info"])
    return ValidationContext(
        trust_roots=roots,
        other_certs=certs,
        crls=crls,
        ocsps=ocsps,
        moment=moment,
        allow_fetching=False,
        revinfo_policy=_revinfo_policy(),
    )


async def _token_status(
    token: cms.ContentInfo, roots: list[x509.Certificate], moment: datetime | None
) -> TimestampSignatureStatus:
    context = _context(roots, token, moment)
    expected = partial(_expected, _imprint(token)[1])
    return TimestampSignatureStatus(**await validate_tst_signed_data(token["content"], context, expected))


def _retry_at_own_time(status: TimestampSignatureStatus, now: datetime | None) -> bool:
    return (
        of_trust(status)[1] in RETRY_EMBEDDED
        and status.signing_cert is not None
        and still_valid(status.signing_cert, now)
    )


def _load(der: bytes) -> EvidenceRecord | str:
    if len(der) > MAX_RECORD_BYTES:
        return f"the record is larger than {MAX_RECORD_BYTES} bytes"
    try:
        record: EvidenceRecord = EvidenceRecord.load(der, strict=True)
        record.native  # noqa: B018 - parses every part now, so that a malformed one is refused here
    except (ValueError, TypeError, RecursionError) as exc:
        return f"not an evidence record this service reads: {exc}"
    sequence = record["archive_time_stamp_sequence"]
    if record["version"].native != 1 or len(sequence) == 0 or any(len(chain) == 0 for chain in sequence):
        return "only version 1, with archive timestamps in every chain, is read"
    return record


async def check_record(
    der: bytes, document: bytes, roots: list[x509.Certificate], now: datetime | None = None
) -> EvidenceCheck:
    """Whether `der`, an evidence record, proves that `document` existed unchanged, and since when. A record from
    outside is hostile: one whose parts are well-formed but not what they claim (a timestamp that is no token)
    could not be checked, and says so."""
    record = _load(der)
    if isinstance(record, str):
        return EvidenceCheck("unchecked", problems=(record,))
    try:
        return await _check(record, document, roots, now)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        return EvidenceCheck("unchecked", problems=(f"the record cannot be read: {type(exc).__name__}: {exc}",))


async def _check(
    record: EvidenceRecord, document: bytes, roots: list[x509.Certificate], now: datetime | None
) -> EvidenceCheck:
    sequence = list(record["archive_time_stamp_sequence"])
    tokens: list[cms.ContentInfo] = []
    times: list[datetime] = []
    for j, chain in enumerate(sequence):
        digest = chain_digest(chain)
        for k, ats in enumerate(chain):
            number = len(tokens) + 1
            algorithm = ats["digest_algorithm"]["algorithm"].native if ats["digest_algorithm"] else DIGEST
            imprint_algorithm, imprint, when = _imprint(ats["time_stamp"])
            if algorithm not in READ_DIGESTS or algorithm != imprint_algorithm or algorithm != digest:
                return EvidenceCheck(
                    "unchecked", problems=(f"archive timestamp {number}: digest {algorithm} not read",)
                )
            if k > 0:
                leaf, what = digest_of(chain[k - 1]["time_stamp"].dump(), digest), f"archive timestamp {number - 1}"
            elif j == 0:
                leaf, what = digest_of(document, digest), "the document"
            else:
                before = ArchiveTimeStampSequence(sequence[:j])
                leaf, what = (
                    renewed_leaf(digest_of(document, digest), before, digest),
                    "the document and the chains before",
                )
            tree = [[v.native for v in group] for group in ats["reduced_hashtree"] or ()]
            if root_of(leaf, tree, digest) != imprint:
                return EvidenceCheck("altered", problems=(f"archive timestamp {number} does not cover {what}",))
            tokens.append(ats["time_stamp"])
            times.append(when)
    problems: list[str] = []
    outcome = "proven"
    for k, token in enumerate(tokens):
        last = k + 1 == len(tokens)
        status = await _token_status(token, roots, now if last else times[k + 1])
        if last and not status.trusted and _retry_at_own_time(status, now):
            # Years later the answers it carries are out of date: the newest token is judged at its own time
            # from the data it carries (its TSA certificate still valid), as a book's last archive timestamp is.
            status = await _token_status(token, roots, times[k])
        if not (status.intact and status.valid):
            return EvidenceCheck("invalid", times[0], tuple(times), (f"archive timestamp {k + 1}: bad signature",))
        if not status.trusted:
            outcome = "unchecked"
            problems.append(f"archive timestamp {k + 1}: {of_trust(status)[1]}")
    return EvidenceCheck(outcome, times[0], tuple(times), tuple(problems))


def stamp_until(record: EvidenceRecord) -> datetime | None:
    """When the last token's TSA certificate ends: the record must be renewed before."""
    cert = token_signer(last_token(record))
    return None if cert is None else cert["tbs_certificate"]["validity"]["not_after"].native

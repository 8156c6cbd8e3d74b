"""The syntax of an evidence record (RFC 4998 §3, the ASN.1 module of its appendix A) and its hash trees (§4.2,
§4.3, §5.2): what `signer.evidence` makes, renews and checks."""

from __future__ import annotations

import hashlib
from functools import partial

from asn1crypto import algos, cms, core

DIGEST = "sha256"
"""The digest of a first chain."""
STRONG = "sha512"
"""The digest of a new chain, when the last chain's has weakened."""
READ_DIGESTS = frozenset({"sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512"})


class PartialHashtree(core.SequenceOf):  # type: ignore[misc]
    _child_spec = core.OctetString


class ReducedHashtree(core.SequenceOf):  # type: ignore[misc]
    _child_spec = PartialHashtree


class ArchiveTimeStamp(core.Sequence):  # type: ignore[misc]
    _fields = [  # noqa: RUF012 - asn1crypto's declaration, which it completes in place
        ("digest_algorithm", algos.DigestAlgorithm, {"implicit": 0, "optional": True}),
        ("attributes", cms.CMSAttributes, {"implicit": 1, "optional": True}),
        ("reduced_hashtree", ReducedHashtree, {"implicit": 2, "optional": True}),
        ("time_stamp", cms.ContentInfo),
    ]


class ArchiveTimeStampChain(core.SequenceOf):  # type: ignore[misc]
    _child_spec = ArchiveTimeStamp


class ArchiveTimeStampSequence(core.SequenceOf):  # type: ignore[misc]
    _child_spec = ArchiveTimeStampChain


class DigestAlgorithmList(core.SequenceOf):  # type: ignore[misc]
    _child_spec = algos.DigestAlgorithm


class EvidenceRecord(core.Sequence):  # type: ignore[misc]
    """RFC 4998 §3 (the optional `cryptoInfos` and `encryptionInfo` are never written, and refused when met)."""

    _fields = [  # noqa: RUF012 - asn1crypto's declaration, which it completes in place
        ("version", core.Integer),
        ("digest_algorithms", DigestAlgorithmList),
        ("archive_time_stamp_sequence", ArchiveTimeStampSequence),
    ]


def digest_of(data: bytes, algorithm: str = DIGEST) -> bytes:
    return hashlib.new(algorithm, data).digest()


def _node(values: list[bytes], algorithm: str = DIGEST) -> bytes:
    """A node of the hash tree: its children's values in binary ascending order, joined, hashed (§4.2)."""
    return digest_of(b"".join(sorted(values)), algorithm)


def hash_tree(leaves: list[bytes], algorithm: str = DIGEST) -> tuple[bytes, list[list[list[bytes]]]]:
    """The root over `leaves`, and each leaf's reduced hash tree: its own group (the leaf alone, so that a
    record proves its own book and no other), then the sibling values at each level of a binary tree above."""
    node = partial(_node, algorithm=algorithm)
    paths: list[list[list[bytes]]] = [[[leaf]] for leaf in leaves]
    level = [(node([leaf]), [i]) for i, leaf in enumerate(leaves)]
    while len(level) > 1:
        above = []
        for start in range(0, len(level), 2):
            group = level[start : start + 2]
            for j, (_, members) in enumerate(group):
                others = [v for k, (v, _) in enumerate(group) if k != j]
                for i in members:
                    paths[i].append(others)
            above.append((node([v for v, _ in group]), [i for _, members in group for i in members]))
        level = above
    return level[0][0], paths


def root_of(leaf: bytes, tree: list[list[bytes]], algorithm: str = DIGEST) -> bytes | None:
    """The root a reduced hash tree leads to from `leaf` (§4.3); None when the leaf is not in its first group."""
    if not tree:
        return leaf
    if leaf not in tree[0]:
        return None
    value = _node(tree[0], algorithm)
    for siblings in tree[1:]:
        value = _node([value, *siblings], algorithm)
    return value


def renewed_leaf(document_digest: bytes, before: ArchiveTimeStampSequence, algorithm: str) -> bytes:
    """The leaf of a book in a new chain (§5.2, hash-tree renewal): the book's digest joined to the digest of
    the record's whole sequence of chains so far, hashed, all with the new chain's `algorithm`."""
    return digest_of(document_digest + digest_of(before.dump(), algorithm), algorithm)


def chain_digest(chain: ArchiveTimeStampChain) -> str:
    """The digest a chain hashes with: its first archive timestamp's (SHA-256 when it names none)."""
    named = chain[0]["digest_algorithm"]
    return str(named["algorithm"].native) if named else DIGEST

"""The faster X.509 name comparison behind signing and verification answers exactly as asn1crypto's own."""

from __future__ import annotations

import itertools
from collections import OrderedDict

import pytest
from asn1crypto import x509

from signer import _names


def _name(pairs: list[tuple[str, str]]) -> x509.Name:
    # A parsed copy, as names in certificates and CMS are (built values encode themselves on `dump`).
    return x509.Name.load(x509.Name.build(OrderedDict(pairs)).dump())


def _rdns(*rdns: list[tuple[str, str]], string_type: str = "utf8_string") -> x509.Name:
    """A name RDN by RDN, each a list of (type, value), every value in `string_type`."""
    sequence = x509.RDNSequence(
        [
            x509.RelativeDistinguishedName(
                [
                    x509.NameTypeAndValue({"type": t, "value": x509.DirectoryString(name=string_type, value=v)})
                    for t, v in rdn
                ]
            )
            for rdn in rdns
        ]
    )
    return x509.Name.load(x509.Name(name="", value=sequence).dump())


NAMES = [
    _name([("country_name", "VN"), ("organization_name", "Trường THCS Đại Thắng"), ("common_name", "Đặng Thị Hiền")]),
    _name([("country_name", "VN"), ("organization_name", "TRƯỜNG THCS ĐẠI THẮNG"), ("common_name", "Đặng Thị Hiền")]),
    _name([("country_name", "VN"), ("organization_name", "Trường  THCS Đại Thắng "), ("common_name", "Đặng Thị Hiền")]),
    _name([("country_name", "VN"), ("organization_name", "Truong THCS"), ("common_name", "Hien")]),
    _rdns([("organization_name", "Truong THCS")], [("common_name", "Hien")], string_type="printable_string"),
    _rdns([("organization_name", "Truong THCS")], [("common_name", "Hien")]),
    _rdns([("common_name", "Hien")], [("organization_name", "Truong THCS")]),
    _name([("country_name", "VN"), ("organization_name", "Truong THCS")]),
    _name([("common_name", "Hocba Development Root CA")]),
    _name([("common_name", "hocba development root ca")]),
    _rdns([("common_name", "A"), ("organization_name", "B")]),
    _rdns([("organization_name", "B"), ("common_name", "A")]),
    _rdns([("common_name", "A"), ("common_name", "A")]),
    _rdns([("common_name", "A")]),
]


@pytest.mark.parametrize(("left", "right"), list(itertools.product(range(len(NAMES)), repeat=2)))
def test_equality_is_asn1cryptos(left: int, right: int) -> None:
    a, b = NAMES[left], NAMES[right]
    assert _names.name_eq(a, b) is _names._original_eq(a, b)


def test_some_names_differ_only_in_encoding_or_case() -> None:
    # The table above is worth running only if the preparation (case, spaces, string type) matters in it.
    assert NAMES[4].dump() != NAMES[5].dump() and _names.name_eq(NAMES[4], NAMES[5])
    assert _names.name_eq(NAMES[0], NAMES[1]) and _names.name_eq(NAMES[0], NAMES[2])
    assert not _names.name_eq(NAMES[5], NAMES[6])  # RDN order counts
    assert _names.name_eq(NAMES[10], NAMES[11])  # attribute order inside an RDN does not


def test_hashable_is_asn1cryptos() -> None:
    for name in NAMES:
        assert _names.name_hashable(name) == _names._original_hashable.fget(name)


def test_a_name_that_cannot_be_prepared_is_asn1cryptos_to_judge() -> None:
    bad = _name([("common_name", "private \ue000 use")])  # RFC 4518 prohibits private-use code points
    with pytest.raises(ValueError):
        _names._original_eq(bad, NAMES[8])  # same shape: the values are prepared, and the bad one fails
    with pytest.raises(ValueError):
        _names.name_eq(bad, NAMES[8])
    assert _names._original_eq(bad, NAMES[0]) is False  # other shape: asn1crypto answers before preparing
    assert _names.name_eq(bad, NAMES[0]) is False
    assert _names.name_eq(bad, 42) is False


def test_installed() -> None:
    _names.install()
    assert x509.Name.__eq__ is _names.name_eq
    assert NAMES[0] == NAMES[1] and NAMES[0] != NAMES[3]


def test_a_name_inside_a_general_name_compares_by_content() -> None:
    # An issuer in an ESS certificate id is a GeneralName: the same name, encoded with a tag of its own.
    tagged = x509.GeneralName.load(x509.GeneralName(name="directory_name", value=NAMES[0]).dump()).chosen
    assert tagged.dump() != NAMES[0].dump()
    assert _names.name_eq(tagged, NAMES[1]) is _names._original_eq(tagged, NAMES[1]) is True
    assert _names.name_eq(tagged, NAMES[3]) is _names._original_eq(tagged, NAMES[3]) is False

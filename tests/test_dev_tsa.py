"""The development PKI's TSA answers with its encodings prepared once (`devtools.pki._tsa`): its tokens must be
the very bytes certomancer's own TSA would have made, and the served TSA keeps certomancer's behaviour (the time
a test may ask for, a new answer after the PKI is reloaded)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from asn1crypto import tsp
from certomancer import services
from certomancer.integrations._animator_shared import FAKE_TIME_HEADER
from certomancer.registry import ServiceLabel
from certomancer.services import TimeStamper

from devtools.pki import Person, _tsa, free_port, init, revoke, serve
from devtools.pki._tsa import QuickTimeStamper

from .signing_fixtures import School

WHEN = datetime(2031, 5, 17, 8, 30, 15, 250000, tzinfo=UTC)


def _request(nonce: bool = True) -> tsp.TimeStampReq:
    asked = {
        "version": 1,
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": bytes(range(32))},
        "cert_req": True,
    }
    if nonce:
        asked["nonce"] = 0x1234_5678_9ABC
    return tsp.TimeStampReq.load(tsp.TimeStampReq(asked).dump())  # as the server reads it: parsed from bytes


@pytest.mark.parametrize("label", ["tsa", "tsa2"])
@pytest.mark.parametrize("nonce", [True, False])
def test_the_quick_tsa_answers_the_bytes_certomancer_would(
    school: School, monkeypatch: pytest.MonkeyPatch, label: str, nonce: bool
) -> None:
    for module in (services, _tsa):
        monkeypatch.setattr(module, "get_nonce", lambda: 0x0123_4567_89AB_CDEF)  # the serial: random otherwise
    theirs = school.pki.arch.service_registry.summon_timestamper(ServiceLabel(label), WHEN)
    expected = theirs.request_tsa_response(_request(nonce)).dump()
    quick = QuickTimeStamper(theirs)
    assert quick.response_bytes(_request(nonce), WHEN) == expected
    assert quick.request_tsa_response(_request(nonce)).dump() == expected


def _served(school: School, headers: dict[str, str] | None = None) -> tsp.TSTInfo:
    return _asked(school.pki.tsa2_url, headers)


def _asked(url: str, headers: dict[str, str] | None = None) -> tsp.TSTInfo:
    answer = requests.post(
        url,
        data=_request().dump(),
        headers={"Content-Type": "application/timestamp-query", **(headers or {})},
        timeout=30,
    )
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/timestamp-reply"
    token = tsp.TimeStampResp.load(answer.content)["time_stamp_token"]
    info: tsp.TSTInfo = token["content"]["encap_content_info"]["content"].parsed
    return info


def test_the_served_tsa_answers_at_the_time_asked_or_now(school: School) -> None:
    asked = _served(school, {FAKE_TIME_HEADER: WHEN.isoformat()})
    assert asked["gen_time"].native == WHEN and asked["nonce"].native == 0x1234_5678_9ABC
    before = datetime.now(UTC)
    now = _served(school)["gen_time"].native
    assert before.replace(microsecond=0) <= now <= datetime.now(UTC)
    assert _served(school)["serial_number"].native != _served(school)["serial_number"].native


def test_the_served_tsa_is_made_again_when_the_pki_is_reloaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[QuickTimeStamper] = []

    class Counted(QuickTimeStamper):
        def __init__(self, base: TimeStamper) -> None:
            super().__init__(base)
            made.append(self)

    monkeypatch.setattr(_tsa, "QuickTimeStamper", Counted)
    init(tmp_path, "Trường THCS Thử", [Person("gv1", "Nguyễn Văn Thử")], free_port())
    with serve(tmp_path) as served:
        first = _asked(served.tsa_url)
        assert len(made) == 1 and _asked(served.tsa_url)["serial_number"] != first["serial_number"]
        assert len(made) == 1  # kept from one request to the next
        revoke(tmp_path, "gv1")  # the PKI's state changed: it is loaded again
        assert _asked(served.tsa_url)["tsa"] == first["tsa"]
        assert len(made) == 2

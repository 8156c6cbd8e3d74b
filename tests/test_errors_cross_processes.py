"""Every coded error survives pickling (a sitting's workers, a job queue): its class, code, both messages and
whether a retry can succeed."""

from __future__ import annotations

import pickle

import pytest

import archive
from archive import ArchiveError
from signer import SignerError, errors


def _signer_errors() -> list[type[SignerError]]:
    return [value for value in vars(errors).values() if isinstance(value, type) and issubclass(value, SignerError)]


@pytest.mark.parametrize("cls", _signer_errors(), ids=lambda c: c.__name__)
def test_signer_errors_round_trip(cls: type[SignerError]) -> None:
    error = cls("thông điệp", "message")
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is cls
    assert (back.code, back.message_vi, back.message_en, back.retryable) == (
        error.code,
        "thông điệp",
        "message",
        error.retryable,
    )


def _archive_errors() -> list[type[ArchiveError]]:
    return [value for value in vars(archive).values() if isinstance(value, type) and issubclass(value, ArchiveError)]


@pytest.mark.parametrize("cls", _archive_errors(), ids=lambda c: c.__name__)
def test_archive_errors_round_trip(cls: type[ArchiveError]) -> None:
    error = cls("thông điệp", "message")
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is cls and (back.code, back.message_vi, back.message_en) == (error.code, "thông điệp", "message")

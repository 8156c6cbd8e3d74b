"""The year-end copy to external media: a BagIt bag (RFC 8493) written and checked with the `bagit` library.

The bag is built in a sibling temporary folder and renamed into place, so a failed export never leaves a
half-written bag where a finished one is expected.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import bagit

from .errors import BagInvalidError, ExportError

CHECKSUMS = ("sha256", "sha512")


def write_bag(out: Path, files: Mapping[str, bytes], info: Mapping[str, str]) -> bagit.Bag:
    """`files`: relative path inside the bag's payload → bytes. Refuses to replace an existing folder."""
    if out.exists() and any(out.iterdir()):
        raise ExportError("not_empty", out=out)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, data in files.items():
            target = work / name
            if Path(name).is_absolute() or ".." in Path(name).parts:
                raise ExportError("file_name", name=name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        bagit.make_bag(str(work), bag_info=dict(info), checksums=list(CHECKSUMS))
        if out.exists():
            out.rmdir()
        work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return bagit.Bag(str(out))


def check_bag(folder: Path) -> bagit.Bag:
    """Every manifest checked against every payload file (full fixity, not only completeness)."""
    try:
        bag = bagit.Bag(str(folder))
        bag.validate()
    except bagit.BagError as exc:
        raise BagInvalidError(folder=folder, exc=str(exc)) from exc
    return bag

"""Signing figures (`hocba bench sign`): figures for a rendered THCS book with the development PKI on loopback.

- per signature: the principal's B-T approval signature (software key, local TSA) on a book whose subject
  teachers and homeroom teacher have signed, timed on the same base many times;
- baseline: the same signature with pyHanko used as its documentation shows (key loaded per call, full-font
  stamp, trial signature to size the CMS), in the same run;
- chain: all signatures of a book plus the seal's validation data and archive timestamp;
- verify: offline verification of a sealed book;
- bulk: a principal's sitting over many books (`hocba sign --batch`), on every core, start-up of the workers
  included.

The PKI's services run in a process of their own, like a real TSA and OCSP responder.
"""

from __future__ import annotations

import io
import logging
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers, timestamps
from pyhanko.stamp import TextStampStyle

from records import Record, signing_plan
from signer import (
    KeyKind,
    KeyReference,
    Pkcs12KeySource,
    SigningPolicy,
    SigningService,
    install_speedups,
    load_roots,
    verify,
)
from templates import render
from workflows.runtime import default_jobs
from workflows.sitting import Sitting, Workers, sign_sitting

from .. import pki
from ..secrets import from_environment
from .render import sample_records

_SECRET = "HOCBA_DEV_KEY_PASSWORD"
FULL_FONT = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def _baseline(base: bytes, p12: Path, tsa_url: str) -> float:
    start = time.perf_counter()
    signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=pki.DEV_PASSWORD)
    meta = signers.PdfSignatureMetadata(
        field_name="hieu_truong", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    style = TextStampStyle(
        stamp_text="%(signer)s\n%(ts)s", text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(FULL_FONT))
    )
    pdf_signer = signers.PdfSigner(meta, signer, timestamper=timestamps.HTTPTimeStamper(tsa_url), stamp_style=style)
    pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(base)))
    return time.perf_counter() - start


def _chain(service: SigningService, record: Record, keys: dict[str, Pkcs12KeySource]) -> tuple[float, bytes]:
    pdf = render(record).pdf
    start = time.perf_counter()
    for entry in signing_plan(record).entries:
        pdf = service.sign(pdf, entry.field, keys[entry.signer_id])
    return time.perf_counter() - start, pdf


@contextmanager
def _served_apart(folder: Path) -> Iterator[pki.DevPki]:
    """The PKI's OCSP, CRL and TSA in a process of their own, as a real TSA is: in this one they would compete
    with the signatures for the interpreter."""
    served = pki.DevPki.load(folder)
    process = subprocess.Popen(
        [sys.executable, "-m", "api", "pki", "serve", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", served.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the development PKI did not start") from None
                time.sleep(0.1)
        yield served
    finally:
        process.terminate()
        process.wait(timeout=10)


def _bulk(service: SigningService, base: bytes, p12: Path, principal: str, books: int) -> float:
    """Books per second of a principal's sitting (`hocba sign --batch`) over `books` copies, on every core. The
    books live in memory (/dev/shm where there is one): every book written is synced, and the figure is meant to be
    the signing, not the disk (a virtual disk here takes 5–90 ms a sync, varying by the minute)."""
    memory = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=memory if memory.is_dir() else None) as tmp:
        for i in range(books):
            (Path(tmp) / f"hs-{i:04d}.pdf").write_bytes(base)
        # The workers find the password in the environment they inherit, as the command's workers do.
        os.environ[_SECRET] = pki.DEV_PASSWORD.decode()
        reference = KeyReference(KeyKind.FILE, str(p12), _SECRET)
        workers = Workers(default_jobs(), reference, from_environment, install_speedups)
        start = time.perf_counter()
        result = sign_sitting(Sitting(Path(tmp), principal), service, reference.open(from_environment), workers)
        elapsed = time.perf_counter() - start
    assert result.signed == books, result.counts()
    return books / elapsed


def sign_figures(repeats: int = 20, books: int = 3, bulk: int = 1000) -> dict[str, Any]:
    """Per-signature (`repeats` principal signatures on the same base), chain (`books` books through the whole
    plan), verification and bulk (a sitting of `bulk` books on every core) figures."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    install_speedups()  # measured as the product runs
    records = sample_records(books, seed=21)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pki"
        people = {m.id: pki.Person(m.id, m.full_name) for r in records for m in r.staff}
        seal = f"school:{records[0].school.code}"
        people[seal] = pki.Person(seal, records[0].school.name)
        pki.init(folder, records[0].school.name, list(people.values()), pki.free_port())
        with _served_apart(folder) as served:
            policy = SigningPolicy(trust_roots=load_roots([folder / "root.pem"]), tsa_url=served.tsa_url)
            keys = {sid: Pkcs12KeySource(served.p12_path(sid), pki.DEV_PASSWORD) for sid in people}
            with SigningService(policy) as service:
                result = _measure(service, served, records, keys, repeats, bulk, folder)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["peak_rss_mb_largest_worker"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    return result


def _measure(
    service: SigningService,
    served: pki.DevPki,
    records: list[Record],
    keys: dict[str, Pkcs12KeySource],
    repeats: int,
    bulk: int,
    folder: Path,
) -> dict[str, Any]:
    record = records[0]
    base = render(record).pdf
    for entry in signing_plan(record).entries:
        if entry.field == "hieu_truong":
            break
        base = service.sign(base, entry.field, keys[entry.signer_id])
    principal = signing_plan(record).entry("hieu_truong").signer_id
    service.sign(base, "hieu_truong", keys[principal])  # warm-up: fonts, sessions
    ours = []
    for _ in range(repeats):
        book = bytes(bytearray(base))  # another object each time, as each book of a sitting is
        start = time.perf_counter()
        service.sign(book, "hieu_truong", keys[principal])
        ours.append(time.perf_counter() - start)
    baseline = [_baseline(base, served.p12_path(principal), served.tsa_url) for _ in range(max(3, repeats // 4))]
    chains = [_chain(service, r, keys) for r in records]
    roots = list(load_roots([folder / "root.pem"]))
    verifies = []
    for _, sealed in chains:
        start = time.perf_counter()
        assert verify(sealed, roots, offline=True).ok
        verifies.append(time.perf_counter() - start)
    bulk_rate = _bulk(service, base, served.p12_path(principal), principal, bulk) if bulk else 0.0
    per_signature, base_ms = _median_ms(ours), _median_ms(baseline)
    return {
        "per_signature_ms_median": per_signature,
        "baseline_out_of_box_ms": base_ms,
        "ratio_to_baseline": round(per_signature / base_ms, 3),
        "chain_ms_median": _median_ms([c for c, _ in chains]),
        "chain_ms_each": [round(c * 1000, 1) for c, _ in chains],  # the first one meets every signer cold
        "chain_signatures": len(signing_plan(record).entries),
        "verify_ms_median": _median_ms(verifies),
        "bulk_docs": bulk,
        "bulk_docs_per_s": round(bulk_rate, 2),
    }

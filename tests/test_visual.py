"""Layout regressions: rendered pages compared with reviewed reference images.

Regenerate the references after an intended layout change with HOCBA_UPDATE_REFERENCES=1, look at every
image, and commit them with the change.
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from templates import RenderOptions, render

from .conftest import require_tool, to_record

REFERENCE = Path(__file__).parent / "reference"
PAGES = [("thcs", 4, 1), ("thcs", 4, 2), ("thcs", 4, 3), ("thpt", 0, 2), ("tieu_hoc", 0, 2)]
DPI = 40


def _page_image(pdf: bytes, page: int, tmp_path: Path) -> np.ndarray[Any, Any]:
    require_tool("pdftoppm")
    source = tmp_path / "page.pdf"
    source.write_bytes(pdf)
    png = subprocess.run(
        ["pdftoppm", "-gray", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), str(source)],
        capture_output=True,
        check=True,
    ).stdout
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.int16)


@pytest.mark.parametrize(("level", "index", "page"), PAGES)
def test_page_matches_reference(
    raw_samples: dict[str, list[dict[str, Any]]], tmp_path: Path, level: str, index: int, page: int
) -> None:
    document = render(to_record(raw_samples[level][index]), RenderOptions())
    image = _page_image(document.pdf, page, tmp_path)
    reference = REFERENCE / f"{level}-{index}-p{page}.png"
    if os.environ.get("HOCBA_UPDATE_REFERENCES") == "1":
        Image.fromarray(image.astype(np.uint8)).save(reference, optimize=True)
    assert reference.is_file(), f"missing reference {reference.name}; see the module docstring"
    expected = np.asarray(Image.open(reference).convert("L"), dtype=np.int16)
    assert image.shape == expected.shape
    diff = np.abs(image - expected)
    # Tolerance for anti-aliasing noise; a moved line or a changed word breaks both bounds.
    assert diff.mean() < 0.8, f"mean difference {diff.mean():.2f}"
    assert (diff > 64).mean() < 0.003, f"{(diff > 64).mean():.4%} of pixels changed strongly"

"""Every page at a desktop's and a phone's width, compared with reviewed references in
`tests/reference/pages/`, and checked by axe-core. The school's two books are registered, not yet signed; parts
that change with the calendar (the copy register's year) are masked.

Regenerate the references after an intended change with HOCBA_UPDATE_REFERENCES=1, look at every image, and
commit them with the change."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from api.http.access import CSRF_COOKIE, SESSION_COOKIE
from archive import Role

from .browser_fixtures import serious_violations, served
from .http_fixtures import Site, embedded, open_site
from .signing_fixtures import School

REFERENCE = Path(__file__).parent / "reference" / "pages"
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
PAGES = [
    ("dang-nhap", None, "/dang-nhap"),
    ("xac-thuc", None, "/xac-thuc"),
    ("xac-thuc-ho-so", None, "/xac-thuc?id={thcs}"),
    ("hoc-ba", Role.STUDENT, "/hoc-ba"),
    ("ban-sao", Role.PARENT, "/ban-sao"),
    ("ky", Role.TEACHER, "/ky"),
    ("ky-so", Role.TEACHER, "/ky/{thcs}"),
    ("truong", Role.DEPUTY, "/truong"),
    ("dieu-chinh", Role.DEPUTY, "/dieu-chinh"),
    ("van-thu", Role.CLERK, "/van-thu/ban-sao"),
    ("luu-tru", Role.ARCHIVIST, "/luu-tru"),
    ("phong-toa", Role.ARCHIVIST, "/phong-toa"),
    ("tien-do", Role.SUPERVISOR, "/tien-do"),
]


@pytest.fixture(scope="module")
def shown(school: School, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    folder = tmp_path_factory.mktemp("pages")
    with open_site(school, embedded(school, folder)) as site, served(site.client.app) as url:
        yield site, url


def _compare(image: bytes, name: str) -> None:
    reference = REFERENCE / f"{name}.png"
    taken = Image.open(io.BytesIO(image))
    if os.environ.get("HOCBA_UPDATE_REFERENCES") == "1":
        taken.convert("RGB").save(reference, optimize=True)  # in colour, for the reviewer
    shot = np.asarray(taken.convert("L"), dtype=np.int16)
    assert reference.is_file(), f"missing reference {reference.name}; see the module docstring"
    expected = np.asarray(Image.open(reference).convert("L"), dtype=np.int16)
    assert shot.shape == expected.shape, f"{name}: {shot.shape} instead of {expected.shape}"
    diff = np.abs(shot - expected)
    # The same browser and fonts draw the same pixels; a word added to the menu moves the mean by about 0.13 and
    # changes about 0.07 % of the pixels strongly, so both bounds sit well below that.
    assert diff.mean() < 0.03, f"{name}: mean difference {diff.mean():.3f}"
    assert (diff > 64).mean() < 0.0002, f"{name}: {(diff > 64).mean():.4%} of pixels changed strongly"


@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_page_matches_its_references_and_passes_axe(
    browser: Any, shown: tuple[Site, str], name: str, who: Role | None, path: str
) -> None:
    site, url = shown
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})
    if who is not None:  # a session as signing in gives it (the sign-in itself is tested elsewhere)
        session = {"name": SESSION_COOKIE, "value": site.token(who), "url": url, "secure": True}
        context.add_cookies([session, {"name": CSRF_COOKIE, "value": "csrf", "url": url, "secure": True}])
    page = context.new_page()
    page.goto(url + path.format(thcs=site.thcs_id))
    assert page.url.endswith(path.format(thcs=site.thcs_id)) and page.locator("h2").count() > 0
    assert serious_violations(page) == [], name
    for width, (w, h) in WIDTHS.items():
        page.set_viewport_size({"width": w, "height": h})
        masks = [page.locator("a[href*='/v1/copies/register']"), page.locator("input[type=hidden]")]
        _compare(page.screenshot(full_page=True, mask=masks, animations="disabled"), f"{name}-{width}")
    context.close()

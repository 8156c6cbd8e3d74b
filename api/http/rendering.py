"""How every page is drawn: a Jinja2 template in the reader's language (Vietnamese unless they switched to
English), with the pages' security policy and caching. Templates write each text once in both languages,
`t("Học bạ", "Record books")`, and show the one the reader chose."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

LANG_COOKIE = "hocba_lang"
LANGUAGES = ("vi", "en")

_TEMPLATES = Environment(loader=PackageLoader("api.http", "templates"), autoescape=select_autoescape(["html"]))
_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_KINDS = {
    "hoc_ba": ("Học bạ", "Record book"),
    "ban_sao": ("Bản sao", "Certified copy"),
    "correction_minutes": ("Biên bản điều chỉnh", "Correction minutes"),
}
_OUTCOMES = {
    "passed": ("Đạt", "Passed"),
    "failed": ("Không đạt", "Failed"),
    "unchecked": ("Không kiểm tra được", "Could not be checked"),
}


def language(request: Request) -> str:
    """The reader's language: the one they chose with the switch, else Vietnamese."""
    chosen = request.cookies.get(LANG_COOKIE, "vi")
    return chosen if chosen in LANGUAGES else "vi"


def translator(lang: str) -> Any:
    """`t(vi, en)` (or `t((vi, en))`) → the text in `lang`."""

    def t(vi: str | tuple[str, str] | list[str], en: str | None = None) -> str:
        if not isinstance(vi, str):
            vi, en = vi[0], vi[1]
        return en if lang == "en" and en is not None else vi

    return t


def page(
    request: Request,
    name: str,
    code: int = 200,
    cache: str = "no-store",
    *,
    scripts: tuple[str, ...] = (),
    connect: tuple[str, ...] = (),
    **values: Any,
) -> HTMLResponse:
    """A page from its template. `scripts` are this site's own scripts the page loads (none by default: the
    policy forbids every script), `connect` the origins they may call besides this site."""
    lang = language(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    html = _TEMPLATES.get_template(name).render(
        t=translator(lang), lang=lang, here=here, scripts=scripts, kinds=_KINDS, outcomes=_OUTCOMES, **values
    )
    policy = _POLICY
    if scripts:
        policy += "; script-src 'self'; connect-src " + " ".join(("'self'", *connect))
    # The language comes from a cookie: a cached page must not answer a reader who chose the other one.
    headers = {"Content-Security-Policy": policy, "Cache-Control": cache, "Vary": "Cookie"}
    return HTMLResponse(html, code, headers=headers)

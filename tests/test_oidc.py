"""Signing in through the school's identity provider (OpenID Connect), against a real provider on loopback
(oidc-provider-mock): the code flow with PKCE and a nonce, linking one's own identity, the second factor the
provider must confirm for the school's authorities, and the attacks on the flow (a callback from another
browser or replayed, another person's code, ID tokens forged or meant for someone else, an open redirect)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import oidc_provider_mock
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from typer.testing import CliRunner

from api.cli import app as cli
from api.http.oidc import FLOW_COOKIE
from api.settings import Settings, SettingsError
from archive import Identity, IdentityRefusedError, OidcProvider, Role, SqlCatalog

from .http_fixtures import PASSWORD, Site, embedded, open_site
from .signing_fixtures import School


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def site(school: School, tmp_path: Path, issuer: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setenv("HOCBA_OIDC_SECRET", "client-secret")
    settings = embedded(school, tmp_path, oidc_issuer=issuer, oidc_client_id="hocba")
    with open_site(school, settings, books=False) as opened:
        yield opened


def _link(site: Site, role: Role, subject: str, issuer: str) -> None:
    book = site.client.app.state.services.accounts()  # type: ignore[attr-defined]
    book.link_identity(site.accounts[role].username, Identity(issuer, subject), "console")


def _at_provider(url: str, subject: str, claims: dict[str, Any] | None = None) -> str:
    """The person signs in at the provider as `subject`: where the provider sends the browser back."""
    base = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    if claims is not None:
        assert httpx.put(f"{base}/users/{quote(subject)}", json=claims).status_code == 204
    answer = httpx.post(url, data={"sub": subject})
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def _sign_in(site: Site, subject: str, claims: dict[str, Any] | None = None, next_path: str = "/v1/auth/me") -> str:
    started = site.client.get("/v1/auth/oidc/login", params={"next": next_path}, follow_redirects=False)
    assert started.status_code == 302, started.text
    assert FLOW_COOKIE in site.client.cookies
    return _at_provider(started.headers["location"], subject, claims)


def test_a_linked_teacher_signs_in_through_the_provider(site: Site, issuer: str) -> None:
    _link(site, Role.TEACHER, "toan@truong.edu.vn", issuer)
    back = _sign_in(site, "toan@truong.edu.vn", {"email": "toan@truong.edu.vn"})
    asked = parse_qs(urlsplit(back).query)
    assert set(asked) == {"code", "state"}
    page = site.client.get(back)
    assert page.status_code == 200, page.text
    assert 'content="0;url=/v1/auth/me"' in page.text
    assert FLOW_COOKIE not in site.client.cookies  # the sign-in is over: its cookie goes
    me = site.client.get("/v1/auth/me")  # the page session's cookie
    assert me.status_code == 200 and me.json()["username"] == "gv.toan"
    again = site.client.get(back)  # the same answer brought back a second time
    assert again.status_code == 401 and again.json()["code"] == "auth.failed"


def test_the_authorization_request_carries_pkce_and_a_nonce(site: Site) -> None:
    started = site.client.get("/v1/auth/oidc/login", follow_redirects=False)
    asked = parse_qs(urlsplit(started.headers["location"]).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["response_type"] == ["code"]
    assert len(asked["code_challenge"][0]) == 43 and len(asked["nonce"][0]) >= 32
    assert asked["redirect_uri"] == ["https://testserver/v1/auth/oidc/callback"]
    cookie = started.headers["set-cookie"]
    assert cookie.startswith(f"{FLOW_COOKIE}=") and "HttpOnly" in cookie and "Secure" in cookie
    assert "SameSite=lax" in cookie and "Path=/" in cookie and "Domain" not in cookie


def test_an_identity_that_opens_no_account_signs_nobody_in(site: Site) -> None:
    back = _sign_in(site, "nobody@example.com", {"email": "nobody@example.com"})
    refused = site.client.get(back, headers={"Accept-Language": "en"})
    assert refused.status_code == 401 and refused.json()["code"] == "auth.failed"
    assert "opens no active hocba account" in refused.json()["detail"]
    assert site.client.get("/v1/auth/me").status_code == 401


def test_the_school_authorities_need_the_provider_to_confirm_a_second_factor(site: Site, issuer: str) -> None:
    _link(site, Role.PRINCIPAL, "hieu.truong@truong.edu.vn", issuer)
    back = _sign_in(site, "hieu.truong@truong.edu.vn", {"amr": ["pwd"]})
    refused = site.client.get(back)
    assert refused.status_code == 401
    assert refused.json()["message_en"].startswith("This account needs a second factor")
    back = _sign_in(site, "hieu.truong@truong.edu.vn", {"amr": ["pwd", "otp"]})
    assert site.client.get(back).status_code == 200
    assert site.client.get("/v1/auth/me").json()["role"] == "principal"


def test_a_disabled_account_cannot_sign_in_through_the_provider(site: Site, issuer: str) -> None:
    _link(site, Role.TEACHER, "toan@truong.edu.vn", issuer)
    site.client.app.state.services.accounts().disable("gv.toan", "console")  # type: ignore[attr-defined]
    refused = site.client.get(_sign_in(site, "toan@truong.edu.vn", {}))
    assert refused.status_code == 401 and site.client.get("/v1/auth/me").status_code == 401


def test_a_callback_without_the_browser_that_asked_is_refused(site: Site, issuer: str) -> None:
    """Login forgery: someone sends a victim the provider's answer meant for their own browser."""
    _link(site, Role.TEACHER, "toan@truong.edu.vn", issuer)
    back = _sign_in(site, "toan@truong.edu.vn", {})
    site.client.cookies.clear()  # another browser: no flow cookie
    refused = site.client.get(back)
    assert refused.status_code == 401 and refused.json()["code"] == "auth.failed"
    assert "no longer valid" in refused.json()["message_en"]


def test_another_persons_code_is_refused_by_pkce(site: Site, issuer: str) -> None:
    """Code injection: the attacker's own code, brought back in the victim's sign-in (state and cookie right)."""
    _link(site, Role.TEACHER, "toan@truong.edu.vn", issuer)
    attackers = parse_qs(urlsplit(_sign_in(site, "toan@truong.edu.vn", {})).query)["code"][0]
    site.client.cookies.clear()
    victims = urlsplit(_sign_in(site, "someone-else", {}))
    state = parse_qs(victims.query)["state"][0]
    refused = site.client.get("/v1/auth/oidc/callback", params={"code": attackers, "state": state})
    assert refused.status_code == 401 and refused.json()["code"] == "archive.identity_refused"
    assert site.client.get("/v1/auth/me").status_code == 401


def test_a_staff_member_links_their_own_identity_and_unlinks_it(site: Site, issuer: str) -> None:
    login = site.client.post("/v1/auth/login", json={"username": "gv.toan", "password": PASSWORD})
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    forged = site.client.post("/v1/auth/oidc/link", json={})  # a cross-site form cannot send the header
    assert forged.status_code == 403 and forged.json()["code"] == "auth.forbidden"
    started = site.client.post("/v1/auth/oidc/link", json={"next": "/trang-ca-nhan"}, headers=csrf)
    assert started.status_code == 200, started.text
    back = _at_provider(started.json()["authorization_url"], "toan.gv", {})
    linked = site.client.get(back)
    assert linked.status_code == 200 and 'url=/trang-ca-nhan"' in linked.text
    events = list(SqlCatalog(site.client.app.state.services.engine).events())  # type: ignore[attr-defined]
    assert [e.actor for e in events if e.action == "account.identity_linked"] == ["gv.toan"]

    site.client.cookies.clear()
    assert site.client.get(_sign_in(site, "toan.gv")).status_code == 200
    assert site.client.get("/v1/auth/me").json()["username"] == "gv.toan"
    unlinked = site.client.delete("/v1/auth/oidc/link", headers={**site.as_role(Role.TEACHER)})
    assert unlinked.status_code == 204
    site.client.cookies.clear()
    assert site.client.get(_sign_in(site, "toan.gv")).status_code == 401


def test_an_identity_opens_one_account_only(site: Site, issuer: str) -> None:
    _link(site, Role.TEACHER, "shared", issuer)
    answer = site.client.post("/v1/auth/oidc/link", json={}, headers=site.as_role(Role.CLERK))
    back = _at_provider(answer.json()["authorization_url"], "shared", {})
    taken = site.client.get(back)
    assert taken.status_code == 409 and taken.json()["code"] == "archive.identity_taken"


def test_where_to_go_after_stays_on_this_site(site: Site, issuer: str) -> None:
    _link(site, Role.TEACHER, "toan@truong.edu.vn", issuer)
    for elsewhere in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        site.client.cookies.clear()
        page = site.client.get(_sign_in(site, "toan@truong.edu.vn", {}, next_path=elsewhere))
        assert page.status_code == 200 and 'content="0;url=/"' in page.text, elsewhere


def test_without_a_provider_the_routes_answer_404(school: School, tmp_path: Path) -> None:
    with open_site(school, embedded(school, tmp_path), books=False) as plain:
        answer = plain.client.get("/v1/auth/oidc/login", follow_redirects=False)
        assert answer.status_code == 404 and answer.json()["code"] == "auth.federation_off"


def test_the_provider_must_be_reached_over_https_off_this_machine() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"HOCBA_OIDC_ISSUER": "http://idp.example.edu.vn", "HOCBA_OIDC_CLIENT_ID": "hocba"})
    assert refused.value.key == "settings.invalid:https"
    with pytest.raises(SettingsError) as missing:
        Settings.from_env({"HOCBA_OIDC_ISSUER": "https://idp.example.edu.vn"})
    assert missing.value.key == "settings.invalid:oidc_client"
    found = Settings.from_env(
        {
            "HOCBA_OIDC_ISSUER": "https://idp.example.edu.vn",
            "HOCBA_OIDC_CLIENT_ID": "hocba",
            "HOCBA_OIDC_SECOND_FACTOR": "mfa, hwk",
        }
    )
    assert found.oidc_second_factor == frozenset({"mfa", "hwk"})


def _id_token(key: RSAKey, **claims: Any) -> str:
    now = int(time.time())
    body = {"iat": now, "exp": now + 300, "sub": "toan", "aud": "hocba", "nonce": "n-1", **claims}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, body, key)


def test_forged_or_misdirected_id_tokens_are_refused(issuer: str) -> None:
    """The ID token is checked the way authlib's web integrations check it: the provider's key, the issuer, the
    audience (this client), expiry and the nonce of this sign-in."""
    provider = OidcProvider(issuer, "hocba", "client-secret")
    keys = httpx.get(f"{issuer}/jwks").json()
    theirs = RSAKey.import_key(keys["keys"][0])
    assert not theirs.is_private  # the provider's published key cannot sign: a forger uses their own
    forger = RSAKey.generate_key(2048, parameters={"kid": str(theirs.kid)})
    cases = {
        "another key": _id_token(forger, iss=issuer),
        "unsigned": "eyJhbGciOiJub25lIn0." + _id_token(forger, iss=issuer).split(".")[1] + ".",
    }
    for name, token in cases.items():
        with pytest.raises(IdentityRefusedError) as refused:
            provider._claims(token, "n-1", "")
        assert refused.value.key == "archive.identity_refused:token", name


@pytest.fixture
def signing_provider(issuer: str) -> Iterator[tuple[OidcProvider, RSAKey]]:
    """A provider whose keys this test holds (its metadata the mock's), to build tokens that are right in all
    but one respect."""
    key = RSAKey.generate_key(2048, parameters={"kid": "test-key"}, private=True)
    provider = OidcProvider(issuer, "hocba", "client-secret")
    provider._keys = {"keys": [key.as_dict(private=False)]}
    yield provider, key


def test_id_tokens_right_in_all_but_one_respect_are_refused(
    signing_provider: tuple[OidcProvider, RSAKey], issuer: str
) -> None:
    provider, key = signing_provider
    assert provider._claims(_id_token(key, iss=issuer), "n-1", "")["sub"] == "toan"
    wrong: dict[str, dict[str, Any]] = {
        "issuer": {"iss": "https://elsewhere.example"},
        "audience": {"iss": issuer, "aud": "another-client"},
        "expired": {"iss": issuer, "exp": int(time.time()) - 3600},
        "nonce": {"iss": issuer, "nonce": "n-2"},
    }
    for name, claims in wrong.items():
        with pytest.raises(IdentityRefusedError) as refused:
            provider._claims(_id_token(key, **claims), "n-1", "")
        assert refused.value.key == "archive.identity_refused:token", name


def test_the_console_links_an_identity(
    site: Site, issuer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOCBA_OIDC_ISSUER", issuer)
    monkeypatch.setenv("HOCBA_OIDC_CLIENT_ID", "hocba")
    database = f"sqlite:///{tmp_path / 'hocba.db'}"
    linked = CliRunner().invoke(cli, ["account", "link-identity", "van.thu", "vt@truong", "--database", database])
    assert linked.exit_code == 0, linked.output
    store = site.client.app.state.services.accounts().store  # type: ignore[attr-defined]
    assert store.identities("van.thu") == [Identity(issuer, "vt@truong")]
    gone = CliRunner().invoke(cli, ["account", "unlink-identity", "van.thu", "--database", database])
    assert gone.exit_code == 0 and store.identities("van.thu") == []


def test_a_provider_that_does_not_answer_is_a_retryable_503(school: School, tmp_path: Path) -> None:
    settings = embedded(school, tmp_path, oidc_issuer="http://127.0.0.1:9", oidc_client_id="hocba", fetch_timeout=2)
    with open_site(school, settings, books=False) as down:
        answer = down.client.get("/v1/auth/oidc/login", follow_redirects=False)
        assert answer.status_code == 503 and answer.json()["code"] == "archive.identity_provider"
        assert answer.json()["retryable"] is True

"""Browser login through the router against a real OpenID provider, with a real HTTP client.

The client follows redirects from the router (in process, at https://router.test) to the
provider's login form on 127.0.0.1 and back, as a browser does, and keeps the cookies.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import jwt
import pytest
from pydantic import SecretStr

from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import IssuerUnavailable
from renku_fed.router.auth import LoginSettings, MemorySessionStore, SessionStore
from renku_fed.router.auth.oidc import OidcClient, TokenSet
from renku_fed.router.auth.sessions import SealedStore, Session, load_session_key
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph
from tests.support.fake_subgraphs import FakeSubgraphs
from tests.support.oidc.provider import OidcProvider

pytest_plugins = ["tests.support.services.redis"]

ROUTER = "https://router.test"
COOKIE = "__Host-renku-session"
ME = {"query": "{ me { name } }"}


@pytest.fixture(scope="module")
def idp() -> Iterator[OidcProvider]:
    """A realm of this module's own (its keys are rotated here) that knows the router's callback."""
    with OidcProvider(realm="renku", redirect_uris=(f"{ROUTER}/auth/callback",)) as provider:
        yield provider


class Browser:
    """An HTTP client that follows redirects and keeps cookies, and the router it talks to."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        idp: OidcProvider,
        login: LoginSettings,
        store: SessionStore | None,
    ) -> None:
        self.client = client
        self.idp = idp
        self.login_settings = login
        self.store = store
        self.started: httpx.Response | None = None

    async def sign_in(self, username: str = "alice", redirect: str = "/healthz") -> httpx.Response:
        """Go through /auth/login, the provider's login form and back to the router."""
        form = await self.client.get(f"{ROUTER}/auth/login", params={"redirect": redirect})
        assert form.status_code == 200, form.text
        self.started = form.history[0]
        match = re.search(r'<form id="kc-form-login" method="post" action="([^"]+)"', form.text)
        assert match is not None, form.text
        user = self.idp.users[username]
        return await self.client.post(
            urljoin(str(form.url), html.unescape(match.group(1))),
            data={"username": username, "password": user.password},
        )

    async def graphql(self, body: dict[str, Any] = ME, **headers: str) -> httpx.Response:
        """A cookie-authenticated POST, JSON as a single-page app sends it."""
        return await self.client.post(f"{ROUTER}/graphql", json=body, headers=headers)

    async def session(self) -> Session | None:
        """The session the browser's cookie names, read (decrypted) from the router's store."""
        assert self.store is not None
        sealed = SealedStore(self.store, load_session_key(self.login_settings))
        value = await sealed.get("session", self.client.cookies.get(COOKIE) or "")
        return Session.from_json(value) if value is not None else None


@asynccontextmanager
async def browser(
    idp: OidcProvider,
    supergraph: Supergraph,
    fakes: FakeSubgraphs,
    data_dir: Path,
    session_store: SessionStore | None = None,
    redis_url: str | None = None,
    **login: Any,
) -> AsyncIterator[Browser]:
    """A started router that signs browsers in at `idp`, and a browser in front of it."""
    defaults = {
        "client_id": idp.client_id,
        "client_secret": SecretStr(idp.client_secret),
        "public_url": ROUTER,
        "data_dir": data_dir,
    }
    settings = LoginSettings(**{**defaults, **login})
    if session_store is None and settings.store == "memory":
        session_store = MemorySessionStore()
    app = create_router_app(
        RouterSettings(login=settings, redis_url=SecretStr(redis_url) if redis_url else None),
        supergraph,
        transport=fakes.transport,
        auth_settings=AuthSettings(issuer=idp.issuer, audiences=["renku"]),
        session_store=session_store,
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            mounts={"all://router.test": httpx.ASGITransport(app=app)},
            follow_redirects=True,
            timeout=10,
        ) as client,
    ):
        yield Browser(client, idp, settings, session_store)


class RecordingStore(MemorySessionStore):
    """An in-memory store that keeps every key and value written to it."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[tuple[str, bytes]] = []

    async def put(self, key: str, value: bytes, ttl_seconds: float) -> None:
        """Record, then store."""
        self.written.append((key, value))
        await super().put(key, value, ttl_seconds)


def forwarded_token(fakes: FakeSubgraphs, index: int = -1) -> str:
    """The bearer token of a subgraph request (the last one by default)."""
    headers = fakes.requests[index][2]
    assert "cookie" not in headers
    scheme, _, token = headers["authorization"].partition(" ")
    assert scheme == "Bearer"
    return token


async def test_browser_login_then_cookie_request_reaches_the_subgraph_with_a_bearer_token(
    idp: OidcProvider, supergraph: Supergraph, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    async with browser(idp, supergraph, fakes, tmp_path) as b:
        landed = await b.sign_in("alice", redirect="/healthz")
        response = await b.graphql()
        session = await b.session()

    assert str(landed.url) == f"{ROUTER}/healthz" and landed.status_code == 200
    assert b.started is not None and b.started.url.path == "/auth/login"
    callback = landed.history[-1]
    authorize = parse_qs(urlsplit(b.started.headers["location"]).query)
    assert authorize["code_challenge_method"] == ["S256"]
    assert authorize["redirect_uri"] == [f"{ROUTER}/auth/callback"]
    assert {"state", "nonce", "code_challenge"} <= authorize.keys()
    assert callback.url.path == "/auth/callback"
    set_cookie = next(
        value for value in callback.headers.get_list("set-cookie") if value.startswith(COOKIE)
    )
    attributes = {part.strip().lower() for part in set_cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=lax", "path=/"} <= attributes
    session_id = set_cookie.split(";")[0].partition("=")[2]
    assert len(session_id) >= 43 and "." not in session_id  # opaque, not a token

    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"name": "Ann"}}}
    token = forwarded_token(fakes)
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == idp.users["alice"].sub
    assert session is not None and session.tokens.access_token == token


async def test_a_session_started_at_one_replica_is_served_by_another_sharing_redis(
    idp: OidcProvider,
    supergraph: Supergraph,
    fakes: FakeSubgraphs,
    tmp_path: Path,
    redis_url: str,
) -> None:
    # Both replicas read the session key from the same data_dir, as if it were configured.
    replica = {"redis_url": redis_url, "store": "redis"}
    async with (
        browser(idp, supergraph, fakes, tmp_path, **replica) as first,
        browser(idp, supergraph, fakes, tmp_path, **replica) as second,
    ):
        await first.sign_in()
        second.client.cookies = first.client.cookies
        served = await second.graphql()
        logout = await second.client.post(f"{ROUTER}/auth/logout", follow_redirects=False)
        after_logout = await first.graphql()

    assert served.json() == {"data": {"me": {"name": "Ann"}}}
    assert logout.status_code == 303
    assert after_logout.status_code == 401


async def test_sessions_are_stored_encrypted_under_hashed_ids(
    idp: OidcProvider, supergraph: Supergraph, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    store = RecordingStore()
    async with browser(idp, supergraph, fakes, tmp_path, store) as b:
        await b.sign_in()
        session = await b.session()
        session_id = b.client.cookies[COOKIE]

    assert session is not None and session.tokens.refresh_token
    raw = b"".join(value for _, value in store.written)
    keys = " ".join(key for key, _ in store.written)
    for secret in (session.tokens.access_token, session.tokens.refresh_token, session_id):
        assert secret.encode() not in raw and secret not in keys
    assert (tmp_path / "session-key").stat().st_mode & 0o077 == 0


async def test_cookie_requests_need_a_non_simple_content_type_or_a_csrf_header(
    idp: OidcProvider, supergraph: Supergraph, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    get = f"{ROUTER}/graphql?query={{me{{name}}}}"
    async with browser(idp, supergraph, fakes, tmp_path) as b:
        await b.sign_in()
        refused_get = await b.client.get(get)
        refused_form = await b.client.post(
            f"{ROUTER}/graphql",
            content=b'{"query": "{ me { name } }"}',
            headers={"content-type": "text/plain"},
        )
        assert fakes.requests == []
        allowed_get = await b.client.get(get, headers={"x-renku-csrf": "1"})
        allowed_apollo = await b.client.get(get, headers={"apollo-require-preflight": "true"})
        allowed_json = await b.graphql()

    assert refused_get.status_code == 400
    assert "Cross-Site Request Forgery" in refused_get.json()["errors"][0]["message"]
    assert refused_form.status_code == 415
    for allowed in (allowed_get, allowed_apollo, allowed_json):
        assert allowed.json() == {"data": {"me": {"name": "Ann"}}}
    assert len(fakes.requests) == 3


async def test_tokens_are_refreshed_before_they_expire_once_per_session(
    idp: OidcProvider, supergraph: Supergraph, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    async with browser(idp, supergraph, fakes, tmp_path, refresh_margin_seconds=5) as b:
        with idp.access_token_ttl(8):
            await b.sign_in()
            first = await b.graphql()
            token = forwarded_token(fakes)
            before = await b.session()
            # Within the margin now: several requests at once share one refresh.
            await asyncio.sleep(3.5)
            responses = await asyncio.gather(*(b.graphql() for _ in range(5)))
        after = await b.session()

    assert first.status_code == 200
    assert all(r.json() == {"data": {"me": {"name": "Ann"}}} for r in responses)
    refreshed = {forwarded_token(fakes, i) for i in range(1, len(fakes.requests))}
    assert len(refreshed) == 1 and token not in refreshed
    assert before is not None and after is not None
    assert after.tokens.refresh_token != before.tokens.refresh_token  # the issuer rotates them
    assert after.tokens.access_token in refreshed


async def test_login_survives_a_key_rotation(
    idp: OidcProvider, supergraph: Supergraph, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    async with browser(idp, supergraph, fakes, tmp_path, refresh_margin_seconds=5) as b:
        with idp.access_token_ttl(8):
            await b.sign_in()
            assert (await b.graphql()).status_code == 200
            old_kid = jwt.get_unverified_header(forwarded_token(fakes))["kid"]
            new_kid = idp.rotate_keys(keep_previous=True)
            # The session's token, signed with the old key, still works ...
            assert (await b.graphql()).status_code == 200
            await asyncio.sleep(3.5)
            # ... and its refreshed token, signed with the new key, too.
            response = await b.graphql()

    assert response.json() == {"data": {"me": {"name": "Ann"}}}
    assert jwt.get_unverified_header(forwarded_token(fakes))["kid"] == new_kid != old_kid


async def test_logout_ends_the_router_session_and_the_issuer_session(
    idp: OidcProvider, supergraph: Supergraph, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    async with browser(idp, supergraph, fakes, tmp_path) as b:
        await b.sign_in()
        session = await b.session()
        session_id = b.client.cookies[COOKIE]
        assert session is not None and session.tokens.refresh_token
        keycloak = idp.keycloak_openid()
        assert keycloak.introspect(session.tokens.refresh_token)["active"] is True

        landed = await b.client.get(f"{ROUTER}/auth/logout", params={"redirect": "/healthz"})
        cookie_after = b.client.cookies.get(COOKIE)
        replayed = await b.client.post(
            f"{ROUTER}/graphql", json=ME, headers={"cookie": f"{COOKIE}={session_id}"}
        )
        me = await b.client.get(f"{ROUTER}/auth/me")

    assert str(landed.url) == f"{ROUTER}/healthz"
    assert cookie_after is None
    assert replayed.status_code == 401
    assert "session has ended" in replayed.json()["errors"][0]["message"]
    assert me.json() == {"authenticated": False}
    assert keycloak.introspect(session.tokens.refresh_token)["active"] is False
    assert keycloak.introspect(session.tokens.access_token)["active"] is False
    assert fakes.requests == []


async def test_me_describes_the_signed_in_user(
    idp: OidcProvider, supergraph: Supergraph, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    async with browser(idp, supergraph, fakes, tmp_path) as b:
        anonymous = await b.client.get(f"{ROUTER}/auth/me")
        await b.sign_in("bob")
        me = await b.client.get(f"{ROUTER}/auth/me")

    assert anonymous.json() == {"authenticated": False}
    assert me.json() == {
        "authenticated": True,
        "subject": idp.users["bob"].sub,
        "username": "bob",
        "email": "bob@example.org",
        "first_name": "Bob",
        "last_name": "Builder",
    }


@pytest.mark.parametrize(
    "redirect",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "x"],
)
async def test_login_refuses_redirects_off_the_site(
    idp: OidcProvider,
    supergraph: Supergraph,
    fakes: FakeSubgraphs,
    tmp_path: Path,
    redirect: str,
) -> None:
    async with browser(idp, supergraph, fakes, tmp_path) as b:
        response = await b.client.get(f"{ROUTER}/auth/login", params={"redirect": redirect})
        logout = await b.client.get(f"{ROUTER}/auth/logout", params={"redirect": redirect})

    assert response.status_code == 400 and "path on this site" in response.text
    assert str(logout.url) == f"{ROUTER}/" and not logout.history[-1].headers.get(
        "location", ""
    ).startswith(("http", "//"))


async def test_callback_is_refused_in_a_browser_that_did_not_start_the_login(
    idp: OidcProvider, supergraph: Supergraph, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    async with browser(idp, supergraph, fakes, tmp_path) as victim:
        # The attacker's login stops at the callback; its URL is what would be sent to a victim.
        victim.client.follow_redirects = False
        start = await victim.client.get(f"{ROUTER}/auth/login")
        state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
        victim.client.cookies.clear()
        forged = await victim.client.get(
            f"{ROUTER}/auth/callback", params={"code": "stolen", "state": state}
        )
        unknown = await victim.client.get(f"{ROUTER}/auth/callback", params={"state": "x"})

    assert forged.status_code == 400 and "not started in this browser" in forged.text
    assert unknown.status_code == 400
    assert not any(c.startswith(f"{COOKIE}=") for c in forged.headers.get_list("set-cookie"))


async def test_sqlite_sessions_survive_a_router_restart(
    idp: OidcProvider, supergraph: Supergraph, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    async with browser(idp, supergraph, fakes, tmp_path, store="sqlite") as first:
        await first.sign_in()
        session_id = first.client.cookies[COOKIE]
    async with browser(idp, supergraph, fakes, tmp_path, store="sqlite") as second:
        response = await second.client.post(
            f"{ROUTER}/graphql", json=ME, headers={"cookie": f"{COOKIE}={session_id}"}
        )

    assert response.json() == {"data": {"me": {"name": "Ann"}}}
    assert (tmp_path / "sessions.sqlite3").exists()


async def test_no_token_or_session_id_reaches_the_logs(
    idp: OidcProvider,
    supergraph: Supergraph,
    fakes: FakeSubgraphs,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with browser(idp, supergraph, fakes, tmp_path, refresh_margin_seconds=5) as b:
        with idp.access_token_ttl(8):
            await b.sign_in()
            before = await b.session()
            await asyncio.sleep(3.5)
            await b.graphql()
            after = await b.session()
            session_id = b.client.cookies[COOKIE]
            await b.client.get(f"{ROUTER}/auth/logout")

    assert before is not None and after is not None
    secrets = {session_id}
    for tokens in (before.tokens, after.tokens):
        secrets |= {t for t in (tokens.access_token, tokens.refresh_token, tokens.id_token) if t}
    assert any(r.getMessage() == "session refreshed" for r in caplog.records)
    for record in caplog.records:
        text = str(vars(record))
        assert not any(secret in text for secret in secrets), record.getMessage()


async def test_a_session_the_issuer_ended_is_refused_and_its_cookie_dropped(
    idp: OidcProvider, supergraph: Supergraph, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    async with browser(idp, supergraph, fakes, tmp_path, refresh_margin_seconds=5) as b:
        with idp.access_token_ttl(8):
            await b.sign_in()
            session = await b.session()
            assert session is not None and session.tokens.refresh_token
            idp.keycloak_openid().logout(session.tokens.refresh_token)  # ended elsewhere
            await asyncio.sleep(3.5)
            response = await b.graphql()
        cookie_after = b.client.cookies.get(COOKIE)

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "session has ended" in response.json()["errors"][0]["message"]
    assert cookie_after is None
    assert fakes.requests == []


async def test_a_session_whose_token_cannot_be_refreshed_while_the_issuer_is_down_is_503(
    idp: OidcProvider,
    supergraph: Supergraph,
    fakes: FakeSubgraphs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def unreachable(self: OidcClient, tokens: TokenSet) -> TokenSet:
        raise IssuerUnavailable("The identity provider could not be reached; try again later.")

    async with browser(idp, supergraph, fakes, tmp_path) as b:
        await b.sign_in()
        session = await b.session()
        assert session is not None and b.store is not None
        expired = replace(session, tokens=replace(session.tokens, expires_at=time.time() - 1))
        sealed = SealedStore(b.store, load_session_key(b.login_settings))
        await sealed.put("session", b.client.cookies[COOKIE], expired.to_json(), 600)
        monkeypatch.setattr(OidcClient, "refresh", unreachable)
        response = await b.graphql()
        cookie_after = b.client.cookies.get(COOKIE)

    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "IDENTITY_PROVIDER_UNAVAILABLE"
    assert cookie_after is not None
    assert fakes.requests == []


async def test_a_login_the_issuer_refuses_sets_no_session(
    idp: OidcProvider, supergraph: Supergraph, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    wrong_secret = SecretStr("not-the-secret")
    async with browser(idp, supergraph, fakes, tmp_path, client_secret=wrong_secret) as b:
        landed = await b.sign_in()
        cookies = {cookie.name for cookie in b.client.cookies.jar}

    assert landed.url.path == "/auth/callback"
    assert landed.status_code == 400 and "refused the request (invalid_client)" in landed.text
    assert COOKIE not in cookies and f"{COOKIE}-login" not in cookies


async def test_an_error_from_the_issuer_ends_the_login_with_its_code_only(
    idp: OidcProvider, supergraph: Supergraph, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    async with browser(idp, supergraph, fakes, tmp_path) as b:
        b.client.follow_redirects = False
        start = await b.client.get(f"{ROUTER}/auth/login")
        state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
        error = "access_denied<script>alert(1)</script>"
        refused = await b.client.get(
            f"{ROUTER}/auth/callback", params={"state": state, "error": error}
        )
        replayed = await b.client.get(f"{ROUTER}/auth/callback", params={"state": state})

    assert refused.status_code == 400
    assert refused.text.endswith("(access_deniedscriptalert1script).")
    assert replayed.status_code == 400  # a login ends at its first callback

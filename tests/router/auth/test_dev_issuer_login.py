"""Browser login out of the box: the router signs browsers in at the embedded dev issuer.

The users app (which serves the dev issuer) listens on a real port, as under `renku-fed up`; the
router runs in process at http://router.test with the login `renku-fed up` configures, and an
httpx client follows the redirects and keeps the cookies as a browser does.
"""

from __future__ import annotations

import html
import re
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
import uvicorn
from pydantic import SecretStr

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.dev_login import DEMO_PASSWORD, register_dev_client
from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.auth import LoginSettings
from renku_fed.router.auth.oidc import code_challenge
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph
from renku_fed.subgraphs.users.app import build_app
from renku_fed.subgraphs.users.settings import UsersSettings
from tests.support.fake_subgraphs import FakeSubgraphs

ROUTER = "http://router.test"
COOKIE = "renku-session"


class IssuerServer:
    """The users app with its dev issuer, served by uvicorn on a free port in a thread."""

    def __init__(self, data_dir: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/realms/renku"
        issuer_dir = data_dir / "dev-issuer"
        self.issuer = DevIssuer.create(issuer_dir, self.url)
        self.client = register_dev_client(issuer_dir, "renku", [f"{ROUTER}/auth/callback"])
        settings = UsersSettings(data_dir=data_dir / "users", dev_issuer_dir=issuer_dir)
        app = build_app(settings, TokenVerifier(AuthSettings(issuer=self.url)))
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> IssuerServer:
        self._thread.start()
        while not self._server.started:
            threading.Event().wait(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)

    def token_endpoint(self) -> str:
        """Where codes and refresh tokens are traded."""
        return f"{self.url}/protocol/openid-connect/token"


@pytest.fixture
def issuer(tmp_path: Path) -> Iterator[IssuerServer]:
    """The dev issuer on a real port, with the router registered as its client."""
    with IssuerServer(tmp_path) as server:
        yield server


@asynccontextmanager
async def browser(
    issuer: IssuerServer, supergraph: Supergraph, fakes: FakeSubgraphs, data_dir: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """A router configured as `renku-fed up` configures it, and a browser in front of it."""
    login = LoginSettings(
        client_id=issuer.client.client_id,
        client_secret=SecretStr(issuer.client.client_secret),
        cookie_secure=False,
        cookie_name=COOKIE,
        data_dir=data_dir,
    )
    app = create_router_app(
        RouterSettings(login=login),
        supergraph,
        transport=fakes.transport,
        auth_settings=AuthSettings(issuer=issuer.url),
    )
    mounts = {"all://router.test": httpx.ASGITransport(app=app)}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(mounts=mounts, follow_redirects=True, timeout=10) as client,
    ):
        yield client


async def login_page(client: httpx.AsyncClient) -> tuple[httpx.Response, str]:
    """Start a login at the router; the issuer's login page and its form's action URL."""
    page = await client.get(f"{ROUTER}/auth/login", params={"redirect": "/healthz"})
    assert page.status_code == 200, page.text
    match = re.search(r'<form method="post" id="password-login">', page.text)
    assert match is not None and "Sign in to Renku" in page.text
    return page, str(page.url)


def hidden_fields(page: str) -> dict[str, str]:
    """The authorization request the login page posts back."""
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    return {name: html.unescape(value) for name, value in fields}


async def test_a_demo_user_signs_in_through_the_login_page_and_the_router_forwards_a_token(
    issuer: IssuerServer, supergraph: Supergraph, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    async with browser(issuer, supergraph, fakes, tmp_path) as client:
        page, action = await login_page(client)
        fields = hidden_fields(page.text)
        landed = await client.post(action, data={**fields, "demo_user": "alice"})
        me = await client.get(f"{ROUTER}/auth/me")
        answer = await client.post(f"{ROUTER}/graphql", json={"query": "{ me { name } }"})

    authorize = parse_qs(urlsplit(page.history[0].headers["location"]).query)
    assert authorize["code_challenge_method"] == ["S256"]
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert str(landed.url) == f"{ROUTER}/healthz" and landed.status_code == 200
    assert landed.history[0].status_code == 302  # the issuer sends the code back
    set_cookie = landed.history[-1].headers["set-cookie"]
    assert set_cookie.startswith(f"{COOKIE}=") and "secure" not in set_cookie.lower()
    assert me.json()["username"] == "alice"
    assert answer.status_code == 200 and answer.json() == {"data": {"me": {"name": "Ann"}}}
    token = fakes.requests[-1][2]["authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == dev_subject("alice") and claims["iss"] == issuer.url


async def test_any_username_signs_in_with_the_demo_password_and_a_wrong_one_is_refused(
    issuer: IssuerServer, supergraph: Supergraph, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    async with browser(issuer, supergraph, fakes, tmp_path) as client:
        page, action = await login_page(client)
        fields = hidden_fields(page.text)
        refused = await client.post(action, data={**fields, "username": "dora", "password": "x"})
        landed = await client.post(
            action, data={**fields, "username": "Dora", "password": DEMO_PASSWORD}
        )
        me = await client.get(f"{ROUTER}/auth/me")

    assert refused.status_code == 401 and "wrong password" in refused.text
    assert str(landed.url) == f"{ROUTER}/healthz"
    assert me.json()["username"] == "dora"


async def test_sign_out_drops_the_session_and_its_cookie(
    issuer: IssuerServer, supergraph: Supergraph, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    async with browser(issuer, supergraph, fakes, tmp_path) as client:
        page, action = await login_page(client)
        await client.post(action, data={**hidden_fields(page.text), "demo_user": "bob"})
        signed_in = await client.get(f"{ROUTER}/auth/me")
        await client.post(f"{ROUTER}/auth/logout")
        me = await client.get(f"{ROUTER}/auth/me")
    assert signed_in.json()["username"] == "bob"
    assert me.json() == {"authenticated": False}
    assert COOKIE not in client.cookies


async def test_the_login_page_refuses_an_unregistered_redirect_without_redirecting(
    issuer: IssuerServer,
) -> None:
    query = {
        "client_id": "renku",
        "redirect_uri": "https://evil.example/steal",
        "response_type": "code",
        "code_challenge": "x" * 43,
        "code_challenge_method": "S256",
        "state": "s",
    }
    async with httpx.AsyncClient() as client:
        page = await client.get(f"{issuer.url}/protocol/openid-connect/auth", params=query)
        posted = await client.post(
            f"{issuer.url}/protocol/openid-connect/auth", data={**query, "demo_user": "alice"}
        )
    assert page.status_code == 400 and "may not be sent back" in page.text
    assert posted.status_code == 400 and "location" not in posted.headers


async def test_codes_are_single_use_bound_to_their_verifier_and_refresh_stops_at_logout(
    issuer: IssuerServer,
) -> None:
    secret = issuer.client.client_secret
    client_auth = {"client_id": "renku", "client_secret": secret}
    redirect = f"{ROUTER}/auth/callback"
    verifier = "v" * 50

    async def authorize(client: httpx.AsyncClient) -> str:
        form = {
            "client_id": "renku",
            "redirect_uri": redirect,
            "response_type": "code",
            "code_challenge": code_challenge(verifier),
            "code_challenge_method": "S256",
            "state": "s",
            "nonce": "n",
            "demo_user": "carol",
        }
        sent = await client.post(f"{issuer.url}/protocol/openid-connect/auth", data=form)
        assert sent.status_code == 302
        return parse_qs(urlsplit(sent.headers["location"]).query)["code"][0]

    async with httpx.AsyncClient() as client:
        token = issuer.token_endpoint()
        trade = {"grant_type": "authorization_code", "redirect_uri": redirect, **client_auth}
        code = await authorize(client)
        wrong = await client.post(token, data={**trade, "code": code, "code_verifier": "w" * 50})
        code = await authorize(client)
        tokens = await client.post(token, data={**trade, "code": code, "code_verifier": verifier})
        again = await client.post(token, data={**trade, "code": code, "code_verifier": verifier})
        bad_secret = await client.post(
            token, data={**trade, "code": code, "code_verifier": verifier, "client_secret": "x"}
        )
        refresh = {"grant_type": "refresh_token", "refresh_token": tokens.json()["refresh_token"]}
        refreshed = await client.post(token, data={**refresh, **client_auth})
        logout = await client.post(
            f"{issuer.url}/protocol/openid-connect/logout",
            data={"refresh_token": refresh["refresh_token"], **client_auth},
        )
        after = await client.post(token, data={**refresh, **client_auth})

    assert wrong.json()["error"] == "invalid_grant"
    assert tokens.status_code == 200
    id_claims = jwt.decode(tokens.json()["id_token"], options={"verify_signature": False})
    assert id_claims["aud"] == "renku" and id_claims["nonce"] == "n"
    assert id_claims["preferred_username"] == "carol"
    assert again.json()["error"] == "invalid_grant"
    assert bad_secret.json()["error"] == "invalid_client"
    assert refreshed.status_code == 200 and refreshed.json()["access_token"]
    assert logout.status_code == 204
    assert after.json()["error"] == "invalid_grant"

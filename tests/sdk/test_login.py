"""`renku-fed login` and `logout` against the development issuer, in-process.

The device flow is played with the test as the browser; logout revokes the refresh token at the
issuer (RFC 7009), so it no longer refreshes, and deletes the credentials even when the issuer
cannot be reached.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from renku_fed.identity.dev_issuer import DevIssuer, dev_issuer_routes
from renku_fed.sdk.credentials import Credentials, load_credentials, save_credentials
from renku_fed.sdk.login import DeviceCode, login, logout, revoke
from tests.conftest import TEST_ISSUER

PLATFORM = "http://127.0.0.1:4001"


@pytest.fixture(autouse=True)
def config_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RENKU_FED_CONFIG_DIR", str(tmp_path / "config"))


class BlockingASGI(httpx.BaseTransport):
    """A blocking transport to an ASGI app: each request runs on its own event loop."""

    def __init__(self, app: Starlette) -> None:
        self._app = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self._app.handle_async_request(request)
            body = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=body)

        return asyncio.run(send())


@pytest.fixture
def network(dev_issuer: DevIssuer) -> BlockingASGI:
    """The issuer's endpoints and the router's client information, one in-process server."""

    async def client_info(_: Request) -> JSONResponse:
        return JSONResponse({"issuer": TEST_ISSUER, "cli_client_id": "renku-cli"})

    routes = [Route("/.well-known/renku-fed.json", client_info), *dev_issuer_routes(dev_issuer)]
    return BlockingASGI(Starlette(routes=routes))


@pytest.fixture
def browser(network: BlockingASGI) -> Iterator[httpx.Client]:
    """The person's browser (and the test's view of the token endpoint)."""
    with httpx.Client(transport=network) as client:
        yield client


def signed_in(browser: httpx.Client, network: BlockingASGI) -> Credentials:
    """Log in as alice, approving the code as the browser would."""

    def approve(code: DeviceCode) -> None:
        form = {"user_code": code.user_code, "demo_user": "alice"}
        answer = browser.post(code.verification_uri, data=form)
        assert answer.status_code == 200 and "alice" in answer.text

    return login(PLATFORM, approve, sleep=lambda _: None, transport=network)


def refresh(browser: httpx.Client, credentials: Credentials) -> httpx.Response:
    assert credentials.refresh_token is not None
    form = {"grant_type": "refresh_token", "client_id": "renku-cli"}
    return browser.post(
        credentials.token_endpoint,
        data={**form, "refresh_token": credentials.refresh_token},
    )


def test_logout_revokes_the_refresh_token_at_the_issuer(
    browser: httpx.Client, network: BlockingASGI
) -> None:
    credentials = signed_in(browser, network)
    assert load_credentials() == credentials
    assert refresh(browser, credentials).status_code == 200

    assert logout(transport=network) == (True, True)
    assert load_credentials() is None
    refused = refresh(browser, credentials)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert logout(transport=network) == (False, False)


def test_logout_deletes_the_credentials_when_the_issuer_is_unreachable(
    browser: httpx.Client, network: BlockingASGI
) -> None:
    credentials = signed_in(browser, network)

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    assert logout(transport=httpx.MockTransport(unreachable)) == (True, False)
    assert load_credentials() is None
    assert refresh(browser, credentials).status_code == 200


def test_an_issuer_without_revocation_gets_keycloaks_logout_form() -> None:
    sent: list[tuple[str, bytes]] = []

    def issuer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/openid-configuration"):
            return httpx.Response(200, json={"end_session_endpoint": "http://kc/logout"})
        sent.append((str(request.url), request.content))
        return httpx.Response(204)

    stored = Credentials(PLATFORM, "http://kc", "renku-cli", "http://kc/token", "A", "R1", 0)
    save_credentials(stored)
    assert revoke(stored, transport=httpx.MockTransport(issuer))
    assert sent == [("http://kc/logout", b"client_id=renku-cli&refresh_token=R1")]

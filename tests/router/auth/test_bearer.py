"""Hostile credentials through the router app: each refused with its reason, no subgraph call.

Tokens come from a real OpenID provider (the session's realm `renku`, and a realm `other` of
its own); the forged ones are built from its real tokens and published keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from pydantic import SecretStr

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenError, TokenVerifier
from renku_fed.router.auth import LoginSettings
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph
from tests.support.fake_subgraphs import FakeSubgraphs
from tests.support.oidc.provider import OTHER_CLIENT, OidcProvider

pytest_plugins = ["tests.support.oidc.fixtures"]

QUERY = "{ me { name } }"
SESSION_COOKIE = "__Host-renku-session"
CSRF_MESSAGE = "Cross-Site Request Forgery"


@pytest.fixture(scope="module")
def other_realm() -> Iterator[OidcProvider]:
    """Another realm (its own issuer and keys) whose tokens the router must not accept."""
    with OidcProvider(realm="other") as provider:
        yield provider


@dataclass(frozen=True)
class Attempt:
    """One request to the router: its headers and method, and the issuer the router trusts."""

    headers: dict[str, str]
    issuer: str | None = None
    audiences: list[str] = field(default_factory=lambda: ["renku"])
    authorized_party: str | None = None
    method: str = "POST"
    content_type: str = "application/json"


@asynccontextmanager
async def router(
    idp: OidcProvider,
    supergraph: Supergraph,
    fakes: FakeSubgraphs,
    data_dir: Path,
    attempt: Attempt,
) -> AsyncIterator[httpx.AsyncClient]:
    """A started router that trusts `idp` (or the attempt's issuer) and signs browsers in."""
    auth = AuthSettings(
        issuer=attempt.issuer or idp.issuer,
        audiences=attempt.audiences,
        authorized_party=attempt.authorized_party,
    )
    login = LoginSettings(
        client_id=idp.client_id, client_secret=SecretStr(idp.client_secret), data_dir=data_dir
    )
    app = create_router_app(
        RouterSettings(login=login), supergraph, transport=fakes.transport, auth_settings=auth
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://router.test"
        ) as client,
    ):
        yield client


async def send(client: httpx.AsyncClient, attempt: Attempt) -> httpx.Response:
    """The attempt's GraphQL request."""
    if attempt.method == "GET":
        return await client.get("/graphql", params={"query": QUERY}, headers=attempt.headers)
    headers = {"content-type": attempt.content_type, **attempt.headers}
    return await client.post("/graphql", content=json.dumps({"query": QUERY}), headers=headers)


def b64(data: dict[str, object]) -> str:
    """Base64url JSON without padding, as a JWT segment."""
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def bearer(token: str) -> dict[str, str]:
    """An Authorization header."""
    return {"authorization": f"Bearer {token}"}


def alice(idp: OidcProvider) -> str:
    """A valid access token of alice for the API."""
    return str(idp.token_for("alice")["access_token"])


def expired(idp: OidcProvider, _: OidcProvider) -> Attempt:
    with idp.clock_skew(-400):  # issued 400 s ago with the default lifetime of 300 s
        return Attempt(bearer(alice(idp)))


def not_yet_valid(idp: OidcProvider, _: OidcProvider) -> Attempt:
    with idp.clock_skew(600):
        return Attempt(bearer(alice(idp)))


def wrong_issuer(idp: OidcProvider, _: OidcProvider) -> Attempt:
    # The same realm and keys under another URL, as Keycloak's frontend and internal URLs are.
    return Attempt(bearer(alice(idp)), issuer=idp.issuer.replace("127.0.0.1", "localhost"))


def wrong_audience(idp: OidcProvider, _: OidcProvider) -> Attempt:
    return Attempt(bearer(str(idp.token_for("alice", client_id=OTHER_CLIENT)["access_token"])))


def wrong_authorized_party(idp: OidcProvider, _: OidcProvider) -> Attempt:
    token = str(idp.token_for("alice", client_id=OTHER_CLIENT)["access_token"])
    return Attempt(bearer(token), audiences=["renku", OTHER_CLIENT], authorized_party="renku")


def bad_signature(idp: OidcProvider, _: OidcProvider) -> Attempt:
    header, payload, signature = alice(idp).split(".")
    flipped = "B" if signature[10] != "B" else "C"
    return Attempt(bearer(f"{header}.{payload}.{signature[:10]}{flipped}{signature[11:]}"))


def alg_none(idp: OidcProvider, _: OidcProvider) -> Attempt:
    payload = alice(idp).split(".")[1]
    return Attempt(bearer(f"{b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."))


def hs256_with_public_key(idp: OidcProvider, _: OidcProvider) -> Attempt:
    token = alice(idp)
    kid = jwt.get_unverified_header(token)["kid"]
    jwks = httpx.get(f"{idp.issuer}/protocol/openid-connect/certs").json()
    jwk = next(key for key in jwks["keys"] if key["kid"] == kid)
    pem = jwt.PyJWK(jwk).key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{b64({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{token.split('.')[1]}"
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    return Attempt(bearer(f"{signing_input}.{signature}"))


def truncated(idp: OidcProvider, _: OidcProvider) -> Attempt:
    token = alice(idp)
    return Attempt(bearer(token[: len(token) // 2]))


def other_realm_token(_: OidcProvider, other: OidcProvider) -> Attempt:
    return Attempt(bearer(alice(other)))


def not_bearer_scheme(idp: OidcProvider, _: OidcProvider) -> Attempt:
    return Attempt({"authorization": f"Basic {alice(idp)}"})


def cookie_without_csrf_header(_: OidcProvider, __: OidcProvider) -> Attempt:
    return Attempt({"cookie": f"{SESSION_COOKIE}=a-session-id"}, method="GET")


def cookie_with_simple_content_type(_: OidcProvider, __: OidcProvider) -> Attempt:
    return Attempt({"cookie": f"{SESSION_COOKIE}=a-session-id"}, content_type="text/plain")


def cookie_of_no_session(_: OidcProvider, __: OidcProvider) -> Attempt:
    return Attempt({"cookie": f"{SESSION_COOKIE}=forged", "x-renku-csrf": "1"}, method="GET")


HOSTILE: list[tuple[Callable[[OidcProvider, OidcProvider], Attempt], int, str, str]] = [
    (expired, 401, "UNAUTHENTICATED", "has expired"),
    (not_yet_valid, 401, "UNAUTHENTICATED", "not valid yet"),
    (wrong_issuer, 401, "UNAUTHENTICATED", "issued by another issuer"),
    (wrong_audience, 401, "UNAUTHENTICATED", "not meant for this API"),
    (wrong_authorized_party, 401, "UNAUTHENTICATED", "not issued to the client 'renku'"),
    (bad_signature, 401, "UNAUTHENTICATED", "signature is invalid"),
    (alg_none, 401, "UNAUTHENTICATED", "'none' are not accepted"),
    (hs256_with_public_key, 401, "UNAUTHENTICATED", "'HS256' are not accepted"),
    (truncated, 401, "UNAUTHENTICATED", "not a well-formed JWT"),
    (other_realm_token, 401, "UNAUTHENTICATED", "key the issuer does not publish"),
    (not_bearer_scheme, 401, "UNAUTHENTICATED", "must be `Bearer <token>`"),
    (cookie_without_csrf_header, 400, "BAD_REQUEST", CSRF_MESSAGE),
    (cookie_with_simple_content_type, 415, "BAD_REQUEST", "not text/plain"),
    (cookie_of_no_session, 401, "UNAUTHENTICATED", "session has ended"),
]


@pytest.mark.parametrize(
    ("build", "status", "code", "message"), HOSTILE, ids=[row[0].__name__ for row in HOSTILE]
)
async def test_hostile_credentials_are_refused_before_any_subgraph_call(
    oidc_provider: OidcProvider,
    other_realm: OidcProvider,
    supergraph: Supergraph,
    fakes: FakeSubgraphs,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    build: Callable[[OidcProvider, OidcProvider], Attempt],
    status: int,
    code: str,
    message: str,
) -> None:
    attempt = build(oidc_provider, other_realm)
    caplog.set_level(logging.DEBUG)
    async with router(oidc_provider, supergraph, fakes, tmp_path, attempt) as client:
        response = await send(client, attempt)

    assert response.status_code == status
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code
    assert message in error["message"]
    assert fakes.requests == []
    credential = attempt.headers.get("authorization", "").partition(" ")[2]
    if credential:
        assert all(credential not in str(vars(record)) for record in caplog.records)


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_valid_token_reaches_the_subgraph_without_cookies_or_csrf_header(
    oidc_provider: OidcProvider,
    supergraph: Supergraph,
    fakes: FakeSubgraphs,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    method: str,
) -> None:
    token = alice(oidc_provider)
    # A bearer request carrying a session cookie as well: the token wins, the cookie stays here.
    headers = {**bearer(token), "cookie": f"{SESSION_COOKIE}=a-session-id; theme=dark"}
    attempt = Attempt(headers, method=method)
    caplog.set_level(logging.DEBUG)
    async with router(oidc_provider, supergraph, fakes, tmp_path, attempt) as client:
        response = await send(client, attempt)

    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"name": "Ann"}}}
    [(service, _, forwarded)] = fakes.requests
    assert service == "accounts"
    assert forwarded["authorization"] == f"Bearer {token}"
    assert "cookie" not in forwarded
    assert all(token not in str(vars(record)) for record in caplog.records)


async def test_anonymous_request_is_forwarded_without_credentials(
    oidc_provider: OidcProvider, supergraph: Supergraph, fakes: FakeSubgraphs, tmp_path: Path
) -> None:
    attempt = Attempt({"cookie": "theme=dark"})
    async with router(oidc_provider, supergraph, fakes, tmp_path, attempt) as client:
        response = await send(client, attempt)

    assert response.status_code == 200
    [(_, _, forwarded)] = fakes.requests
    assert "authorization" not in forwarded and "cookie" not in forwarded


@pytest.mark.parametrize("token_type", ["ID", "Refresh", "Logout"])
async def test_keycloak_tokens_other_than_access_tokens_are_refused(
    dev_issuer: DevIssuer, verifier: TokenVerifier, token_type: str
) -> None:
    # Keycloak's ID and refresh tokens can carry the API's audience; only `typ: Bearer` is one.
    token = dev_issuer.sign("alice", extra_claims={"typ": token_type})
    with pytest.raises(TokenError, match="not an access token"):
        await verifier.verify(token)


async def test_nbf_in_the_future_is_refused_beyond_the_leeway(
    dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    now = int(time.time())
    within_leeway = dev_issuer.sign("alice", extra_claims={"nbf": now + 20})
    assert (await verifier.verify(within_leeway)).username == "alice"
    with pytest.raises(TokenError, match="not valid yet"):
        await verifier.verify(dev_issuer.sign("alice", extra_claims={"nbf": now + 120}))

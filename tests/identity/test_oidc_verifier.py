"""Our TokenVerifier against a real OpenID provider: discovery and JWKS over HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Iterator

import httpx
import jwt
import pytest

from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenError, TokenVerifier
from tests.support.oidc.provider import OTHER_CLIENT, OidcProvider

pytest_plugins = ["tests.support.oidc.fixtures"]


@pytest.fixture(scope="module")
def other_realm() -> Iterator[OidcProvider]:
    """A second provider (realm `other`, keys of its own) that this module may change at will."""
    with OidcProvider(realm="other") as provider:
        yield provider


@pytest.fixture
async def recording_client() -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    """An HTTP client for the verifier that records the path of every request it sends."""
    paths: list[str] = []

    async def record(request: httpx.Request) -> None:
        paths.append(request.url.path)

    async with httpx.AsyncClient(event_hooks={"request": [record]}) as client:
        yield client, paths


async def test_provider_token_gives_the_user_identity(
    oidc_provider: OidcProvider, oidc_auth_settings: AuthSettings
) -> None:
    token = oidc_provider.token_for("alice", scope="openid")["access_token"]
    identity = await TokenVerifier(oidc_auth_settings).verify(token)
    assert identity.subject == oidc_provider.users["alice"].sub
    assert (identity.username, identity.email) == ("alice", "alice@example.org")
    assert (identity.first_name, identity.last_name) == ("Alice", "Liddell")
    assert identity.scopes == {"openid", "profile", "email"}
    assert "default-roles-renku" in identity.roles
    assert identity.is_authenticated and not identity.is_admin
    assert identity.token == token


async def test_admin_token_gives_an_admin_identity(
    oidc_provider: OidcProvider, oidc_auth_settings: AuthSettings
) -> None:
    token = oidc_provider.token_for("admin")["access_token"]
    assert (await TokenVerifier(oidc_auth_settings).verify(token)).is_admin


async def test_refreshed_token_is_accepted(
    oidc_provider: OidcProvider, oidc_auth_settings: AuthSettings
) -> None:
    refresh_token = oidc_provider.token_for("bob")["refresh_token"]
    token = oidc_provider.keycloak_openid().refresh_token(refresh_token)["access_token"]
    identity = await TokenVerifier(oidc_auth_settings).verify(token)
    assert identity.username == "bob"


async def test_token_for_another_audience_is_refused(
    oidc_provider: OidcProvider, oidc_auth_settings: AuthSettings
) -> None:
    token = oidc_provider.token_for("alice", client_id=OTHER_CLIENT)["access_token"]
    with pytest.raises(TokenError, match="not meant for this API"):
        await TokenVerifier(oidc_auth_settings).verify(token)


async def test_authorized_party_is_enforced(oidc_provider: OidcProvider) -> None:
    settings = AuthSettings(
        issuer=oidc_provider.issuer, audiences=["renku", OTHER_CLIENT], authorized_party="renku"
    )
    verifier = TokenVerifier(settings)
    assert (await verifier.verify(oidc_provider.token_for("bob")["access_token"])).username
    other = oidc_provider.token_for("bob", client_id=OTHER_CLIENT)["access_token"]
    with pytest.raises(TokenError, match="not issued to the client 'renku'"):
        await verifier.verify(other)


async def test_token_of_another_realm_is_refused(
    oidc_provider: OidcProvider, oidc_auth_settings: AuthSettings, other_realm: OidcProvider
) -> None:
    token = other_realm.token_for("alice")["access_token"]
    with pytest.raises(TokenError, match="key the issuer does not publish"):
        await TokenVerifier(oidc_auth_settings).verify(token)
    other_settings = AuthSettings(issuer=other_realm.issuer)
    assert (await TokenVerifier(other_settings).verify(token)).username == "alice"


async def test_token_of_the_same_keys_under_another_issuer_url_is_refused(
    oidc_provider: OidcProvider,
) -> None:
    # The realm seen through another host name: discovery and keys answer, the issuer differs
    # (Keycloak's frontend URL against its internal URL).
    other_issuer = oidc_provider.issuer.replace("127.0.0.1", "localhost")
    token = oidc_provider.token_for("alice")["access_token"]
    with pytest.raises(TokenError, match="issued by another issuer"):
        await TokenVerifier(AuthSettings(issuer=other_issuer)).verify(token)


async def test_key_rotation_costs_one_jwks_refresh(
    other_realm: OidcProvider, recording_client: tuple[httpx.AsyncClient, list[str]]
) -> None:
    client, paths = recording_client
    verifier = TokenVerifier(AuthSettings(issuer=other_realm.issuer), client)
    discovery = "/realms/other/.well-known/openid-configuration"
    certs = "/realms/other/protocol/openid-connect/certs"

    before = other_realm.token_for("alice")["access_token"]
    await verifier.verify(before)
    assert paths == [discovery, certs]

    # A rotation right after the first fetch is picked up at once, with one refresh.
    other_realm.rotate_keys(keep_previous=True)
    after = other_realm.token_for("alice")["access_token"]
    assert (await verifier.verify(after)).username == "alice"
    assert (await verifier.verify(after)).username == "alice"
    assert (await verifier.verify(before)).username == "alice"
    assert paths == [discovery, certs, certs]

    # Unknown key ids after that refresh at most once per jwks_refresh_seconds (60 s).
    header = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "kid": "forged"}).encode())
    forged = header.rstrip(b"=").decode() + "." + after.split(".", 1)[1]
    for _ in range(3):
        with pytest.raises(TokenError, match="does not publish"):
            await verifier.verify(forged)
    assert paths == [discovery, certs, certs, certs]


async def test_token_of_a_dropped_key_is_refused(
    other_realm: OidcProvider, recording_client: tuple[httpx.AsyncClient, list[str]]
) -> None:
    client, paths = recording_client
    old = other_realm.token_for("bob")["access_token"]
    other_realm.rotate_keys(keep_previous=False)
    new = other_realm.token_for("bob")["access_token"]
    verifier = TokenVerifier(AuthSettings(issuer=other_realm.issuer), client)

    assert (await verifier.verify(new)).username == "bob"
    for _ in range(3):
        with pytest.raises(TokenError, match="key the issuer does not publish"):
            await verifier.verify(old)
    # The first unknown key id may mean a rotation and refreshes once; the rest wait 60 s.
    assert paths.count("/realms/other/protocol/openid-connect/certs") == 2


@pytest.mark.parametrize(
    ("skew_seconds", "refusal"),
    [
        (10, None),  # within the verifier's 30 s leeway
        (120, "not valid yet"),  # issued "in the future"
        (-400, "expired"),  # a 300 s token that expired 100 s ago by our clock
    ],
)
async def test_provider_clock_skew_against_the_leeway(
    oidc_provider: OidcProvider,
    oidc_auth_settings: AuthSettings,
    skew_seconds: int,
    refusal: str | None,
) -> None:
    with oidc_provider.clock_skew(skew_seconds):
        token = oidc_provider.token_for("alice")["access_token"]
    verifier = TokenVerifier(oidc_auth_settings)
    if refusal is None:
        assert (await verifier.verify(token)).username == "alice"
    else:
        with pytest.raises(TokenError, match=refusal):
            await verifier.verify(token)


async def test_header_algorithm_that_does_not_fit_the_key_is_refused(
    oidc_provider: OidcProvider, oidc_auth_settings: AuthSettings
) -> None:
    token = oidc_provider.token_for("alice")["access_token"]
    header = jwt.get_unverified_header(token)
    _, payload, signature = token.split(".")
    forged_header = base64.urlsafe_b64encode(json.dumps({**header, "alg": "ES256"}).encode())
    forged = f"{forged_header.rstrip(b'=').decode()}.{payload}.{signature}"
    with pytest.raises(TokenError):
        await TokenVerifier(oidc_auth_settings).verify(forged)

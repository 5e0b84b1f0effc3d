"""python-keycloak against the test OpenID provider, as the users subgraph will use Keycloak."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import jwt
import pytest
from keycloak.exceptions import KeycloakError

from tests.support.oidc.provider import OTHER_CLIENT, OidcProvider, OidcProviderError

pytest_plugins = ["tests.support.oidc.fixtures"]

CALLBACK = "http://127.0.0.1:8765/callback"


def test_well_known_lists_keycloak_endpoints(oidc_provider: OidcProvider) -> None:
    well_known = oidc_provider.keycloak_openid().well_known()
    base = oidc_provider.issuer + "/protocol/openid-connect"
    assert well_known["issuer"] == oidc_provider.issuer
    assert well_known["token_endpoint"] == base + "/token"
    assert well_known["authorization_endpoint"] == base + "/auth"
    assert well_known["jwks_uri"] == base + "/certs"
    assert well_known["userinfo_endpoint"] == base + "/userinfo"
    assert well_known["introspection_endpoint"] == base + "/token/introspect"
    assert well_known["end_session_endpoint"] == base + "/logout"
    assert {"password", "refresh_token", "authorization_code"} <= set(
        well_known["grant_types_supported"]
    )


def test_certs_publish_only_public_rsa_signing_keys(oidc_provider: OidcProvider) -> None:
    keys = oidc_provider.keycloak_openid().certs()["keys"]
    assert keys
    for key in keys:
        assert (key["kty"], key["use"], key["alg"]) == ("RSA", "sig", "RS256")
        assert key["kid"]
        assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()


def test_password_grant_gives_keycloak_shaped_jwt(oidc_provider: OidcProvider) -> None:
    tokens = oidc_provider.token_for("alice")
    keycloak = oidc_provider.keycloak_openid()
    claims = keycloak.decode_token(tokens["access_token"])  # signature checked against certs
    header = jwt.get_unverified_header(tokens["access_token"])
    alice = oidc_provider.users["alice"]

    assert header["alg"] == "RS256"
    assert header["kid"] in {key["kid"] for key in keycloak.certs()["keys"]}
    assert claims["iss"] == oidc_provider.issuer
    assert "renku" in claims["aud"]
    assert (claims["sub"], claims["preferred_username"], claims["email"]) == (
        alice.sub,
        "alice",
        alice.email,
    )
    assert (claims["given_name"], claims["family_name"]) == ("Alice", "Liddell")
    assert (claims["typ"], claims["azp"]) == ("Bearer", "renku")
    assert "renku-admin" not in claims["realm_access"]["roles"]
    assert set(claims["scope"].split()) == {"openid", "profile", "email"}
    assert claims["exp"] - claims["iat"] == tokens["expires_in"] == 300
    assert tokens["token_type"] == "Bearer"
    assert keycloak.decode_token(tokens["id_token"])["sub"] == alice.sub


def test_admin_carries_the_renku_admin_realm_role(oidc_provider: OidcProvider) -> None:
    token = oidc_provider.token_for("admin")["access_token"]
    claims = oidc_provider.keycloak_openid().decode_token(token)
    assert "renku-admin" in claims["realm_access"]["roles"]


def test_wrong_password_is_refused(oidc_provider: OidcProvider) -> None:
    with pytest.raises(KeycloakError, match="invalid_grant"):
        oidc_provider.token_for("alice", password="not-her-password")


def test_another_client_gets_tokens_for_its_own_audience(oidc_provider: OidcProvider) -> None:
    token = oidc_provider.token_for("bob", client_id=OTHER_CLIENT)["access_token"]
    claims = oidc_provider.keycloak_openid(OTHER_CLIENT).decode_token(token)
    assert claims["azp"] == OTHER_CLIENT
    assert OTHER_CLIENT in claims["aud"] and "renku" not in claims["aud"]


def test_refresh_rotates_the_refresh_token(oidc_provider: OidcProvider) -> None:
    keycloak = oidc_provider.keycloak_openid()
    first = oidc_provider.token_for("bob")
    second = keycloak.refresh_token(first["refresh_token"])

    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    claims = keycloak.decode_token(second["access_token"])
    assert claims["sub"] == oidc_provider.users["bob"].sub
    with pytest.raises(KeycloakError, match="invalid_grant"):
        keycloak.refresh_token(first["refresh_token"])


def test_userinfo_answers_for_a_jwt_access_token(oidc_provider: OidcProvider) -> None:
    token = oidc_provider.token_for("alice")["access_token"]
    info = oidc_provider.keycloak_openid().userinfo(token)
    assert info == {
        "sub": oidc_provider.users["alice"].sub,
        "preferred_username": "alice",
        "name": "Alice Liddell",
        "given_name": "Alice",
        "family_name": "Liddell",
        "email": "alice@example.org",
        "email_verified": True,
    }


def test_userinfo_refuses_a_forged_token(oidc_provider: OidcProvider) -> None:
    token = oidc_provider.token_for("alice")["access_token"]
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"
    with pytest.raises(KeycloakError, match="invalid_token"):
        oidc_provider.keycloak_openid().userinfo(forged)


def test_logout_ends_the_session_of_its_tokens(oidc_provider: OidcProvider) -> None:
    keycloak = oidc_provider.keycloak_openid()
    tokens = oidc_provider.token_for("bob")
    introspection = keycloak.introspect(tokens["access_token"])
    assert introspection["active"] is True
    assert introspection["username"] == "bob"

    keycloak.logout(tokens["refresh_token"])

    assert keycloak.introspect(tokens["access_token"]) == {"active": False}
    with pytest.raises(KeycloakError, match="invalid_grant"):
        keycloak.refresh_token(tokens["refresh_token"])


def test_revoked_access_token_is_no_longer_active(oidc_provider: OidcProvider) -> None:
    keycloak = oidc_provider.keycloak_openid()
    revoked, kept = (oidc_provider.token_for("alice")["access_token"] for _ in range(2))
    response = httpx.post(
        keycloak.well_known()["revocation_endpoint"],
        data={"token": revoked, "token_type_hint": "access_token"},
        auth=(oidc_provider.client_id, oidc_provider.client_secret),
    )
    assert response.status_code == 200
    assert keycloak.introspect(revoked) == {"active": False}
    assert keycloak.introspect(kept)["active"] is True


def test_client_credentials_give_a_service_account_token(oidc_provider: OidcProvider) -> None:
    keycloak = oidc_provider.keycloak_openid()
    token = keycloak.token(grant_type="client_credentials")["access_token"]
    claims = keycloak.decode_token(token)
    assert claims["preferred_username"] == "service-account-renku"
    assert claims["azp"] == "renku"
    assert "renku" in claims["aud"]


def test_access_token_lifetime_can_be_set(oidc_provider: OidcProvider) -> None:
    with oidc_provider.access_token_ttl(42):
        short = oidc_provider.token_for("alice")
    normal = oidc_provider.token_for("alice")
    claims = jwt.decode(short["access_token"], options={"verify_signature": False})
    assert short["expires_in"] == claims["exp"] - claims["iat"] == 42
    assert normal["expires_in"] == 300


def test_authorization_code_flow_through_the_login_form(oidc_provider: OidcProvider) -> None:
    keycloak = oidc_provider.keycloak_openid()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    state = secrets.token_urlsafe(12)
    url = keycloak.auth_url(
        redirect_uri=CALLBACK,
        scope="openid profile email",
        state=state,
        code_challenge=challenge.rstrip(b"=").decode(),
        code_challenge_method="S256",
    )
    with httpx.Client() as browser:
        login_page = _follow(browser, browser.get(url))
        action = urljoin(str(login_page.url), _form_action(login_page.text))
        refused = browser.post(action, data={"username": "bob", "password": "wrong"})
        assert "Invalid username or password." in refused.text

        signed_in = browser.post(action, data={"username": "bob", "password": "bob-password"})
        response = _follow(browser, signed_in)

    assert response.headers["location"].startswith(CALLBACK + "?")
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["state"] == [state]
    assert query["iss"] == [oidc_provider.issuer]
    tokens = keycloak.token(
        grant_type="authorization_code",
        code=query["code"][0],
        redirect_uri=CALLBACK,
        code_verifier=verifier,
    )
    claims = keycloak.decode_token(tokens["access_token"])
    assert claims["preferred_username"] == "bob"
    assert "renku" in claims["aud"]
    assert tokens["refresh_token"]


def _follow(browser: httpx.Client, response: httpx.Response) -> httpx.Response:
    """Follow the provider's redirects, stopping at the one to the client's callback."""
    while response.is_redirect and not response.headers["location"].startswith(CALLBACK):
        response = browser.get(urljoin(str(response.url), response.headers["location"]))
    return response


def _form_action(page: str) -> str:
    match = re.search(r'<form id="kc-form-login" method="post" action="([^"]+)"', page)
    assert match, page
    return match.group(1)


def test_missing_npm_packages_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("tests.support.oidc.provider.OIDC_DIR", tmp_path)
    with pytest.raises(OidcProviderError, match=r"npm ci --prefix tests/support/oidc"):
        OidcProvider().start()


def test_stopping_the_provider_closes_its_port() -> None:
    with OidcProvider(realm="short-lived") as idp:
        discovery = idp.issuer + "/.well-known/openid-configuration"
        assert httpx.get(discovery).status_code == 200
    try:
        answer = httpx.get(discovery, timeout=2)
    except httpx.HTTPError:
        return
    # Another test's server may already have been given the freed port: it is not our realm.
    assert "short-lived" not in answer.text

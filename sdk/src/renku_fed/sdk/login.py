"""`renku-fed login`: the OAuth 2.0 device authorization grant against the platform's issuer."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from renku_fed.sdk.credentials import (
    Credentials,
    delete_credentials,
    load_credentials,
    normalize_url,
    save_credentials,
)
from renku_fed.sdk.errors import ConfigurationError, Unauthenticated

CLIENT_INFO_PATH = "/.well-known/renku-fed.json"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@dataclass(frozen=True)
class DeviceCode:
    """What the person must do: open `verification_uri` and confirm `user_code`."""

    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    device_code: str
    interval: float
    expires_in: float


@dataclass(frozen=True)
class Issuer:
    """The platform's OIDC issuer and the endpoints the device grant needs."""

    issuer: str
    client_id: str
    device_endpoint: str
    token_endpoint: str


def find_issuer(http: httpx.Client, url: str) -> Issuer:
    """Ask the router where to sign in, then the issuer for its endpoints."""
    try:
        info = http.get(f"{url}{CLIENT_INFO_PATH}").raise_for_status().json()
        issuer = str(info["issuer"]).rstrip("/")
        config = http.get(f"{issuer}/.well-known/openid-configuration").raise_for_status().json()
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise ConfigurationError(f"cannot find where to sign in to {url}: {exc}") from exc
    if "device_authorization_endpoint" not in config:
        raise ConfigurationError(f"the issuer {issuer} does not offer the device login")
    return Issuer(
        issuer,
        str(info.get("cli_client_id", "renku-cli")),
        str(config["device_authorization_endpoint"]),
        str(config["token_endpoint"]),
    )


def start(http: httpx.Client, issuer: Issuer) -> DeviceCode:
    """Ask the issuer for a device code."""
    body = (
        http.post(issuer.device_endpoint, data={"client_id": issuer.client_id, "scope": "openid"})
        .raise_for_status()
        .json()
    )
    return DeviceCode(
        user_code=body["user_code"],
        verification_uri=body["verification_uri"],
        verification_uri_complete=body.get("verification_uri_complete"),
        device_code=body["device_code"],
        interval=float(body.get("interval", 5)),
        expires_in=float(body.get("expires_in", 600)),
    )


def poll(
    http: httpx.Client, issuer: Issuer, code: DeviceCode, sleep: Callable[[float], None]
) -> dict[str, object]:
    """Poll the token endpoint until the person approves (or refuses, or the code expires)."""
    interval, deadline = code.interval, time.monotonic() + code.expires_in
    form = {"grant_type": DEVICE_GRANT, "device_code": code.device_code}
    while time.monotonic() < deadline:
        response = http.post(issuer.token_endpoint, data={**form, "client_id": issuer.client_id})
        body = response.json()
        if response.status_code == 200:
            return dict(body)
        error = body.get("error")
        if error == "slow_down":
            interval += 5
        elif error != "authorization_pending":
            raise Unauthenticated(f"login refused: {body.get('error_description', error)}")
        sleep(interval)
    raise Unauthenticated("login timed out: the code was not confirmed in time")


def login(
    url: str,
    show: Callable[[DeviceCode], None],
    *,
    sleep: Callable[[float], None] = time.sleep,
    transport: httpx.BaseTransport | None = None,
) -> Credentials:
    """Sign in to the platform at `url` with the device grant and store the credentials."""
    base = normalize_url(url)
    with httpx.Client(timeout=30.0, transport=transport) as http:
        issuer = find_issuer(http, base)
        code = start(http, issuer)
        show(code)
        tokens = poll(http, issuer, code, sleep)
    credentials = Credentials(
        url=base,
        issuer=issuer.issuer,
        client_id=issuer.client_id,
        token_endpoint=issuer.token_endpoint,
        access_token=str(tokens["access_token"]),
        refresh_token=str(tokens["refresh_token"]) if tokens.get("refresh_token") else None,
        expires_at=time.time() + float(str(tokens.get("expires_in", 300))),
    )
    save_credentials(credentials)
    return credentials


def revoke(credentials: Credentials, *, transport: httpx.BaseTransport | None = None) -> bool:
    """End the login at its issuer: revoke the refresh token; whether the issuer confirmed it.

    RFC 7009's revocation endpoint when the issuer has one (Keycloak and the development
    issuer do), else the end-session endpoint with the refresh token, as Keycloak's logout takes.
    """
    if not credentials.refresh_token:
        return False
    form = {"client_id": credentials.client_id}
    try:
        with httpx.Client(timeout=10.0, transport=transport) as http:
            discovery = f"{credentials.issuer}/.well-known/openid-configuration"
            config = http.get(discovery).raise_for_status().json()
            if "revocation_endpoint" in config:
                form |= {"token": credentials.refresh_token, "token_type_hint": "refresh_token"}
                answer = http.post(str(config["revocation_endpoint"]), data=form)
            elif "end_session_endpoint" in config:
                form |= {"refresh_token": credentials.refresh_token}
                answer = http.post(str(config["end_session_endpoint"]), data=form)
            else:
                return False
    except (httpx.HTTPError, ValueError):
        return False
    return answer.is_success


def logout(*, transport: httpx.BaseTransport | None = None) -> tuple[bool, bool]:
    """Revoke the stored login at its issuer when reachable and delete it: (removed, revoked)."""
    credentials = load_credentials()
    revoked = credentials is not None and revoke(credentials, transport=transport)
    return delete_credentials(), revoked

"""The embedded development OIDC issuer: an RS256 key pair on disk that signs demo tokens."""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DEV_SUBJECT_NAMESPACE = uuid.UUID("6f3c1d2e-8a4b-4c5d-9e6f-7a8b9c0d1e2f")
PRIVATE_KEY_FILE = "private-key.pem"
ISSUER_FILE = "issuer.json"


def dev_subject(username: str) -> str:
    """The stable subject (`sub`) the dev issuer gives a username."""
    return str(uuid.uuid5(DEV_SUBJECT_NAMESPACE, username))


@dataclass(frozen=True)
class DevIssuer:
    """An issuer URL and its signing key, kept in a directory of the data folder."""

    issuer: str
    private_key: rsa.RSAPrivateKey
    kid: str
    directory: Path | None = None

    @classmethod
    def create(cls, directory: Path, issuer: str) -> DevIssuer:
        """Load the key pair from `directory`, generating it on first use, and record the URL."""
        directory.mkdir(parents=True, exist_ok=True)
        key_path = directory / PRIVATE_KEY_FILE
        if not key_path.exists():
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
        (directory / ISSUER_FILE).write_text(json.dumps({"issuer": issuer}))
        return cls.load(directory)

    @classmethod
    def load(cls, directory: Path) -> DevIssuer:
        """Load an issuer created earlier; FileNotFoundError names what is missing."""
        key_path = directory / PRIVATE_KEY_FILE
        issuer_path = directory / ISSUER_FILE
        if not key_path.exists() or not issuer_path.exists():
            raise FileNotFoundError(
                f"No development issuer in {directory}; start the platform once with "
                "`renku-fed up` to create it."
            )
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{key_path} does not hold an RSA private key")
        issuer = json.loads(issuer_path.read_text())["issuer"]
        public_jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        kid = _thumbprint(public_jwk)
        return cls(issuer=str(issuer), private_key=key, kid=kid, directory=directory)

    def sign(
        self,
        username: str,
        expires_in: timedelta = timedelta(hours=1),
        audience: str = "renku",
        extra_claims: dict[str, Any] | None = None,
    ) -> str:
        """A signed access token for `username`, Keycloak-shaped."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": dev_subject(username),
            "aud": audience,
            "azp": "renku",
            "iat": now,
            "nbf": now,
            "exp": now + int(expires_in.total_seconds()),
            "jti": str(uuid.uuid4()),
            "typ": "Bearer",
            "preferred_username": username,
            "email": f"{username}@example.org",
            "given_name": username.capitalize(),
            "family_name": "Demo",
            "scope": "openid profile email",
            "realm_access": {"roles": []},
        }
        claims.update(extra_claims or {})
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid})

    def jwks(self) -> dict[str, Any]:
        """The public key set, as served at the issuer's certs endpoint."""
        public_jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"keys": [{**public_jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def discovery(self) -> dict[str, Any]:
        """The OIDC discovery document, with Keycloak's endpoint paths."""
        base = f"{self.issuer}/protocol/openid-connect"
        return {
            "issuer": self.issuer,
            "jwks_uri": f"{base}/certs",
            "authorization_endpoint": f"{base}/auth",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "end_session_endpoint": f"{base}/logout",
            "revocation_endpoint": f"{base}/revoke",
            "device_authorization_endpoint": f"{base}/auth/device",
            "grant_types_supported": [
                "authorization_code",
                "refresh_token",
                "urn:ietf:params:oauth:grant-type:device_code",
            ],
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }


def _thumbprint(jwk: dict[str, Any]) -> str:
    return str(uuid.uuid5(DEV_SUBJECT_NAMESPACE, json.dumps(jwk, sort_keys=True)))


def dev_issuer_routes(issuer: DevIssuer) -> list[Route]:
    """The issuer's endpoints at Keycloak's paths under the issuer URL.

    Discovery, JWKS and the device grant of the public client `renku-cli` always
    (`identity/dev_device.py`); the login page and the code grant for the clients registered in
    the issuer's directory (`identity/dev_login.py`).
    """
    from renku_fed.identity.dev_device import DevDeviceFlow  # these import this module
    from renku_fed.identity.dev_login import DevLogin, load_dev_clients

    prefix = urlsplit(issuer.issuer).path.rstrip("/")
    discovery, jwks = issuer.discovery(), issuer.jwks()

    async def openid_configuration(_: Request) -> JSONResponse:
        return JSONResponse(discovery)

    async def certs(_: Request) -> JSONResponse:
        return JSONResponse(jwks)

    clients = load_dev_clients(issuer.directory) if issuer.directory else {}
    login = DevLogin(issuer, clients) if clients else None
    device = DevDeviceFlow(issuer, login.token if login else None)
    return [
        Route(f"{prefix}/.well-known/openid-configuration", openid_configuration),
        Route(f"{prefix}/protocol/openid-connect/certs", certs),
        *device.routes,
        *(login.routes if login else []),
    ]

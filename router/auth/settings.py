"""Settings of the browser login (backend for frontend), read from `RENKU_FED_ROUTER_LOGIN_*`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_CSRF_HEADERS = ["apollo-require-preflight", "x-apollo-operation-name", "x-renku-csrf"]


class LoginSettings(BaseSettings):
    """How the router signs browsers in at the issuer of `AuthSettings` and keeps their sessions.

    Login is off until `client_id` is set. The issuer is `RENKU_FED_AUTH_ISSUER`, found by OIDC
    discovery, the same that bearer tokens are checked against.
    """

    model_config = SettingsConfigDict(env_prefix="RENKU_FED_ROUTER_LOGIN_", extra="ignore")

    client_id: str | None = Field(
        default=None,
        description="The confidential OIDC client the router signs users in as (Keycloak client "
        "id, `renku` in Renku); unset turns the /auth routes and cookie sessions off.",
    )
    client_secret: SecretStr = Field(
        default=SecretStr(""), description="The secret of `client_id`."
    )
    scope: str = Field(
        default="openid profile email",
        description="Scopes asked for at login; `openid` is always added.",
    )
    public_url: str | None = Field(
        default=None,
        description="The router's external base URL (`https://renku.example.org`), from which "
        "the callback URL registered at the issuer is built; unset uses the request's own URL, "
        "which is only right without a proxy in front.",
    )
    session_key: SecretStr | None = Field(
        default=None,
        description="32 random bytes, url-safe base64, that encrypt stored sessions (AES-GCM); "
        "when unset one is generated into `data_dir` (development only: set it for several "
        "replicas or a read-only disk).",
    )
    data_dir: Path = Field(
        default=Path(".renku-fed/router"),
        description="Where a generated session key and the `sqlite` session store are kept.",
    )
    store: str = Field(
        default="memory",
        description="`memory` (sessions end when the router stops), `sqlite` (one router, "
        "sessions survive restarts, in `data_dir`/sessions.sqlite3) or `redis` (several "
        "replicas share them at `RENKU_FED_ROUTER_REDIS_URL`; set the same `session_key` on each).",
    )
    cookie_name: str = Field(
        default="__Host-renku-session",
        description="Name of the session cookie; the `__Host-` prefix needs `cookie_secure`.",
    )
    cookie_secure: bool = Field(
        default=True,
        description="Mark cookies `Secure` (sent over HTTPS only); turn off only for a router on "
        "plain-http localhost during development, with a cookie_name without `__Host-`.",
    )
    session_seconds: int = Field(
        default=36_000,
        ge=60,
        description="Longest life of a browser session, whatever the issuer's refresh tokens "
        "allow.",
    )
    login_timeout_seconds: int = Field(
        default=600, ge=30, description="How long a started login may take to come back."
    )
    refresh_margin_seconds: int = Field(
        default=30,
        ge=0,
        description="Access tokens are refreshed when they expire within this many seconds.",
    )
    csrf_headers: list[str] = Field(
        default_factory=lambda: list(DEFAULT_CSRF_HEADERS),
        description="Any of these headers lets a cookie-authenticated request through the CSRF "
        "check when its content type alone does not (as Apollo's CSRF prevention).",
    )
    post_logout_path: str = Field(
        default="/", description="Where /auth/logout sends the browser without `?redirect=`."
    )
    http_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Timeout of the calls to the issuer's endpoints."
    )

    @property
    def enabled(self) -> bool:
        """True when a client is configured, which turns the browser login on."""
        return bool(self.client_id)

    @field_validator("store")
    @classmethod
    def _known_store(cls, value: str) -> str:
        if value not in ("memory", "sqlite", "redis"):
            raise ValueError("must be `memory`, `sqlite` or `redis`")
        return value

    @model_validator(mode="after")
    def _secure_host_cookie(self) -> LoginSettings:
        if self.cookie_name.startswith("__Host-") and not self.cookie_secure:
            raise ValueError(
                "cookie_name: browsers drop `__Host-` cookies that are not Secure; choose another "
                "name when cookie_secure is off"
            )
        return self

    @field_validator("csrf_headers")
    @classmethod
    def _lower_case(cls, value: list[str]) -> list[str]:
        return [name.strip().lower() for name in value if name.strip()]

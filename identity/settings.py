"""Settings every service reads: where the identity provider is and which audience to expect."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_ISSUER = "http://127.0.0.1:4001/realms/renku"


class AuthSettings(BaseSettings):
    """How bearer tokens are checked (env prefix `RENKU_FED_AUTH_`), the same in every service."""

    model_config = SettingsConfigDict(env_prefix="RENKU_FED_AUTH_", extra="ignore")

    issuer: str = Field(
        default=DEFAULT_ISSUER,
        description="OIDC issuer URL (a Keycloak realm URL in production); discovery is read "
        "from ISSUER/.well-known/openid-configuration.",
    )
    audiences: list[str] = Field(
        default=["renku"], description="Accepted `aud` values; a token must carry at least one."
    )
    authorized_party: str | None = Field(
        default=None,
        description="When set, the `azp` claim a token must carry (Keycloak client id).",
    )
    leeway_seconds: int = Field(
        default=30, ge=0, le=300, description="Clock skew allowed on exp/nbf."
    )
    jwks_refresh_seconds: int = Field(
        default=60,
        ge=1,
        description="Minimum interval between JWKS refreshes on an unknown key id.",
    )
    http_timeout_seconds: float = Field(
        default=5.0, gt=0, description="Timeout of discovery/JWKS calls."
    )

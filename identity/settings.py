"""Settings every service reads: where the identity provider is and which audience to expect."""

from __future__ import annotations

from typing import TypeVar

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

SettingsT = TypeVar("SettingsT", bound=BaseSettings)


class AuthSettings(BaseSettings):
    """How bearer tokens are checked (env prefix `RENKU_FED_AUTH_`), the same in every service."""

    model_config = SettingsConfigDict(env_prefix="RENKU_FED_AUTH_", extra="ignore")

    issuer: str = Field(
        min_length=1,
        description="OIDC issuer URL (a Keycloak realm URL in production); discovery is read "
        "from ISSUER/.well-known/openid-configuration. Required: a service started without it "
        "stops with a message instead of trusting whatever listens on a local port.",
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


def load_settings(cls: type[SettingsT]) -> SettingsT:
    """`cls()` from the environment; a wrong variable exits naming it, without a traceback."""
    try:
        return cls()
    except SettingsError as exc:
        raise SystemExit(f"error: a setting could not be read: {exc}.") from None
    except ValidationError as exc:
        raise SystemExit(settings_error_message(cls, exc)) from None


def settings_error_message(cls: type[BaseSettings], exc: ValidationError) -> str:
    """One line per wrong variable: its name and what is wrong with it."""
    prefix = str(cls.model_config.get("env_prefix", ""))
    delimiter = str(cls.model_config.get("env_nested_delimiter") or "_")
    lines = [
        f"  {(prefix + delimiter.join(str(part) for part in error['loc'])).upper()}: {error['msg']}"
        for error in exc.errors()
    ]
    return "error: the service cannot start; fix these environment variables:\n" + "\n".join(lines)

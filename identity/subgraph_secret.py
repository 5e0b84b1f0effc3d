"""The router-to-subgraph secret: only a caller that sends it may ask a subgraph for `_entities`
or `_service`, the federation fields that read any entity by key or the whole schema."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

HEADER = "x-renku-fed-subgraph-secret"
VARIABLE = "RENKU_FED_SUBGRAPH_SECRET"


class SubgraphSecretSettings(BaseSettings):
    """`RENKU_FED_SUBGRAPH_SECRET`, the same for the router, every subgraph and the tools."""

    model_config = SettingsConfigDict(env_prefix="RENKU_FED_", extra="ignore")

    subgraph_secret: SecretStr | None = None


def configured_secret() -> str | None:
    """The secret of this process's environment; None when unset (federation fields are open)."""
    secret = SubgraphSecretSettings().subgraph_secret
    return secret.get_secret_value() if secret is not None and secret.get_secret_value() else None


def secret_headers(secret: str | None) -> dict[str, str]:
    """The header that carries `secret` to a subgraph; none without a secret."""
    return {HEADER: secret} if secret else {}


def holds_secret(headers: Mapping[str, str], secret: str | None) -> bool:
    """Whether a request with `headers` may use the federation fields: no secret is configured,
    or it sent the configured one."""
    if secret is None:
        return True
    sent = headers.get(HEADER)
    return sent is not None and hmac.compare_digest(sent.encode(), secret.encode())

"""Fixtures shared by every test: a development issuer and verifiers that trust it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from renku_fed.identity.dev_issuer import DevIssuer, dev_issuer_routes
from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier

# Fixtures that start real services (pytest reads plugins only from the top-level conftest).
pytest_plugins = ["tests.support.services.virtuoso", "tests.support.services.storage_servers"]

TEST_ISSUER = "http://127.0.0.1:4001/realms/renku"


@pytest.fixture
def dev_issuer(tmp_path: Path) -> DevIssuer:
    """A fresh development issuer with its own key pair."""
    return DevIssuer.create(tmp_path / "dev-issuer", TEST_ISSUER)


@pytest.fixture
def auth_settings() -> AuthSettings:
    """Settings that trust the test issuer."""
    return AuthSettings(issuer=TEST_ISSUER)


@pytest.fixture
async def verifier(
    dev_issuer: DevIssuer, auth_settings: AuthSettings
) -> AsyncIterator[TokenVerifier]:
    """A verifier that reads the dev issuer's discovery and JWKS in-process."""
    issuer_app = Starlette(routes=dev_issuer_routes(dev_issuer))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=issuer_app), base_url="http://127.0.0.1:4001"
    ) as client:
        yield TokenVerifier(auth_settings, client)

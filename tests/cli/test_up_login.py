"""`renku-fed up` configures the router's browser login against the embedded dev issuer."""

from __future__ import annotations

from pathlib import Path

import pytest

from renku_fed.cli.up import LOGIN_CLIENT_ID, PlatformLayout
from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.dev_login import load_dev_clients, register_dev_client
from renku_fed.router.auth import LoginSettings


def test_the_router_signs_browsers_in_at_the_dev_issuer_with_a_plain_http_cookie(
    tmp_path: Path,
) -> None:
    layout = PlatformLayout("127.0.0.1", 4100, tmp_path)
    DevIssuer.create(tmp_path / "dev-issuer", layout.issuer)
    register_dev_client(tmp_path / "dev-issuer", LOGIN_CLIENT_ID, layout.callback_urls)
    router = layout.services[-1]

    env = layout.environment(router, seed_demo=False)
    settings = LoginSettings(
        **{
            k.removeprefix("RENKU_FED_ROUTER_LOGIN_").lower(): v
            for k, v in env.items()
            if k.startswith("RENKU_FED_ROUTER_LOGIN_")
        }
    )

    client = load_dev_clients(tmp_path / "dev-issuer")[LOGIN_CLIENT_ID]
    assert settings.enabled and settings.client_id == "renku"
    assert settings.client_secret.get_secret_value() == client.client_secret
    assert not settings.cookie_secure and settings.cookie_name == "renku-session"
    assert client.redirect_uris == (
        "http://127.0.0.1:4100/auth/callback",
        "http://localhost:4100/auth/callback",
    )


@pytest.mark.parametrize(("workers", "store"), [(1, "memory"), (2, "sqlite")])
def test_several_router_workers_share_login_sessions_in_sqlite(
    tmp_path: Path, workers: int, store: str
) -> None:
    layout = PlatformLayout("127.0.0.1", 4100, tmp_path, workers)
    DevIssuer.create(tmp_path / "dev-issuer", layout.issuer)
    register_dev_client(tmp_path / "dev-issuer", LOGIN_CLIENT_ID, layout.callback_urls)

    env = layout.environment(layout.services[-1], seed_demo=False)

    assert env["RENKU_FED_ROUTER_LOGIN_STORE"] == store


def test_the_client_secret_survives_a_restart(tmp_path: Path) -> None:
    first = register_dev_client(tmp_path, "renku", ["http://127.0.0.1:4000/auth/callback"])
    second = register_dev_client(tmp_path, "renku", ["http://127.0.0.1:4000/auth/callback"])
    assert first.client_secret == second.client_secret and len(first.client_secret) >= 40
    assert (tmp_path / "clients.json").stat().st_mode & 0o077 == 0

"""Only the router learns where a session runs: `renku-fed up` shares a secret with it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
from starlette.applications import Starlette

from renku_fed.cli.up import SESSION_PROXY_SECRET_FILE, PlatformLayout
from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import Identity, TokenVerifier
from renku_fed.router.http.session_proxy import SessionProxySettings
from renku_fed.subgraphs.common.demo import ALICE
from renku_fed.subgraphs.sessions.backends.sqlite_store import SqliteStore
from renku_fed.subgraphs.sessions.models import Resources, Session, SessionState, SessionTarget
from renku_fed.subgraphs.sessions.proxy_targets import PROXY_SECRET_HEADER, proxy_target_routes
from renku_fed.subgraphs.sessions.settings import SessionsSettings


def test_up_gives_the_router_and_the_sessions_service_one_private_secret(tmp_path: Path) -> None:
    layout = PlatformLayout("127.0.0.1", 4100, tmp_path)
    router, sessions = layout.services[-1], layout.services[2]
    assert sessions.name == "sessions"

    router_env = layout.environment(router, seed_demo=False)
    sessions_env = layout.environment(sessions, seed_demo=False)

    router_secret = SessionProxySettings(
        secret=router_env["RENKU_FED_ROUTER_SESSION_PROXY_SECRET"]
    ).secret
    sessions_secret = SessionsSettings(
        proxy_secret=sessions_env["RENKU_FED_SESSIONS_PROXY_SECRET"]
    ).proxy_secret
    assert router_secret is not None and sessions_secret is not None
    assert router_secret.get_secret_value() == sessions_secret.get_secret_value()
    assert len(router_secret.get_secret_value()) >= 40
    assert (tmp_path / SESSION_PROXY_SECRET_FILE).stat().st_mode & 0o777 == 0o600
    again = layout.environment(sessions, seed_demo=False)["RENKU_FED_SESSIONS_PROXY_SECRET"]
    assert again == sessions_secret.get_secret_value()
    other = PlatformLayout("127.0.0.1", 4100, tmp_path / "other")
    other_env = other.environment(sessions, seed_demo=False)
    assert other_env["RENKU_FED_SESSIONS_PROXY_SECRET"] != again


class RunningSessions:
    """A backend whose sessions all run at one address; only what the lookup route needs."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store

    def target(self, session: Session) -> SessionTarget:
        return SessionTarget(session.id, "http://127.0.0.1:9", "jupyter-secret")

    def renew_token(self, session: Session, owner: Identity) -> None:
        """Nothing to renew here."""


async def test_the_owner_alone_is_refused_the_servers_secret(
    tmp_path: Path, verifier: TokenVerifier, dev_issuer: DevIssuer
) -> None:
    store = SqliteStore(tmp_path / "sessions.sqlite3")
    now = datetime.now(UTC)
    store.save_session(
        Session(
            "s1",
            "s1",
            "p1",
            ALICE.id,
            "l1",
            "image",
            SessionState.RUNNING,
            Resources(1, 2, 0, 1),
            None,
            now,
            now,
            3600,
            86400,
        )
    )
    routes = proxy_target_routes(RunningSessions(store), verifier, "router-only")  # type: ignore[arg-type]
    alice = {"Authorization": f"Bearer {dev_issuer.sign('alice')}"}
    transport = httpx.ASGITransport(app=Starlette(routes=routes))
    async with httpx.AsyncClient(transport=transport, base_url="http://s") as client:
        direct = await client.get("/internal/sessions/s1", headers=alice)
        forged = await client.get(
            "/internal/sessions/s1", headers={**alice, PROXY_SECRET_HEADER: "guess"}
        )
        router = await client.get(
            "/internal/sessions/s1", headers={**alice, PROXY_SECRET_HEADER: "router-only"}
        )
    assert direct.status_code == 403 and "jupyter-secret" not in direct.text
    assert forged.status_code == 403 and "jupyter-secret" not in forged.text
    assert router.status_code == 200 and router.json()["secret"] == "jupyter-secret"

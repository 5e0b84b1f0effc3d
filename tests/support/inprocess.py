"""The platform in one process: the real subgraph apps and router app, joined by ASGI transports.

For tests that go through the router without starting servers. Use it as

    async with inprocess_platform(tmp_path, verifier) as platform:
        body = await platform.query("{ me { username } }", token=dev_issuer.sign("alice"))
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic_settings import BaseSettings
from starlette.applications import Starlette

from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings

SUBGRAPH_PORTS = {"users": 4001, "projects": 4002, "sessions": 4003, "kg": 4004, "storage": 4005}
ROUTER_URL = "http://127.0.0.1:4000/graphql"
EVENTS_SECRET = "in-process-events-secret"
STORAGE_INTERNAL_SECRET = "in-process-storage-secret"


class PortRouting(httpx.AsyncBaseTransport):
    """Sends each request to the in-process app that listens on the request URL's port."""

    def __init__(self) -> None:
        self._transports: dict[int, httpx.ASGITransport] = {}

    def add(self, port: int, app: Starlette) -> None:
        """Serve `app` on `port` too."""
        self._transports[port] = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Dispatch by port; an unknown port is refused like a closed one."""
        transport = self._transports.get(request.url.port or 80)
        if transport is None:
            raise httpx.ConnectError(f"nothing listens on {request.url}", request=request)
        return await transport.handle_async_request(request)


def _subgraph_app(
    name: str,
    data_dir: Path,
    verifier: TokenVerifier,
    transport: PortRouting,
    configured: BaseSettings | None = None,
    with_kg: bool = True,
) -> Starlette:
    if name == "users":
        from renku_fed.subgraphs.users.app import build_app as build_users
        from renku_fed.subgraphs.users.settings import UsersSettings

        client = httpx.AsyncClient(transport=transport)
        if isinstance(configured, UsersSettings):
            return build_users(configured, verifier, client)
        return build_users(UsersSettings(data_dir=data_dir, seed_demo=True), verifier, client)
    if name == "projects":
        from renku_fed.subgraphs.projects.app import build_app as build_projects
        from renku_fed.subgraphs.projects.backends.users_service import UsersServiceNamespaces
        from renku_fed.subgraphs.projects.settings import ProjectsSettings

        settings = (
            configured
            if isinstance(configured, ProjectsSettings)
            else ProjectsSettings(
                data_dir=data_dir,
                seed_demo=True,
                # Without a kg in the platform, no events: they would be retried forever.
                kg_events_url=(
                    f"http://127.0.0.1:{SUBGRAPH_PORTS['kg']}/internal/events" if with_kg else None
                ),
                events_secret=EVENTS_SECRET if with_kg else None,
            )
        )
        users = UsersServiceNamespaces(
            settings.users_url, client=httpx.AsyncClient(transport=transport)
        )
        events = httpx.AsyncClient(transport=transport)
        return build_projects(settings, verifier, namespaces=users, events_client=events)
    if name == "kg":
        from renku_fed.subgraphs.kg.app import build_app as build_kg
        from renku_fed.subgraphs.kg.settings import KgSettings

        kg = KgSettings(
            data_dir=data_dir, seed_demo=True, events_secret=EVENTS_SECRET,
            ingestion_poll_seconds=0.05, group_cache_seconds=0,
        )  # fmt: skip
        return build_kg(kg, verifier, groups_client=httpx.AsyncClient(transport=transport))
    if name == "storage":
        from renku_fed.subgraphs.storage.app import build_app as build_storage
        from renku_fed.subgraphs.storage.backends.secret_box import SecretBox
        from renku_fed.subgraphs.storage.settings import StorageSettings

        storage = (
            configured
            if isinstance(configured, StorageSettings)
            else StorageSettings(
                data_dir=data_dir, secrets_keys=SecretBox.new_key(), graph_url=ROUTER_URL,
                internal_secret=STORAGE_INTERNAL_SECRET,
            )
        )  # fmt: skip
        return build_storage(storage, verifier, client=httpx.AsyncClient(transport=transport))
    raise ValueError(f"no in-process factory for the {name} subgraph")


@dataclass
class InProcessPlatform:
    """A router app composed at start from in-process subgraphs, and a client for it."""

    client: httpx.AsyncClient
    transport: PortRouting
    apps: dict[str, Starlette]
    router: Starlette | None = None

    async def settle(self) -> None:
        """Wait until projects told the kg every change and the kg ingested every event."""
        projects, kg = self.apps.get("projects"), self.apps.get("kg")
        events = getattr(projects.state, "kg_events", None) if projects else None
        if events is not None:
            await events.flush()
        if kg is not None:
            await kg.state.ingester.drain()

    async def request(
        self, query: str, token: str | None = None, variables: dict[str, Any] | None = None
    ) -> httpx.Response:
        """POST one GraphQL request to the router."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.client.post(
            ROUTER_URL, json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def query(
        self, query: str, token: str | None = None, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The JSON body of a GraphQL request to the router."""
        body: dict[str, Any] = (await self.request(query, token, variables)).json()
        return body


@asynccontextmanager
async def inprocess_platform(
    data_dir: Path,
    verifier: TokenVerifier,
    subgraphs: Sequence[str] = ("users", "projects", "kg"),
    subgraph_settings: Mapping[str, BaseSettings] | None = None,
) -> AsyncIterator[InProcessPlatform]:
    """Seeded subgraphs under `data_dir` and a router composing them, torn down on exit.

    `subgraph_settings` replaces the seeded defaults of the users or projects subgraph, by
    name (e.g. to run projects on the GitLab backend).
    """
    configured = subgraph_settings or {}
    transport = PortRouting()
    apps = {
        SUBGRAPH_PORTS[name]: _subgraph_app(
            name, data_dir / name, verifier, transport, configured.get(name), "kg" in subgraphs
        )
        for name in subgraphs
    }
    for port, app in apps.items():
        transport.add(port, app)
    settings = RouterSettings(
        subgraphs={name: f"http://127.0.0.1:{SUBGRAPH_PORTS[name]}/graphql" for name in subgraphs}
    )
    router = create_router_app(settings, verifier=verifier, transport=transport)
    transport.add(4000, router)
    async with AsyncExitStack() as stack:
        for app in (*apps.values(), router):
            await stack.enter_async_context(app.router.lifespan_context(app))
        client = await stack.enter_async_context(httpx.AsyncClient(transport=transport))
        by_name = {name: apps[SUBGRAPH_PORTS[name]] for name in subgraphs}
        platform = InProcessPlatform(
            client=client, transport=transport, apps=by_name, router=router
        )
        await platform.settle()
        yield platform

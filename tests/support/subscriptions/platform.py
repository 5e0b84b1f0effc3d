"""A router and the users, projects and sessions subgraphs under uvicorn, and graphql-ws's
Node client.

The router reaches the subgraphs over real sockets (its subscriptions are WebSockets); the
sessions subgraph looks projects up in the router stand-in of `tests.support.sessions`.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.types import ASGIApp

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings
from renku_fed.router.subscriptions.settings import SubscriptionSettings
from renku_fed.subgraphs.projects.app import build_app as build_projects
from renku_fed.subgraphs.projects.settings import ProjectsSettings
from renku_fed.subgraphs.sessions.app import build_app as build_sessions
from renku_fed.subgraphs.sessions.backends.local import LocalSessionBackend
from renku_fed.subgraphs.sessions.backends.project_directory import GraphProjectDirectory
from renku_fed.subgraphs.sessions.backends.sqlite_store import SqliteStore
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from renku_fed.subgraphs.users.app import build_app as build_users
from renku_fed.subgraphs.users.settings import UsersSettings
from tests.support.sessions import router_double

CLIENT = Path(__file__).with_name("client.mjs")


@asynccontextmanager
async def served(app: ASGIApp) -> AsyncIterator[str]:
    """`app` under uvicorn on a free loopback port, lifespan included; its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, ws="websockets-sansio")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        listener.close()


@dataclass
class Platform:
    """The router's URL, who signs tokens, and the sessions backend behind it."""

    url: str
    dev_issuer: DevIssuer
    sessions: LocalSessionBackend
    sessions_url: str
    """The sessions subgraph's base URL, for calls that bypass the router."""

    def token(self, user: str) -> str:
        """A token of `user`."""
        return self.dev_issuer.sign(user)

    async def graphql(self, user: str, query: str, **variables: Any) -> dict[str, Any]:
        """The data of one request to the router as `user`; errors fail the test."""
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(
                f"{self.url}/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {self.token(user)}"},
            )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return body["data"]


@asynccontextmanager
async def subscriptions_platform(
    tmp_path: Path,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
    repository: Path,
    limits: SubscriptionSettings,
) -> AsyncIterator[Platform]:
    """Users, projects and sessions subgraphs and a router composing them, each on its own
    port; projects tells no kg."""
    settings = SessionsSettings(data_dir=tmp_path / "sessions", seed_demo=True)
    directory = GraphProjectDirectory(
        "http://router/graphql",
        5.0,
        20,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=router_double(verifier, repository, []))
        ),
    )
    store = SqliteStore(settings.data_dir / "sessions.sqlite3")
    backend = LocalSessionBackend(settings, store, directory)
    async with AsyncExitStack() as stack:
        users_url = await stack.enter_async_context(
            served(build_users(UsersSettings(data_dir=tmp_path / "users"), verifier))
        )
        projects = ProjectsSettings(
            data_dir=tmp_path / "projects", seed_demo=True, users_url=f"{users_url}/graphql"
        )
        projects_url = await stack.enter_async_context(served(build_projects(projects, verifier)))
        sessions_url = await stack.enter_async_context(
            served(build_sessions(settings, verifier, directory, backend))
        )
        router = create_router_app(
            RouterSettings(
                subgraphs={
                    "users": f"{users_url}/graphql",
                    "projects": f"{projects_url}/graphql",
                    "sessions": f"{sessions_url}/graphql",
                },
                subscriptions=limits,
            ),
            verifier=verifier,
        )
        url = await stack.enter_async_context(served(router))
        yield Platform(url, dev_issuer, backend, sessions_url)


class NodeClient:
    """graphql-ws's client in Node, subscribed as `job` says; its lines as they come."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process

    @classmethod
    async def start(cls, job: dict[str, Any]) -> NodeClient:
        """Run the client on a job: url, connectionParams, headers, subscriptions."""
        process = await asyncio.create_subprocess_exec(
            "node", str(CLIENT), json.dumps(job), stdout=asyncio.subprocess.PIPE
        )
        return cls(process)

    async def line(self, timeout: float = 60.0) -> dict[str, Any]:
        """The next line the client printed."""
        assert self._process.stdout is not None
        raw = await asyncio.wait_for(self._process.stdout.readline(), timeout)
        assert raw, "the client exited without a word"
        decoded: dict[str, Any] = json.loads(raw)
        return decoded

    async def stop(self) -> None:
        """End the client as a closed browser tab would."""
        if self._process.returncode is None:
            self._process.kill()
        await self._process.wait()

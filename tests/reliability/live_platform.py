"""The in-process platform served over real HTTP: each app under uvicorn on a free port of
127.0.0.1, all on one event loop in a thread of its own, for synchronous HTTP fuzzers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn
from starlette.applications import Starlette

from renku_fed.identity.dev_issuer import DevIssuer, dev_issuer_routes
from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.sessions.app import build_app as build_sessions
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from tests.support.inprocess import SUBGRAPH_PORTS, inprocess_platform

T = TypeVar("T")
ISSUER = "http://127.0.0.1:4001/realms/renku"
# Every subgraph but sessions, which the in-process platform does not build.
IN_PROCESS = tuple(name for name in SUBGRAPH_PORTS if name != "sessions")


class LivePlatform:
    """The router and the four subgraphs, each at `urls[name]` (`router` for the router)."""

    def __init__(self, tmp_path: Path) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._stack = AsyncExitStack()
        self._servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []
        self.issuer = DevIssuer.create(tmp_path / "dev-issuer", ISSUER)
        self.urls: dict[str, str] = self._run(self._start(tmp_path))

    def _run(self, awaitable: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(awaitable, self._loop).result(timeout=120)

    async def _start(self, tmp_path: Path) -> dict[str, str]:
        issuer_app = Starlette(routes=dev_issuer_routes(self.issuer))
        client = await self._stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=issuer_app), base_url=ISSUER)
        )
        verifier = TokenVerifier(AuthSettings(issuer=ISSUER), client)
        platform = await self._stack.enter_async_context(
            inprocess_platform(tmp_path, verifier, IN_PROCESS)
        )
        sessions = build_sessions(
            SessionsSettings(data_dir=tmp_path / "sessions", seed_demo=True), verifier
        )
        await self._stack.enter_async_context(sessions.router.lifespan_context(sessions))
        assert platform.router is not None
        apps = {**platform.apps, "sessions": sessions, "router": platform.router}
        return {name: await self._serve(app) for name, app in apps.items()}

    async def _serve(self, app: Starlette) -> str:
        """Serve `app` (its lifespan already entered) on a free port; its GraphQL URL."""
        config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="error")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        self._servers.append((server, task))
        port = server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/graphql"

    async def _stop(self) -> None:
        for server, _ in self._servers:
            server.should_exit = True
        await asyncio.gather(*(task for _, task in self._servers))
        await self._stack.aclose()

    def close(self) -> None:
        """Stop the servers and the platform, then the loop."""
        self._run(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

"""What the sessions tests share: a router stand-in, the app from start to shutdown, probes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, request_response

from subgraphs.common.app import BearerAuth
from subgraphs.common.demo import DEMO_PROJECTS, FLIGHTS
from subgraphs.common.dev_issuer import DevIssuer
from subgraphs.common.tokens import TokenVerifier
from subgraphs.sessions.app import build_app
from subgraphs.sessions.backends.project_directory import PROJECT_QUERY, GraphProjectDirectory
from subgraphs.sessions.backends.store import SessionStore
from subgraphs.sessions.settings import SessionsSettings

Post = Callable[..., Coroutine[Any, Any, dict[str, Any]]]
LAUNCH = """
mutation($input: LaunchSessionInput!) {
  launchSession(input: $input) {
    session { id name state url startedAt project { id } launcher { id environmentKind }
              createdBy { id } }
    errors { code message field }
  }
}"""
SESSION = "query($id: ID!) { session(id: $id) { id state url } }"


def git(*arguments: str, cwd: Path | None = None) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Alice", "-c", "user.email=alice@example.org", *arguments],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def router_double(verifier: TokenVerifier, repository: Path, seen: list[str | None]) -> Starlette:
    """A stand-in for the router's `project` query.

    It follows the supergraph's documented `project` query response: `project` is null when the
    project does not exist or the caller may not see it (private, not a member); otherwise
    `id`, `namespace`, `slug`, `repositories` (clone URLs) and `permissions { write }`.
    """

    async def graphql(request: Request) -> JSONResponse:
        body = await request.json()
        assert body["query"] == PROJECT_QUERY
        seen.append(request.headers.get("authorization"))
        username = request.scope["state"]["identity"].username
        project = next((p for p in DEMO_PROJECTS if p.id == body["variables"]["id"]), None)
        roles = dict(project.members) if project else {}
        if project is None or (project.visibility != "PUBLIC" and username not in roles):
            return JSONResponse({"data": {"project": None}})
        return JSONResponse(
            {
                "data": {
                    "project": {
                        "id": project.id,
                        "namespace": project.namespace,
                        "slug": project.slug,
                        "repositories": [repository.as_uri()] if project is FLIGHTS else [],
                        "permissions": {"write": roles.get(username) in ("OWNER", "EDITOR")},
                    }
                }
            }
        )

    return Starlette(
        routes=[
            Route("/graphql", BearerAuth(request_response(graphql), verifier), methods=["POST"])
        ]
    )


@asynccontextmanager
async def serving(
    settings: SessionsSettings,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
    repository: Path,
    seen_tokens: list[str | None],
) -> AsyncIterator[Post]:
    """The sessions app from start to shutdown, and a way to send it GraphQL as someone."""
    router = httpx.ASGITransport(app=router_double(verifier, repository, seen_tokens))
    directory = GraphProjectDirectory(
        "http://router/graphql", 5.0, httpx.AsyncClient(transport=router)
    )
    app = build_app(settings, verifier, directory)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as client,
    ):

        async def send(query: str, as_user: str | None = None, **variables: Any) -> dict[str, Any]:
            headers = {"Authorization": f"Bearer {dev_issuer.sign(as_user)}"} if as_user else {}
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            assert "errors" not in body, body["errors"]
            return body["data"]

        yield send


async def launch(post: Post, user: str | None, project_id: str, **extra: str) -> dict[str, Any]:
    payload: dict[str, Any] = (
        await post(LAUNCH, as_user=user, input={"projectId": project_id, **extra})
    )["launchSession"]
    return payload


async def wait_for_state(post: Post, session_id: str, state: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        session: dict[str, Any] = (await post(SESSION, as_user="alice", id=session_id))["session"]
        if session["state"] == state:
            return session
        await asyncio.sleep(0.1)
    raise AssertionError(f"session {session_id} never reached {state}")


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited already; only its process table entry is left.
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def session_pid(store: SessionStore, session_id: str) -> int:
    session = store.session(session_id)
    assert session is not None and session.pid is not None
    return session.pid


def group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True

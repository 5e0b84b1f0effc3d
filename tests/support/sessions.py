"""What the sessions tests share: a router stand-in, the app from start to shutdown, probes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import graphql
import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, request_response

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.middleware import BearerAuth
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.common.demo import DEMO_PROJECTS, FLIGHTS, DemoProject
from renku_fed.subgraphs.sessions.app import build_app
from renku_fed.subgraphs.sessions.backends.project_directory import GraphProjectDirectory
from renku_fed.subgraphs.sessions.backends.sqlite_store import SqliteStore
from renku_fed.subgraphs.sessions.settings import SessionsSettings

Post = Callable[..., Coroutine[Any, Any, dict[str, Any]]]
LAUNCH = """
mutation($input: LaunchSessionInput!) {
  launchSession(input: $input) {
    session { id name state url message startedAt project { id } launcher { id } user { id }
              resources { cpu memory gpu storage } image willHibernateAt }
    created
    errors { code message field }
  }
}"""
SESSION = "query($id: ID!) { session(id: $id) { id state url message } }"
ADMIN_CLAIMS = {"realm_access": {"roles": ["renku-admin"]}}
ROUTER_SCHEMA = graphql.build_schema("""
type Query { project(id: ID!): Project }
type Project {
  id: ID! namespace: String! slug: String! repositories: [String!]! permissions: Permissions!
}
type Permissions { write: Boolean! }
""")
ROUTER_MAX_ROOT_FIELDS = 20


def git(*arguments: str, cwd: Path | None = None) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Alice", "-c", "user.email=alice@example.org", *arguments],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def router_double(
    verifier: TokenVerifier,
    repository: Path | str,
    seen: list[str | None],
    projects: Sequence[DemoProject] = DEMO_PROJECTS,
) -> Starlette:
    """A stand-in for the router's `project` query; `seen` gets each request's Authorization.

    It runs the operation against the supergraph's `project` field: null when the project does
    not exist or the caller may not see it (private, not a member); otherwise `id`,
    `namespace`, `slug`, `repositories` (clone URLs) and `permissions { write }`. Like the
    router, it refuses more than 20 root fields; ids must come as variables.
    """
    by_id = {project.id: project for project in projects}

    async def graphql_endpoint(request: Request) -> JSONResponse:
        body = await request.json()
        seen.append(request.headers.get("authorization"))
        assert '"' not in body["query"] and len(body["variables"]) <= ROUTER_MAX_ROOT_FIELDS
        username = request.scope["state"]["identity"].username

        def project(_: Any, id: str) -> dict[str, Any] | None:
            found = by_id.get(id)
            roles = dict(found.members) if found else {}
            if found is None or (found.visibility != "PUBLIC" and username not in roles):
                return None
            return {
                "id": found.id,
                "namespace": found.namespace,
                "slug": found.slug,
                "repositories": [_clone_url(repository)] if found is FLIGHTS else [],
                "permissions": {"write": roles.get(username) in ("OWNER", "EDITOR")},
            }

        result = await graphql.graphql(
            ROUTER_SCHEMA,
            body["query"],
            root_value={"project": project},
            variable_values=body["variables"],
        )
        assert result.errors is None, result.errors
        return JSONResponse({"data": result.data})

    return Starlette(
        routes=[
            Route(
                "/graphql",
                BearerAuth(request_response(graphql_endpoint), verifier),
                methods=["POST"],
            )
        ]
    )


def _clone_url(repository: Path | str) -> str:
    return repository if isinstance(repository, str) else repository.as_uri()


@asynccontextmanager
async def serving(
    settings: SessionsSettings,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
    repository: Path | str,
    seen_tokens: list[str | None],
    projects: Sequence[DemoProject] = DEMO_PROJECTS,
    router: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[Post]:
    """The sessions app from start to shutdown, and a way to send it GraphQL as someone.

    `send(..., errors=True)` returns the whole response body instead of refusing errors in it.
    """
    router = router or httpx.ASGITransport(
        app=router_double(verifier, repository, seen_tokens, projects)
    )
    directory = GraphProjectDirectory(
        "http://router/graphql",
        5.0,
        settings.graph_batch_size,
        httpx.AsyncClient(transport=router),
    )
    app = build_app(settings, verifier, directory)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as client,
    ):

        async def send(
            query: str, as_user: str | None = None, errors: bool = False, **variables: Any
        ) -> dict[str, Any]:
            headers = (
                {"Authorization": f"Bearer {token_for(dev_issuer, as_user)}"} if as_user else {}
            )
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            if errors:
                return body
            assert "errors" not in body, body["errors"]
            return body["data"]

        yield send


def token_for(dev_issuer: DevIssuer, user: str) -> str:
    """A token for the user; `admin` is a Renku administrator."""
    return dev_issuer.sign(user, extra_claims=ADMIN_CLAIMS if user == "admin" else None)


async def launch(post: Post, user: str | None, **input: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await post(LAUNCH, as_user=user, input=input))["launchSession"]
    return payload


async def wait_for_state(
    post: Post, session_id: str, state: str, user: str = "alice"
) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        session: dict[str, Any] = (await post(SESSION, as_user=user, id=session_id))["session"]
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


def session_pid(store: SqliteStore, session_id: str) -> int:
    session = store.session(session_id)
    assert session is not None and session.pid is not None
    return session.pid


def group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True

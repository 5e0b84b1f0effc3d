"""Issue 18's Must work for sessions, through the router: alice's S3 connector (moto) is in her
session under its target path; bob, without the credentials, is told so; the secret shows nowhere.

The router, users, projects, storage and sessions run under uvicorn on free loopback ports; the
sessions subgraph asks the real storage subgraph's session-launch route.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings
from renku_fed.subgraphs.common.demo import FLIGHTS
from renku_fed.subgraphs.projects.app import build_app as build_projects
from renku_fed.subgraphs.projects.settings import ProjectsSettings
from renku_fed.subgraphs.sessions.app import build_app as build_sessions
from renku_fed.subgraphs.sessions.backends.local_mounts import fuse_available
from renku_fed.subgraphs.sessions.backends.project_directory import GraphProjectDirectory
from renku_fed.subgraphs.sessions.demo import demo_launchers
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from renku_fed.subgraphs.storage.app import build_app as build_storage
from renku_fed.subgraphs.storage.backends.secret_box import SecretBox
from renku_fed.subgraphs.storage.settings import StorageSettings
from renku_fed.subgraphs.users.app import build_app as build_users
from renku_fed.subgraphs.users.settings import UsersSettings
from tests.integration.test_storage_platform import CREATE, LINK, PROJECT, _s3_input
from tests.support.services.storage_servers import (
    BUCKET_FILES,
    StorageServer,
    require_rclone,
)
from tests.support.sessions import git, router_double

INTERNAL = "sessions-storage-internal-secret"
LAUNCH = """mutation($id: ID!) { launchSession(input: {launcherId: $id}) {
  session { id state message } errors { code message } } }"""
SESSION = "query($id: ID!) { session(id: $id) { id state message } }"


def _listener() -> socket.socket:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    return listener


@asynccontextmanager
async def _served(app: Any, listener: socket.socket) -> AsyncIterator[str]:
    """`app` under uvicorn on `listener`, lifespan included; its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        listener.close()


@asynccontextmanager
async def _platform(
    tmp_path: Path, verifier: TokenVerifier, repository: Path
) -> AsyncIterator[tuple[str, Path]]:
    """The router's URL and the sessions' data folder."""
    router_socket, storage_socket = _listener(), _listener()
    router_url = f"http://127.0.0.1:{router_socket.getsockname()[1]}"
    storage_url = f"http://127.0.0.1:{storage_socket.getsockname()[1]}"
    storage = StorageSettings(
        data_dir=tmp_path / "storage", secrets_keys=SecretBox.new_key(),
        graph_url=f"{router_url}/graphql", internal_secret=INTERNAL,
    )  # fmt: skip
    sessions = SessionsSettings(
        data_dir=tmp_path / "sessions", seed_demo=True,
        storage_url=f"{storage_url}/internal/session-launch", storage_secret=SecretStr(INTERNAL),
    )  # fmt: skip
    # Sessions look projects up in the router stand-in, which clones this repository.
    double = httpx.ASGITransport(app=router_double(verifier, repository, []))
    directory = GraphProjectDirectory(
        "http://router/graphql", 5.0, 20, httpx.AsyncClient(transport=double)
    )
    async with AsyncExitStack() as stack:
        users = await stack.enter_async_context(
            _served(build_users(UsersSettings(data_dir=tmp_path / "users"), verifier), _listener())
        )
        projects_settings = ProjectsSettings(
            data_dir=tmp_path / "projects", seed_demo=True, users_url=f"{users}/graphql"
        )
        projects = await stack.enter_async_context(
            _served(build_projects(projects_settings, verifier), _listener())
        )
        await stack.enter_async_context(_served(build_storage(storage, verifier), storage_socket))
        sessions_url = await stack.enter_async_context(
            _served(build_sessions(sessions, verifier, directory), _listener())
        )
        names = {
            "users": users,
            "projects": projects,
            "storage": storage_url,
            "sessions": sessions_url,
        }
        router = create_router_app(
            RouterSettings(subgraphs={name: f"{url}/graphql" for name, url in names.items()}),
            verifier=verifier,
        )
        await stack.enter_async_context(_served(router, router_socket))
        yield router_url, sessions.data_dir


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A bare repository of the demo project, cloned into each session."""
    bare, work = tmp_path / "flights.git", tmp_path / "flights-work"
    git("init", "--bare", "--quiet", str(bare))
    git("init", "--quiet", str(work))
    (work / "README.md").write_text("# Flights\n")
    git("add", "README.md", cwd=work)
    git("commit", "--quiet", "-m", "Start", cwd=work)
    git("push", "--quiet", str(bare), "HEAD:refs/heads/main", cwd=work)
    git("symbolic-ref", "HEAD", "refs/heads/main", cwd=bare)
    return bare


async def _running(post: Any, user: str, session_id: str) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        found: dict[str, Any] = (await post(user, SESSION, id=session_id))["data"]["session"]
        if found["state"] == "RUNNING":
            return found
        assert found["state"] == "STARTING", found
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.2)


async def test_alice_lists_her_bucket_in_her_session_and_bob_is_told_he_needs_credentials(
    tmp_path: Path,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
    repository: Path,
    s3_server: StorageServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    require_rclone()
    caplog.set_level(logging.DEBUG)
    answers: list[Any] = []
    async with (
        _platform(tmp_path, verifier, repository) as (url, data_dir),
        httpx.AsyncClient(timeout=60) as client,
    ):

        async def post(user: str, query: str, **variables: Any) -> dict[str, Any]:
            response = await client.post(
                f"{url}/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {dev_issuer.sign(user)}"},
            )
            answers.append(response.text)
            body: dict[str, Any] = response.json()
            return body

        for user in ("alice", "bob"):
            await post(user, "{ me { id } }")
        made = (await post("alice", CREATE, input=_s3_input(s3_server)))["data"]
        connector = made["createDataConnector"]["dataConnector"]
        linked = await post("alice", LINK, dc=connector["id"], project=FLIGHTS.id)
        assert linked["data"]["linkDataConnector"]["errors"] == []
        await post("bob", PROJECT, id=FLIGHTS.id)

        flights = demo_launchers()[0].id
        mine = (await post("alice", LAUNCH, id=flights))["data"]["launchSession"]["session"]
        running = await _running(post, "alice", mine["id"])
        copied = f"data connector {connector['slug']} is a synced copy"
        assert (copied in (running["message"] or "")) is not fuse_available()
        target = data_dir / "sessions" / mine["id"] / "home" / "work" / "data" / "flights"
        listed = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
        assert listed == sorted(BUCKET_FILES)

        theirs = (await post("bob", LAUNCH, id=flights))["data"]["launchSession"]["session"]
        told = await _running(post, "bob", theirs["id"])
        assert f"data connector {connector['slug']} needs credentials" in told["message"]
        bob_target = data_dir / "sessions" / theirs["id"] / "home" / "work" / "data" / "flights"
        assert not bob_target.exists()
    assert all(s3_server.password not in answer for answer in answers)
    assert s3_server.password not in json.dumps([r.getMessage() for r in caplog.records])
    assert all(s3_server.password not in str(record.__dict__) for record in caplog.records)

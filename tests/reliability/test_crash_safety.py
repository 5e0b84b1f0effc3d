"""kill -9 of the projects subgraph (a real process) during a stream of createProject mutations
loses no acknowledged project: after a restart each exists exactly once, with its repository.
3 runs by default; RENKU_FED_CRASH_RUNS=100 for the full count."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from renku_fed.identity.dev_issuer import DevIssuer, dev_issuer_routes
from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.users.app import build_app as build_users_app
from renku_fed.subgraphs.users.settings import UsersSettings
from tests.support.ports import free_port

RUNS = int(os.environ.get("RENKU_FED_CRASH_RUNS", "3"))
SENDERS = 4
CREATE = """mutation($name: String!) {
  createProject(input: {name: $name}) { project { id namespace slug } errors { code } }
}"""
MINE = """query($after: String) {
  projects(minimumRole: OWNER, first: 100, after: $after) {
    edges { node { id name namespace slug } } pageInfo { hasNextPage endCursor }
  }
}"""


@contextmanager
def served(app: Starlette, port: int, lifespan: Literal["on", "off"]) -> Iterator[None]:
    """`app` under uvicorn on a loopback port, from a thread of this process."""
    config = uvicorn.Config(app, port=port, log_level="warning", lifespan=lifespan)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevIssuer]:
    """The development issuer, served on a loopback port."""
    port = free_port()
    dev = DevIssuer.create(
        tmp_path_factory.mktemp("issuer"), f"http://127.0.0.1:{port}/realms/renku"
    )
    with served(Starlette(routes=dev_issuer_routes(dev)), port, "off"):
        yield dev


@pytest.fixture(scope="module")
def users_url(tmp_path_factory: pytest.TempPathFactory, issuer: DevIssuer) -> Iterator[str]:
    """The users subgraph, which says the caller's own namespace to projects, on a loopback port."""
    port = free_port()
    settings = UsersSettings(data_dir=tmp_path_factory.mktemp("users"), projects_url=None)
    app = build_users_app(settings, TokenVerifier(AuthSettings(issuer=issuer.issuer)))
    with served(app, port, "on"):
        yield f"http://127.0.0.1:{port}/graphql"


class ProjectsProcess:
    """The projects subgraph under uvicorn, on its own data folder and port."""

    def __init__(self, data_dir: Path, issuer: DevIssuer, users_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = {
            **os.environ,
            "RENKU_FED_AUTH_ISSUER": issuer.issuer,
            "RENKU_FED_PROJECTS_DATA_DIR": str(data_dir),
            "RENKU_FED_PROJECTS_SEED_DEMO": "false",
            "RENKU_FED_PROJECTS_USERS_URL": users_url,
        }
        self._process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        """Start the process and wait until it answers /healthz."""
        command = [
            sys.executable, "-m", "uvicorn", "renku_fed.subgraphs.projects.app:create_app",
            "--factory", "--port", str(self.port), "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
        self._process = subprocess.Popen(command, env=self._env, start_new_session=True)
        async with httpx.AsyncClient() as client:
            for _ in range(600):
                assert self._process.poll() is None, "the projects subgraph exited"
                try:
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
        raise AssertionError("the projects subgraph did not start")

    def kill(self) -> None:
        """kill -9, and reap it."""
        if self._process is not None and self._process.poll() is None:
            os.kill(self._process.pid, signal.SIGKILL)
            self._process.wait()


async def stream(client: httpx.AsyncClient, url: str, prefix: str, acked: dict[str, str]) -> None:
    """Create projects one after another until the service stops answering."""
    for number in range(10_000):
        name = f"{prefix}-{number}"
        try:
            response = await client.post(url, json={"query": CREATE, "variables": {"name": name}})
        except httpx.TransportError:
            return
        payload = response.json()["data"]["createProject"]
        assert payload["errors"] == [], payload
        acked[name] = payload["project"]["slug"]


async def owned(client: httpx.AsyncClient, url: str) -> list[dict[str, str]]:
    """Every project the caller owns, all pages."""
    nodes: list[dict[str, str]] = []
    after = None
    while True:
        response = await client.post(url, json={"query": MINE, "variables": {"after": after}})
        page = response.json()["data"]["projects"]
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def has_commit(repository: Path) -> bool:
    """True when `repository` is a git repository whose HEAD names a commit."""
    command = ["git", "--git-dir", str(repository), "rev-parse", "--verify", "HEAD^{commit}"]
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


async def crash_once(data_dir: Path, issuer: DevIssuer, users_url: str, run: int) -> int:
    """One run: stream, kill -9 after a random moment, restart, check; acknowledged count."""
    service = ProjectsProcess(data_dir, issuer, users_url)
    headers = {"authorization": f"Bearer {issuer.sign('alice')}"}
    acked: dict[str, str] = {}
    url = f"{service.url}/graphql"
    await service.start()
    try:
        async with httpx.AsyncClient(headers=headers, timeout=30) as client:
            senders = [
                asyncio.create_task(stream(client, url, f"run{run}-s{s}", acked))
                for s in range(SENDERS)
            ]
            await asyncio.sleep(random.uniform(0.3, 1.5))
            service.kill()
            await asyncio.gather(*senders)
            await service.start()
            projects = await owned(client, url)
    finally:
        service.kill()
    mine = [p for p in projects if p["name"].startswith(f"run{run}-")]
    names = [p["name"] for p in mine]
    assert len(names) == len(set(names)), "a project was stored twice"
    by_name = {p["name"]: p for p in mine}
    lost = sorted(set(acked) - set(by_name))
    assert not lost, f"acknowledged projects lost: {lost}"
    for project in mine:
        repository = data_dir / "repositories" / project["namespace"] / f"{project['slug']}.git"
        assert has_commit(repository), f"{project['name']} has no repository"
    return len(acked)


@pytest.mark.asyncio
async def test_kill_9_loses_no_acknowledged_project(
    tmp_path: Path, issuer: DevIssuer, users_url: str
) -> None:
    data_dir = tmp_path / "projects"
    acknowledged = [await crash_once(data_dir, issuer, users_url, run) for run in range(RUNS)]
    assert sum(acknowledged) > 0, "no mutation was acknowledged before the kill"

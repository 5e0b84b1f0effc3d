"""`python -m bench.sessions`: launch -> RUNNING -> first answer through the router, local backend.

It runs the sessions subgraph and the router in this process (the router on a loopback port,
projects from a stand-in of the router's `project` query), launches alice's session of a
one-commit project, and times `launchSession` to `RUNNING` (polling `session(id)` every 20 ms)
and to the first 200 of `<url>api/status` through the router. Then the peers measured in the
same run: a bare `jupyter server`, JupyterLab, JupyterLab in bubblewrap, the clone.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette

from bench.sessions.peers import peers
from renku_fed.identity.dev_issuer import DevIssuer, dev_issuer_routes
from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings
from renku_fed.subgraphs.sessions.app import build_app
from renku_fed.subgraphs.sessions.backends.project_directory import GraphProjectDirectory
from renku_fed.subgraphs.sessions.demo import demo_launchers
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from tests.support.inprocess import PortRouting
from tests.support.sessions import git, router_double

ISSUER = "http://127.0.0.1:4001/realms/renku"
SESSIONS_PORT = 4003
LAUNCH = "mutation($id: ID!) { launchSession(input: {launcherId: $id}) { session { id url } } }"
STATE = "query($id: ID!) { session(id: $id) { state } }"
DELETE = "mutation($id: ID!) { deleteSession(id: $id) { id } }"


def repository(root: Path) -> Path:
    """A bare repository with one commit."""
    bare, work = root / "flights.git", root / "work"
    git("init", "--bare", "--quiet", str(bare))
    git("init", "--quiet", str(work))
    (work / "analysis.py").write_text("print('flights')\n")
    git("add", ".", cwd=work)
    git("commit", "--quiet", "-m", "Start", cwd=work)
    git("push", "--quiet", str(bare), "HEAD:refs/heads/main", cwd=work)
    git("symbolic-ref", "HEAD", "refs/heads/main", cwd=bare)
    return bare


async def one_launch(
    client: httpx.AsyncClient, base: str, headers: dict[str, str]
) -> tuple[float, float]:
    """Seconds from launchSession to RUNNING and to the first answer through the router."""

    async def graphql(query: str, **variables: str) -> dict:  # type: ignore[type-arg]
        answer = await client.post(
            f"{base}/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        return answer.json()["data"]  # type: ignore[no-any-return]

    start = time.perf_counter()
    session = (await graphql(LAUNCH, id=demo_launchers()[0].id))["launchSession"]["session"]
    while (await graphql(STATE, id=session["id"]))["session"]["state"] != "RUNNING":
        await asyncio.sleep(0.02)
    running = time.perf_counter() - start
    while (await client.get(f"{session['url']}api/status", headers=headers)).status_code != 200:
        await asyncio.sleep(0.02)
    answered = time.perf_counter() - start
    await graphql(DELETE, id=session["id"])
    return running, answered


async def launches(root: Path, bare: Path, rounds: int, sandbox: str) -> list[tuple[float, float]]:
    """`rounds` launches of alice's session on a fresh platform."""
    issuer = DevIssuer.create(root / "dev-issuer", ISSUER)
    issuer_app = Starlette(routes=dev_issuer_routes(issuer))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=issuer_app), base_url="http://127.0.0.1:4001"
    ) as keys:
        verifier = TokenVerifier(AuthSettings(issuer=ISSUER), keys)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        settings = SessionsSettings(
            data_dir=root / "sessions",
            seed_demo=True,
            sandbox=sandbox,  # type: ignore[arg-type]
            public_url=f"http://127.0.0.1:{port}",
        )
        lookups = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=router_double(verifier, bare, []))
        )
        sessions = build_app(
            settings, verifier, GraphProjectDirectory("http://router/graphql", 5.0, 20, lookups)
        )
        transport = PortRouting()
        transport.add(SESSIONS_PORT, sessions)
        router = create_router_app(
            RouterSettings(subgraphs={"sessions": f"http://127.0.0.1:{SESSIONS_PORT}/graphql"}),
            verifier=verifier,
            transport=transport,
        )
        server = uvicorn.Server(
            uvicorn.Config(router, host="127.0.0.1", port=port, log_level="warning")
        )
        async with sessions.router.lifespan_context(sessions):
            serving = asyncio.create_task(server.serve())
            while not server.started:
                await asyncio.sleep(0.05)
            headers = {"Authorization": f"Bearer {issuer.sign('alice')}"}
            async with httpx.AsyncClient(timeout=30) as client:
                times = [
                    await one_launch(client, f"http://127.0.0.1:{port}", headers)
                    for _ in range(rounds)
                ]
            server.should_exit = True
            await serving
    return times


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sandbox", choices=["bubblewrap", "none"], default="bubblewrap")
    parser.add_argument("--skip-peers", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        bare = repository(root)
        times = asyncio.run(launches(root, bare, options.rounds, options.sandbox))
        print(f"local backend, sandbox={options.sandbox}, {options.rounds} launches (seconds)")
        print(f"{'':40} {'best':>6} {'median':>6}")
        for index, name in enumerate(
            ("launchSession -> RUNNING", "launchSession -> first answer via router")
        ):
            values = sorted(t[index] for t in times)
            print(f"{name:40} {values[0]:6.2f} {values[len(values) // 2]:6.2f}")
        if not options.skip_peers:
            print("peers, same run (best of 2):")
            for name, seconds in peers(bare, options.sandbox == "bubblewrap").items():
                print(f"{name:40} {seconds:6.2f}")
    subprocess.run(["true"], check=True)


if __name__ == "__main__":
    main()

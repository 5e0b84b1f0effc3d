"""Sessions through the router: a real router on a port, the sessions subgraph behind it, and
sandboxed Jupyter servers reached over HTTP and WebSocket only by their owners."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings
from renku_fed.subgraphs.sessions.app import build_app
from renku_fed.subgraphs.sessions.backends.project_directory import GraphProjectDirectory
from renku_fed.subgraphs.sessions.backends.sqlite_store import SqliteStore
from renku_fed.subgraphs.sessions.demo import demo_launchers
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from tests.support.inprocess import PortRouting
from tests.support.ports import free_port
from tests.support.sessions import git, router_double

SESSIONS_PORT = 4003
# The platform's own files: a session sees at most the virtualenv, which may lie inside.
CHECKOUT = Path(__file__).resolve().parents[3]
LAUNCH = """mutation($id: ID!) {
  launchSession(input: {launcherId: $id}) { session { id url state } errors { code message } }
}"""
STATE = "query($id: ID!) { session(id: $id) { state url } }"
# Runs in alice's kernel: the platform with no argument, then what a hostile user would try.
PROBE = """
import json, os, pathlib, urllib.request
url = os.environ["RENKU_FED_URL"] + "/graphql"
token = pathlib.Path(os.environ["RENKU_FED_TOKEN_FILE"]).read_text()
request = urllib.request.Request(url, data=json.dumps({"query": "{ sessions { id } }"}).encode(),
    headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
answer = json.load(urllib.request.urlopen(request))
def readable(path):
    try:
        pathlib.Path(path).read_bytes() if pathlib.Path(path).is_file() else os.listdir(path)
        return True
    except OSError:
        return False
secrets = [p for p in pathlib.Path("/proc").glob("[0-9]*/environ") if readable(p)]
print(json.dumps({"answer": answer, "uid": os.getuid(), "files": sorted(os.listdir(".")),
    "token_mode": oct(pathlib.Path(os.environ["RENKU_FED_TOKEN_FILE"]).stat().st_mode & 0o777),
    "readable": {path: readable(path) for path in PATHS},
    "tokens": sorted({v.split(b"=", 1)[1].decode() for p in secrets
                      for v in p.read_bytes().split(b"\\0") if v.startswith(b"JUPYTER_TOKEN=")}),
    "pids": sorted(int(p.name) for p in pathlib.Path("/proc").glob("[0-9]*"))}))
"""


@dataclass
class Platform:
    url: str
    dev_issuer: DevIssuer
    store: SqliteStore

    def headers(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.dev_issuer.sign(user)}"}

    async def graphql(self, user: str, query: str, **variables: Any) -> dict[str, Any]:
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"{self.url}/graphql",
                json={"query": query, "variables": variables},
                headers=self.headers(user),
            )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return body["data"]


@pytest.fixture
async def platform(
    tmp_path: Path, verifier: TokenVerifier, dev_issuer: DevIssuer
) -> AsyncIterator[Platform]:
    repository = tmp_path / "flights.git"
    work = tmp_path / "flights-work"
    git("init", "--bare", "--quiet", str(repository))
    git("init", "--quiet", str(work))
    (work / "analysis.py").write_text("print('flights')\n")
    git("add", ".", cwd=work)
    git("commit", "--quiet", "-m", "Start", cwd=work)
    git("push", "--quiet", str(repository), "HEAD:refs/heads/main", cwd=work)
    git("symbolic-ref", "HEAD", "refs/heads/main", cwd=repository)
    port = free_port()
    settings = SessionsSettings(
        data_dir=tmp_path / "sessions", seed_demo=True, public_url=f"http://127.0.0.1:{port}"
    )
    directory = GraphProjectDirectory(
        "http://router/graphql",
        5.0,
        20,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=router_double(verifier, repository, []))
        ),
    )
    sessions = build_app(settings, verifier, directory)
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
        try:
            yield Platform(
                f"http://127.0.0.1:{port}",
                dev_issuer,
                SqliteStore(settings.data_dir / "sessions.sqlite3"),
            )
        finally:
            server.should_exit = True
            await serving


async def running_session(platform: Platform) -> dict[str, Any]:
    launched = await platform.graphql("alice", LAUNCH, id=demo_launchers()[0].id)
    session: dict[str, Any] = launched["launchSession"]["session"]
    for _ in range(200):
        found = (await platform.graphql("alice", STATE, id=session["id"]))["session"]
        if found["state"] == "RUNNING":
            return {**session, **found}
        await asyncio.sleep(0.1)
    raise AssertionError("the session never ran")


def execute_request(code: str) -> str:
    header = {
        "msg_id": uuid.uuid4().hex,
        "username": "alice",
        "session": uuid.uuid4().hex,
        "msg_type": "execute_request",
        "version": "5.3",
    }
    content = {"code": code, "silent": False, "store_history": False, "allow_stdin": False}
    message = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
    return json.dumps({**message, "channel": "shell", "buffers": []})


async def run_in_kernel(platform: Platform, session_url: str, code: str) -> str:
    async with httpx.AsyncClient() as client:
        created = await client.post(
            f"{session_url}api/kernels", json={"name": "python3"}, headers=platform.headers("alice")
        )
    assert created.status_code == 201, created.text
    kernel = created.json()["id"]
    channels = session_url.replace("http://", "ws://") + f"api/kernels/{kernel}/channels"
    output = []
    async with connect(channels, additional_headers=platform.headers("alice")) as kernel_socket:
        await kernel_socket.send(execute_request(code))
        async for raw in kernel_socket:
            message = json.loads(raw)
            if message["msg_type"] == "stream":
                output.append(message["content"]["text"])
            if message["msg_type"] == "error":
                raise AssertionError(message["content"]["traceback"])
            if message["msg_type"] == "execute_reply":
                break
    return "".join(output)


async def test_only_the_owner_reaches_a_session_and_its_kernel_is_sandboxed(
    platform: Platform, tmp_path: Path
) -> None:
    session = await running_session(platform)
    url = session["url"]
    assert url == f"{platform.url}/sessions/{session['id']}/"
    secret = platform.store.session(session["id"]).secret  # type: ignore[union-attr]
    assert secret
    async with httpx.AsyncClient() as client:
        status = await client.get(f"{url}api/status", headers=platform.headers("alice"))
        assert status.status_code == 200 and "started" in status.json()
        contents = await client.get(f"{url}api/contents", headers=platform.headers("alice"))
        assert "analysis.py" in [item["name"] for item in contents.json()["content"]]
        lab = await client.get(f"{url}lab", headers=platform.headers("alice"))
        assert lab.status_code == 200 and '"token": ""' in lab.text
        for answer in (status, contents, lab):
            assert secret not in answer.text and secret not in str(answer.headers)
        direct = await client.get(f"{url}api/status", headers={"Authorization": "token x"})
        assert direct.status_code == 401
        bob = await client.get(f"{url}api/status", headers=platform.headers("bob"))
        assert bob.status_code == 403
        anonymous = await client.get(f"{url}api/status")
        assert anonymous.status_code == 401
        missing = await client.get(
            f"{platform.url}/sessions/nope/api/status", headers=platform.headers("alice")
        )
        assert missing.status_code == 404
    data = tmp_path / "sessions"
    paths = [
        *(str(path) for path in (tmp_path / "dev-issuer", data, data / "sessions.sqlite3")),
        *(
            str(tmp_path / "flights.git"),
            "/root/.bashrc",
            str(CHECKOUT / "pyproject.toml"),
            "/etc/shadow",
        ),
    ]
    code = f"PATHS = {paths!r}\n" + PROBE
    report = json.loads(await run_in_kernel(platform, url, code))
    assert report["answer"] == {"data": {"sessions": [{"id": session["id"]}]}}
    assert report["uid"] == 1000 and report["token_mode"] == "0o600"
    assert "analysis.py" in report["files"]
    assert report["readable"] == dict.fromkeys(paths, False)
    # Its own PID namespace: only the sandbox's few processes, no other session's secret.
    assert report["pids"][0] == 1 and len(report["pids"]) <= 4
    assert report["tokens"] == [secret]


async def test_a_websocket_of_someone_else_is_refused(platform: Platform) -> None:
    session = await running_session(platform)
    channels = session["url"].replace("http://", "ws://") + "api/events/subscribe"
    with pytest.raises(InvalidStatus) as refused:
        async with connect(channels, additional_headers=platform.headers("bob")):
            pass
    assert refused.value.response.status_code == 403

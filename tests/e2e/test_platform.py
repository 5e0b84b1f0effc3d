"""The whole platform started as `renku-fed up` does, queried through the router over HTTP."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from renku_fed.identity.dev_issuer import DevIssuer
from tests.support.ports import free_platform_port

RENKU_FED = str(Path(sys.executable).parent / "renku-fed")
STARTUP_SECONDS = 120

DASHBOARD = """
query Dashboard {
  me {
    username
    projects(first: 10) {
      totalCount
      edges { node {
        name namespace visibility
        createdBy { username }
        members { role user { username } }
        sessions { state url }
        datasets(first: 5) { edges { node { name keywords } } }
      } }
    }
  }
}
"""
PUBLIC_PROJECTS = "{ projects(first: 10) { edges { node { name visibility } } } }"


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Platform:
    """A `renku-fed up` process and what it printed."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_platform_port()
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        self.banner: list[str] = []
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        """Run `renku-fed up` and wait for its banner."""
        self.process = subprocess.Popen(
            [RENKU_FED, "up", "--port", str(self.port), "--data-dir", str(self.data_dir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        deadline = time.monotonic() + STARTUP_SECONDS
        self.banner = []
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.banner.append(line.rstrip("\n"))
            if line.startswith("Press Ctrl-C"):
                return
        self.stop()
        logs = {p.name: p.read_text()[-3000:] for p in (self.data_dir / "logs").glob("*.log")}
        pytest.fail(f"renku-fed up did not start: {self.banner}\nlogs: {logs}")

    def stop(self) -> int:
        """Send SIGTERM as a supervisor would and return the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        assert self.process.stdout is not None
        self.banner.extend(self.process.stdout.read().splitlines())
        return code

    def token(self, user: str) -> str:
        """A token from the `renku-fed token` command."""
        result = subprocess.run(
            [RENKU_FED, "token", user, "--data-dir", str(self.data_dir)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return result.stdout.strip()

    def query(
        self, query: str, token: str | None = None, variables: dict[str, Any] | None = None
    ) -> httpx.Response:
        """POST a GraphQL request to the router."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = {"query": query, "variables": variables or {}}
        return httpx.post(self.url, json=body, headers=headers, timeout=60)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """The platform, started once for this module on fresh ports and a fresh data folder."""
    running = Platform(tmp_path_factory.mktemp("platform") / "data")
    running.start()
    yield running
    if running.process is not None and running.process.poll() is None:
        running.stop()


def _data(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def test_banner_shows_router_url_and_a_working_token(platform: Platform) -> None:
    assert any(platform.url in line for line in platform.banner)
    token_line = platform.banner[platform.banner.index(next(
        line for line in platform.banner if line.startswith("Token for the demo user alice")
    )) + 1]  # fmt: skip
    me = _data(platform.query("{ me { username } }", token_line))["me"]
    assert me == {"username": "alice"}
    health = httpx.get(f"http://127.0.0.1:{platform.port}/healthz", timeout=10)
    assert health.status_code == 200


def test_dashboard_as_alice(platform: Platform) -> None:
    me = _data(platform.query(DASHBOARD, platform.token("alice")))["me"]
    assert me["username"] == "alice"
    projects = {
        f"{edge['node']['namespace']}/{edge['node']['name']}": edge["node"]
        for edge in me["projects"]["edges"]
    }
    assert me["projects"]["totalCount"] == 3
    assert set(projects) == {"alice/flights", "alice/secret-notes", "bob/climate"}
    flights = projects["alice/flights"]
    assert flights["visibility"] == "PUBLIC"
    assert flights["createdBy"] == {"username": "alice"}
    members = {(m["user"]["username"], m["role"]) for m in flights["members"]}
    assert members == {("alice", "OWNER"), ("bob", "VIEWER")}
    flight_datasets = [edge["node"] for edge in flights["datasets"]["edges"]]
    assert flight_datasets[0]["name"] == "flight-delays"
    assert set(flight_datasets[0]["keywords"]) >= {"aviation"}
    assert projects["bob/climate"]["createdBy"] == {"username": "bob"}
    assert projects["alice/secret-notes"]["visibility"] == "PRIVATE"
    assert projects["bob/climate"]["datasets"]["edges"] == []
    assert all(node["sessions"] == [] for node in projects.values())


def test_anonymous_sees_public_projects_only(platform: Platform) -> None:
    edges = _data(platform.query(PUBLIC_PROJECTS))["projects"]["edges"]
    assert sorted((e["node"]["name"], e["node"]["visibility"]) for e in edges) == [
        ("climate", "PUBLIC"),
        ("flights", "PUBLIC"),
    ]
    anonymous_me = platform.query("{ me { username } }").json()
    assert anonymous_me["data"] == {"me": None}
    assert anonymous_me["errors"][0]["extensions"]["code"] == "UNAUTHORIZED_FIELD_OR_TYPE"


def test_bad_tokens_are_refused_with_401(platform: Platform) -> None:
    issuer = DevIssuer.load(platform.data_dir / "dev-issuer")
    expired = issuer.sign("alice", expires_in=timedelta(minutes=-10))
    forged = platform.token("alice")[:-6] + "AAAAAA"
    for token in (expired, forged, "not.a.token"):
        response = platform.query(PUBLIC_PROJECTS, token)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


LAUNCH = """
mutation Launch($projectId: ID!) {
  launchSession(input: {projectId: $projectId}) { session { id state } errors { code message } }
}
"""
FLIGHTS_SESSIONS = """
query { projectBySlug(namespace: "alice", slug: "flights") { id sessions { id state url } } }
"""


def test_session_lifecycle(platform: Platform) -> None:
    alice = platform.token("alice")
    project = _data(platform.query(FLIGHTS_SESSIONS, alice))["projectBySlug"]
    payload = _data(platform.query(LAUNCH, alice, {"projectId": project["id"]}))["launchSession"]
    assert payload["errors"] == []
    session_id = payload["session"]["id"]
    session = _wait_for_state(platform, alice, session_id, "RUNNING")
    assert session["url"] == f"http://127.0.0.1:{platform.port}/sessions/{session_id}/"
    status_url = session["url"] + "api/status"
    as_alice = {"Authorization": f"Bearer {alice}"}
    assert httpx.get(status_url, headers=as_alice, timeout=10).status_code == 200
    as_bob = {"Authorization": f"Bearer {platform.token('bob')}"}
    assert httpx.get(status_url, headers=as_bob, timeout=10).status_code == 403
    bob_view = _data(platform.query(FLIGHTS_SESSIONS, platform.token("bob")))["projectBySlug"]
    assert bob_view["sessions"] == []
    deleted = _data(
        platform.query(
            "mutation($id: ID!) { deleteSession(id: $id) { id errors { code } } }",
            alice,
            {"id": session_id},
        )
    )["deleteSession"]
    assert deleted == {"id": session_id, "errors": []}
    assert httpx.get(status_url, headers=as_alice, timeout=10).status_code == 404


def _wait_for_state(platform: Platform, token: str, session_id: str, state: str) -> Any:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        sessions = _data(platform.query(FLIGHTS_SESSIONS, token))["projectBySlug"]["sessions"]
        session = next(s for s in sessions if s["id"] == session_id)
        if session["state"] == state:
            return session
        assert session["state"] in ("STARTING", state)
        time.sleep(0.5)
    pytest.fail(f"session {session_id} never reached {state}")


CREATE = """
mutation($name: String!) {
  createProject(input: {name: $name, visibility: PUBLIC}) {
    project { id slug namespace repositories createdBy { username } }
    errors { code message field }
  }
}
"""


def test_create_and_delete_project(platform: Platform, tmp_path: Path) -> None:
    carol = platform.token("carol")
    payload = _data(platform.query(CREATE, carol, {"name": "Ocean Data"}))["createProject"]
    assert payload["errors"] == []
    project = payload["project"]
    assert (project["namespace"], project["slug"]) == ("carol", "ocean-data")
    assert project["createdBy"] == {"username": "carol"}
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", project["repositories"][0], str(clone)], check=True)
    assert any(clone.iterdir())
    denied = _data(
        platform.query(
            "mutation($id: ID!) { deleteProject(id: $id) { id errors { code } } }",
            platform.token("bob"),
            {"id": project["id"]},
        )
    )["deleteProject"]
    assert denied["id"] is None
    assert denied["errors"][0]["code"] in ("FORBIDDEN", "NOT_FOUND")
    deleted = _data(
        platform.query(
            "mutation($id: ID!) { deleteProject(id: $id) { id errors { code } } }",
            carol,
            {"id": project["id"]},
        )
    )["deleteProject"]
    assert deleted == {"id": project["id"], "errors": []}


def _processes_using(data_dir: Path) -> list[int]:
    """Pids whose command line or environment mention the data folder."""
    needle = str(data_dir).encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if needle in (proc / "cmdline").read_bytes() + (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def test_data_persists_across_restart_and_stop_leaves_no_process(platform: Platform) -> None:
    carol = platform.token("carol")
    created = _data(platform.query(CREATE, carol, {"name": "Kept"}))["createProject"]
    assert created["errors"] == []
    alice = platform.token("alice")
    flights = _data(platform.query(FLIGHTS_SESSIONS, alice))["projectBySlug"]
    launched = _data(platform.query(LAUNCH, alice, {"projectId": flights["id"]}))["launchSession"]
    _wait_for_state(platform, alice, launched["session"]["id"], "RUNNING")
    assert _processes_using(platform.data_dir)
    assert platform.stop() == 0
    assert platform.banner[-1] == "renku-fed: all services stopped."
    assert not any(_listening(platform.port + i) for i in range(5))
    assert _processes_using(platform.data_dir) == []
    platform.start()
    edges = _data(platform.query(PUBLIC_PROJECTS))["projects"]["edges"]
    names = sorted(e["node"]["name"] for e in edges)
    assert names == ["Kept", "climate", "flights"]


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    port = free_platform_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        result = subprocess.run(
            [RENKU_FED, "up", "--port", str(port), "--data-dir", str(tmp_path / "d")],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode != 0
    assert f"Port {port}" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr + result.stdout


def test_token_without_platform_explains_what_to_do(tmp_path: Path) -> None:
    result = subprocess.run(
        [RENKU_FED, "token", "alice", "--data-dir", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "renku-fed up" in result.stderr
    assert re.search(r"Traceback", result.stderr) is None

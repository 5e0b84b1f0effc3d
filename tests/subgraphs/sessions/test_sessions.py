"""The sessions subgraph through its GraphQL API, with real git repositories and Jupyter servers."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.observability.logs import JsonFormatter
from renku_fed.subgraphs.common.demo import ALICE, CLIMATE, FLIGHTS, SECRET_NOTES
from renku_fed.subgraphs.sessions.backends.local_git import clone
from renku_fed.subgraphs.sessions.backends.local_jupyter import JupyterServer
from renku_fed.subgraphs.sessions.backends.local_store import SessionStore
from renku_fed.subgraphs.sessions.demo import demo_launchers, seed_demo
from renku_fed.subgraphs.sessions.models import Session, SessionState
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from tests.support.sessions import (
    SESSION,
    Post,
    git,
    group_exists,
    launch,
    process_exists,
    serving,
    session_pid,
    wait_for_state,
)

FLIGHTS_LAUNCHER, SECRET_LAUNCHER, CLIMATE_LAUNCHER = (launcher.id for launcher in demo_launchers())

DELETE = "mutation($id: ID!) { deleteSession(id: $id) { id errors { code field } } }"
ENTITIES = """
query($reps: [_Any!]!) {
  _entities(representations: $reps) {
    ... on Project { id sessions { id url } launchers { id name environmentKind project { id } } }
    ... on User { id sessions { id } }
    ... on Session { id state }
    ... on SessionLauncher { id project { id } }
  }
}"""


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A bare git repository holding one commit, as the local projects backend keeps them."""
    bare, work = tmp_path / "flights.git", tmp_path / "flights-work"
    git("init", "--bare", "--quiet", str(bare))
    git("init", "--quiet", str(work))
    (work / "README.md").write_text("# Flights\n")
    git("add", "README.md", cwd=work)
    git("commit", "--quiet", "-m", "Start", cwd=work)
    git("push", "--quiet", str(bare), "HEAD:refs/heads/main", cwd=work)
    git("symbolic-ref", "HEAD", "refs/heads/main", cwd=bare)
    return bare


@pytest.fixture
def settings(tmp_path: Path) -> SessionsSettings:
    return SessionsSettings(data_dir=tmp_path / "sessions", seed_demo=True)


@pytest.fixture
def seen_tokens() -> list[str | None]:
    return []


@pytest.fixture
async def post(
    settings: SessionsSettings,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
    repository: Path,
    seen_tokens: list[str | None],
) -> AsyncIterator[Post]:
    async with serving(settings, verifier, dev_issuer, repository, seen_tokens) as send:
        yield send


async def test_service_sdl_is_the_documented_contract(post: Post) -> None:
    sdl = (await post("{ _service { sdl } }"))["_service"]["sdl"]
    assert "federation/v2" in sdl
    for line in (
        'type Session @key(fields: "id")',
        'type SessionLauncher @key(fields: "id")',
        'type Project @key(fields: "id")',
        'type User @key(fields: "id")',
        "launchSession(input: LaunchSessionInput!): SessionPayload!",
        "deleteSession(id: ID!): DeleteSessionPayload!",
        "session(id: ID!): Session",
        "mySessions: [Session!]!",
        "launcherId: ID\n",
        "createdBy: User!",
        "startedAt: DateTime!",
    ):
        assert line in sdl
    states = re.search(r"enum SessionState \{([^}]*)\}", sdl)
    assert states is not None
    assert states.group(1).split() == ["STARTING", "RUNNING", "STOPPING", "STOPPED", "FAILED"]


async def test_projects_carry_their_demo_launchers(post: Post) -> None:
    reps = [{"__typename": "Project", "id": p.id} for p in (FLIGHTS, CLIMATE)]
    flights, climate = (await post(ENTITIES, reps=reps))["_entities"]
    assert flights["launchers"] == [
        {
            "id": FLIGHTS_LAUNCHER,
            "name": "Jupyter",
            "environmentKind": "LOCAL_JUPYTER",
            "project": {"id": FLIGHTS.id},
        }
    ]
    assert [launcher["id"] for launcher in climate["launchers"]] == [CLIMATE_LAUNCHER]
    assert flights["sessions"] == [] and climate["sessions"] == []


async def test_launchers_of_a_private_project_are_for_those_who_may_see_it(post: Post) -> None:
    reps = [
        {"__typename": "Project", "id": SECRET_NOTES.id},
        {"__typename": "SessionLauncher", "id": SECRET_LAUNCHER},
    ]
    for outsider in (None, "bob"):
        project, launcher = (await post(ENTITIES, as_user=outsider, reps=reps))["_entities"]
        assert project["launchers"] == [] and launcher is None
    project, launcher = (await post(ENTITIES, as_user="alice", reps=reps))["_entities"]
    assert [found["id"] for found in project["launchers"]] == [SECRET_LAUNCHER]
    assert launcher == {"id": SECRET_LAUNCHER, "project": {"id": SECRET_NOTES.id}}


def test_demo_launchers_are_seeded_only_into_an_empty_store(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "sessions.sqlite3")
    assert seed_demo(store) is True
    assert seed_demo(store) is False
    assert [launcher.id for launcher in store.launchers(FLIGHTS.id)] == [FLIGHTS_LAUNCHER]
    other = SessionStore(tmp_path / "other.sqlite3")
    other.add_launcher(demo_launchers()[1])
    assert seed_demo(other) is False
    assert other.launchers(FLIGHTS.id) == []


async def test_anonymous_callers_cannot_launch_and_have_no_sessions(
    post: Post, seen_tokens: list[str | None]
) -> None:
    payload = await launch(post, None, FLIGHTS.id)
    assert payload["session"] is None
    assert payload["errors"] == [
        {"code": "UNAUTHENTICATED", "message": "Sign in to launch a session.", "field": None}
    ]
    assert seen_tokens == []
    assert (await post("{ mySessions { id } }"))["mySessions"] == []
    deleted = (await post(DELETE, id="01JANYTHING"))["deleteSession"]
    assert deleted == {"id": None, "errors": [{"code": "UNAUTHENTICATED", "field": None}]}


async def test_launch_refuses_hidden_projects_foreign_launchers_and_repositoryless_projects(
    post: Post, seen_tokens: list[str | None], dev_issuer: DevIssuer
) -> None:
    hidden = await launch(post, "bob", SECRET_NOTES.id)
    assert hidden["errors"][0]["code"] == "NOT_FOUND" and hidden["session"] is None
    assert hidden["errors"][0]["field"] == "projectId"
    assert seen_tokens and all(t and t.startswith("Bearer ey") for t in seen_tokens)
    foreign = await launch(post, "alice", FLIGHTS.id, launcherId=CLIMATE_LAUNCHER)
    assert [(e["code"], e["field"]) for e in foreign["errors"]] == [("NOT_FOUND", "launcherId")]
    empty = await launch(post, "alice", CLIMATE.id)
    assert [(e["code"], e["field"]) for e in empty["errors"]] == [("BAD_USER_INPUT", "projectId")]
    assert (await post("{ mySessions { id } }", as_user="alice"))["mySessions"] == []


async def test_read_only_clones_refuse_to_push(repository: Path, tmp_path: Path) -> None:
    await clone(str(repository), tmp_path / "ro", 30, read_only=True)
    await clone(str(repository), tmp_path / "rw", 30, read_only=False)
    assert (tmp_path / "ro" / "README.md").read_text() == "# Flights\n"

    def push_url(path: Path) -> str:
        command = ["git", "-C", str(path), "remote", "get-url", "--push", "origin"]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()

    assert push_url(tmp_path / "rw") == str(repository)
    assert push_url(tmp_path / "ro") != str(repository)
    with pytest.raises(Exception, match="not an http"):
        await clone("--upload-pack=touch /tmp/x", tmp_path / "evil", 30, read_only=True)


async def test_a_session_starts_runs_and_is_deleted_without_orphans(
    post: Post,
    settings: SessionsSettings,
    seen_tokens: list[str | None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO")
    payload = await launch(post, "alice", FLIGHTS.id)
    assert payload["errors"] == []
    # The launch and its payload's launcher share the request's one project lookup.
    assert len(seen_tokens) == 1
    session = payload["session"]
    assert session["state"] == "STARTING"
    assert session["project"] == {"id": FLIGHTS.id} and session["createdBy"] == {"id": ALICE.id}
    assert session["launcher"] == {"id": FLIGHTS_LAUNCHER, "environmentKind": "LOCAL_JUPYTER"}
    url = session["url"]
    match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", url)
    assert match is not None
    token = match.group(2)
    work = settings.data_dir / "sessions" / session["id"] / "work"
    assert (work / "README.md").read_text() == "# Flights\n"

    running = await wait_for_state(post, session["id"], "RUNNING")
    assert running["url"] == url
    # The test's own requests carry the token in their URLs; keep them out of the logs checked.
    with caplog.at_level(logging.WARNING, logger="httpx"):
        async with httpx.AsyncClient() as browser:
            assert (await browser.get(url)).status_code == 200
            status = await browser.get(url.replace("/?", "/api/status?"))
            assert status.status_code == 200 and "started" in status.json()
        async with httpx.AsyncClient() as stranger:
            status_url = f"http://127.0.0.1:{match.group(1)}/api/status"
            assert (await stranger.get(status_url)).status_code == 403
    pid = session_pid(SessionStore(settings.data_dir / "sessions.sqlite3"), session["id"])
    assert process_exists(pid)

    # Nobody else sees the session, its URL or even that it exists.
    assert (await post(SESSION, as_user="bob", id=session["id"]))["session"] is None
    reps = [
        {"__typename": "Project", "id": FLIGHTS.id},
        {"__typename": "User", "id": ALICE.id},
        {"__typename": "Session", "id": session["id"]},
    ]
    project, alice, hidden = (await post(ENTITIES, as_user="bob", reps=reps))["_entities"]
    assert project["sessions"] == [] and alice["sessions"] == [] and hidden is None
    assert (await post("{ mySessions { id } }", as_user="bob"))["mySessions"] == []
    refused = (await post(DELETE, as_user="bob", id=session["id"]))["deleteSession"]
    assert refused == {"id": None, "errors": [{"code": "NOT_FOUND", "field": "id"}]}
    assert process_exists(pid)

    project, alice, mine = (await post(ENTITIES, as_user="alice", reps=reps))["_entities"]
    assert project["sessions"] == [{"id": session["id"], "url": url}]
    assert alice["sessions"] == [{"id": session["id"]}]
    assert mine == {"id": session["id"], "state": "RUNNING"}

    deleted = (await post(DELETE, as_user="alice", id=session["id"]))["deleteSession"]
    assert deleted == {"id": session["id"], "errors": []}
    assert not process_exists(pid) and not group_exists(pid)
    assert (await post(SESSION, as_user="alice", id=session["id"]))["session"] is None
    assert not work.exists()

    formatter = JsonFormatter("sessions")
    lines = [formatter.format(record) for record in caplog.records]
    assert any("session running" in line for line in lines)
    assert not any(token in line for line in lines)


async def test_shutdown_stops_sessions_and_a_crashed_server_is_failed(
    settings: SessionsSettings, verifier: TokenVerifier, dev_issuer: DevIssuer, repository: Path
) -> None:
    store = SessionStore(settings.data_dir / "sessions.sqlite3")
    async with serving(settings, verifier, dev_issuer, repository, []) as post:
        first, second = await asyncio.gather(
            launch(post, "alice", FLIGHTS.id), launch(post, "alice", FLIGHTS.id)
        )
        crashed, survivor = first["session"]["id"], second["session"]["id"]
        for session_id in (crashed, survivor):
            await wait_for_state(post, session_id, "RUNNING")
        pids = {sid: session_pid(store, sid) for sid in (crashed, survivor)}
        os.kill(pids[crashed], signal.SIGKILL)
        failed = await wait_for_state(post, crashed, "FAILED")
        assert failed["url"] is None
        assert process_exists(pids[survivor])
    # Leaving `serving` shut the service down.
    assert not process_exists(pids[survivor]) and not group_exists(pids[survivor])
    states = {sid: store.session(sid).state for sid in (crashed, survivor)}  # type: ignore[union-attr]
    assert states == {crashed: SessionState.FAILED, survivor: SessionState.STOPPED}
    async with serving(settings, verifier, dev_issuer, repository, []) as post:
        mine = (await post("{ mySessions { id state url } }", as_user="alice"))["mySessions"]
    assert sorted((s["state"], s["url"]) for s in mine) == [("FAILED", None), ("STOPPED", None)]


async def test_start_marks_stale_sessions_stopped_and_kills_orphaned_servers(
    settings: SessionsSettings, verifier: TokenVerifier, dev_issuer: DevIssuer, repository: Path
) -> None:
    store = SessionStore(settings.data_dir / "sessions.sqlite3")
    orphan_dir = settings.data_dir / "sessions" / "orphan" / "work"
    # Looks like a server an earlier, crashed run of the service started.
    orphan = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", f"--ServerApp.root_dir={orphan_dir}"],
        start_new_session=True,
    )
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        started = datetime.now(UTC)
        for session_id, pid in (
            ("orphan", orphan.pid),
            ("vanished", 2**22 + 1),
            ("other", bystander.pid),
        ):
            store.save(
                Session(
                    session_id,
                    session_id,
                    FLIGHTS.id,
                    ALICE.id,
                    SessionState.RUNNING,
                    started,
                    pid=pid,
                )
            )
        async with serving(settings, verifier, dev_issuer, repository, []) as post:
            mine = (await post("{ mySessions { id state } }", as_user="alice"))["mySessions"]
        assert {s["id"]: s["state"] for s in mine} == dict.fromkeys(
            ("orphan", "vanished", "other"), "STOPPED"
        )
        assert orphan.wait(timeout=5) == -signal.SIGKILL
        assert bystander.poll() is None
    finally:
        for process in (orphan, bystander):
            process.kill()
            process.wait()


def test_a_server_shows_no_token_in_its_repr() -> None:
    server = JupyterServer(process=None, port=8888, token="s3cret-jupyter-token")  # type: ignore[arg-type]
    assert "s3cret-jupyter-token" not in repr(server) and "8888" in repr(server)


async def test_a_user_may_have_only_so_many_live_sessions(
    settings: SessionsSettings, verifier: TokenVerifier, dev_issuer: DevIssuer, repository: Path
) -> None:
    limited = settings.model_copy(update={"max_live_sessions_per_user": 1})
    sessions_dir = limited.data_dir / "sessions"
    async with serving(limited, verifier, dev_issuer, repository, []) as post:
        first, second = await asyncio.gather(
            launch(post, "alice", FLIGHTS.id), launch(post, "alice", FLIGHTS.id)
        )
        launched, refused = (first, second) if first["session"] else (second, first)
        assert launched["errors"] == [] and refused["session"] is None
        assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
        assert "at most 1 session" in refused["errors"][0]["message"]
        assert [p.name for p in sessions_dir.iterdir()] == [launched["session"]["id"]]
        deleted = await post(DELETE, as_user="alice", id=launched["session"]["id"])
        assert deleted["deleteSession"]["errors"] == []
        again = await launch(post, "alice", FLIGHTS.id)
        assert again["errors"] == []

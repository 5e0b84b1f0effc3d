"""Sessions from launch to deletion, with real git clones and sandboxed Jupyter servers."""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.common.demo import ALICE, FLIGHTS
from renku_fed.subgraphs.sessions.backends.local import LocalSessionBackend
from renku_fed.subgraphs.sessions.backends.local_jupyter import tail
from renku_fed.subgraphs.sessions.backends.project_directory import GraphProjectDirectory
from renku_fed.subgraphs.sessions.backends.sqlite_store import SqliteStore
from renku_fed.subgraphs.sessions.demo import DEMO_POOL, demo_launchers
from renku_fed.subgraphs.sessions.models import SessionState
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from tests.support.kubernetes import KubernetesDouble, assert_schema_valid_resources, resource_of
from tests.support.sessions import (
    SESSION,
    Post,
    group_exists,
    launch,
    process_exists,
    serving,
    session_pid,
    wait_for_state,
)

FLIGHTS_LAUNCHER = demo_launchers()[0].id
CLIMATE_LAUNCHER = demo_launchers()[2].id
CHANGE = """mutation($id: ID!) {{
  {name}(id: $id) {{ session {{ id state message url }} errors {{ code field }} }}
}}"""
DELETE = "mutation($id: ID!) { deleteSession(id: $id) { id errors { code field } } }"


def change(name: str) -> str:
    return CHANGE.format(name=name)


def store_of(settings: SessionsSettings) -> SqliteStore:
    return SqliteStore(settings.data_dir / "sessions.sqlite3")


async def test_a_session_launches_once_hibernates_resumes_and_is_deleted(
    post: Post, settings: SessionsSettings, kube: KubernetesDouble | None
) -> None:
    first = await launch(
        post, "alice", launcherId=FLIGHTS_LAUNCHER, envOverrides=[{"name": "MODE", "value": "x"}]
    )
    assert first["errors"] == [] and first["created"] is True
    session = first["session"]
    assert session["state"] == "STARTING" and session["image"].startswith("quay.io/jupyter/")
    assert session["url"] == f"http://127.0.0.1:4000/sessions/{session['id']}/"
    assert session["user"] == {"id": ALICE.id} and session["launcher"] == {"id": FLIGHTS_LAUNCHER}
    assert session["resources"] == {"cpu": 1.0, "memory": 2, "gpu": 0, "storage": 1}
    again = await launch(post, "alice", projectId=FLIGHTS.id)
    assert again["created"] is False and again["session"]["id"] == session["id"]
    home = settings.data_dir / "sessions" / session["id"] / "home"
    if kube is None:
        assert (home / "work" / "README.md").read_text() == "# Flights\n"
    else:
        assert_schema_valid_resources(kube, session["id"])

    await wait_for_state(post, session["id"], "RUNNING")
    pid = session_pid(store_of(settings), session["id"]) if kube is None else 0
    assert (await post(SESSION, as_user="bob", id=session["id"]))["session"] is None
    refused = await post(change("hibernateSession"), as_user="bob", id=session["id"])
    assert refused["hibernateSession"]["errors"] == [{"code": "NOT_FOUND", "field": "id"}]
    admin_view = (await post("{ sessions(allUsers: true) { id } }", as_user="admin"))["sessions"]
    assert [s["id"] for s in admin_view] == [session["id"]]

    if kube is None:
        (home / "work" / "notes.txt").write_text("kept")
    else:
        kube.pod_logs[f"renku-{session['id']}-0"] = "Jupyter Server 2 is running"
    hibernated = await post(change("hibernateSession"), as_user="alice", id=session["id"])
    assert hibernated["hibernateSession"]["session"]["state"] == "HIBERNATED"
    assert hibernated["hibernateSession"]["session"]["url"] is None
    if kube is None:
        assert not process_exists(pid) and not group_exists(pid)
    else:
        assert resource_of(kube, session["id"])["spec"]["hibernated"] is True
    resumed = await post(change("resumeSession"), as_user="alice", id=session["id"])
    assert resumed["resumeSession"]["session"]["state"] == "STARTING"
    await wait_for_state(post, session["id"], "RUNNING")
    if kube is None:
        assert (home / "work" / "notes.txt").read_text() == "kept"
    else:
        assert resource_of(kube, session["id"])["spec"]["hibernated"] is False
        assert_schema_valid_resources(kube, session["id"])
    logs = await post(
        "query($id: ID!) { session(id: $id) { logs(maxLines: 400) } }",
        as_user="alice",
        id=session["id"],
    )
    assert "Jupyter" in logs["session"]["logs"]

    deleted = (await post(DELETE, as_user="alice", id=session["id"]))["deleteSession"]
    assert deleted == {"id": session["id"], "errors": []}
    assert (await post(SESSION, as_user="alice", id=session["id"]))["session"] is None
    assert not home.exists()
    assert kube is None or kube.objects == {}


async def test_restart_readopts_live_sessions_and_fails_vanished_ones(
    local_settings: SessionsSettings,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
    repository: Path,
) -> None:
    settings = local_settings
    store = store_of(settings)
    async with serving(settings, verifier, dev_issuer, repository, []) as post:
        ids = []
        for launcher in (FLIGHTS_LAUNCHER, CLIMATE_LAUNCHER):
            payload = await launch(post, "alice", launcherId=launcher)
            ids.append(payload["session"]["id"])
        for session_id in ids:
            await wait_for_state(post, session_id, "RUNNING")
        survivor, crashed = ids
        pids = {sid: session_pid(store, sid) for sid in ids}
        # A crash of the service: its sessions are not hibernated; pretend so in the store.
        before = {sid: store.session(sid) for sid in ids}
    for session in before.values():
        assert session is not None
        store.save_session(session)
    assert not process_exists(pids[survivor])  # the orderly shutdown hibernated both
    async with serving(settings, verifier, dev_issuer, repository, []) as post:
        mine = (await post("{ sessions { id state message } }", as_user="alice"))["sessions"]
        assert {s["state"] for s in mine} == {"FAILED"}
        assert all("restarted" in s["message"] for s in mine)
        resumed = await post(change("resumeSession"), as_user="alice", id=survivor)
        assert resumed["resumeSession"]["errors"] == []
        running = await wait_for_state(post, survivor, "RUNNING")
        assert running["url"].endswith(f"/sessions/{survivor}/")
        live_pid = session_pid(store, survivor)
        os.kill(live_pid, signal.SIGKILL)
        failed = await wait_for_state(post, survivor, "FAILED")
        assert "stopped unexpectedly" in failed["message"] and failed["url"] is None
        assert not group_exists(live_pid)
    assert not process_exists(pids[crashed])


async def test_a_server_left_running_by_a_crash_is_readopted(
    local_settings: SessionsSettings,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
    repository: Path,
) -> None:
    settings = local_settings
    store = store_of(settings)
    async with serving(settings, verifier, dev_issuer, repository, []) as post:
        session_id = (await launch(post, "alice", launcherId=FLIGHTS_LAUNCHER))["session"]["id"]
        await wait_for_state(post, session_id, "RUNNING")
        # A second backend on the same store starts as a restarted service would.
        other = LocalSessionBackend(settings, store, GraphProjectDirectory("http://x", 1, 1))
        await other.start()
        assert store.session(session_id).state is SessionState.RUNNING  # type: ignore[union-attr]
        assert process_exists(session_pid(store, session_id))
        assert other._reconciler is not None
        other._reconciler.cancel()


async def test_the_reconciler_hibernates_idle_sessions_and_deletes_old_hibernated_ones(
    settings: SessionsSettings, verifier: TokenVerifier, dev_issuer: DevIssuer, repository: Path
) -> None:
    # The session's clock is moved, not waited for: a state seen by polling stays until the
    # test moves the clock again, however slow the machine.
    store = store_of(settings)
    async with serving(settings, verifier, dev_issuer, repository, []) as post:
        store.save_pool(
            replace(DEMO_POOL, idle_threshold_seconds=3600, hibernation_threshold_seconds=3600)
        )
        session_id = (await launch(post, "alice", launcherId=FLIGHTS_LAUNCHER))["session"]["id"]
        await wait_for_state(post, session_id, "RUNNING")
        touched = await post(change("touchSession"), as_user="alice", id=session_id)
        assert touched["touchSession"]["session"]["state"] == "RUNNING"
        long_ago = datetime.now(UTC) - timedelta(hours=2)
        store.touch(session_id, long_ago)
        hibernated = await wait_for_state(post, session_id, "HIBERNATED")
        assert "without use" in hibernated["message"]
        record = store.session(session_id)
        assert record is not None
        store.save_session(replace(record, hibernated_at=long_ago))
        deadline = asyncio.get_running_loop().time() + 30
        while (await post(SESSION, as_user="alice", id=session_id))["session"] is not None:
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.2)
        assert not (settings.data_dir / "sessions" / session_id).exists()


async def test_a_user_may_run_only_so_many_sessions(
    settings: SessionsSettings, verifier: TokenVerifier, dev_issuer: DevIssuer, repository: Path
) -> None:
    limited = settings.model_copy(update={"max_live_sessions_per_user": 1})
    async with serving(limited, verifier, dev_issuer, repository, []) as post:
        first = await launch(post, "alice", launcherId=FLIGHTS_LAUNCHER)
        refused = await launch(post, "alice", launcherId=CLIMATE_LAUNCHER)
        assert first["errors"] == [] and refused["session"] is None
        assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
        assert "at most 1 session" in refused["errors"][0]["message"]
        other = await launch(post, "bob", launcherId=CLIMATE_LAUNCHER)
        assert other["errors"] == []
        for user, payload in (("alice", first), ("bob", other)):
            await post(change("hibernateSession"), as_user=user, id=payload["session"]["id"])
    total = settings.model_copy(update={"max_live_sessions": 1})
    async with serving(total, verifier, dev_issuer, repository, []) as post:
        # Both sessions above are hibernated; one resumes, the next is refused.
        mine = (await post("{ sessions { id } }", as_user="alice"))["sessions"]
        resumed = await post(change("resumeSession"), as_user="alice", id=mine[0]["id"])
        assert resumed["resumeSession"]["errors"] == []
        bobs = (await post("{ sessions { id } }", as_user="bob"))["sessions"]
        busy = await post(change("resumeSession"), as_user="bob", id=bobs[0]["id"])
        assert busy["resumeSession"]["errors"] == [{"code": "UNAVAILABLE", "field": None}]


def test_tail_reads_the_last_lines(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("".join(f"line {i}\n" for i in range(1000)))
    assert tail(log, 2) == "line 998\nline 999"
    assert tail(tmp_path / "missing.log", 5) == ""

"""Local sessions mount data connectors (S3 on moto, WebDAV by rclone) and get secret files."""

from __future__ import annotations

import contextlib
import json
import logging
import stat
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.sessions.backends import local_mounts
from renku_fed.subgraphs.sessions.backends.local_jupyter import base_path
from renku_fed.subgraphs.sessions.backends.local_mounts import fuse_available
from renku_fed.subgraphs.sessions.backends.sqlite_store import SqliteStore
from renku_fed.subgraphs.sessions.demo import demo_launchers
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from tests.support.kubernetes import kubernetes_double, resource_of
from tests.support.services.storage_servers import S3_SECRET, require_rclone
from tests.support.sessions import launch, serving, wait_for_state
from tests.support.sessions_storage import INTERNAL_SECRET, SLOT_VALUE
from tests.support.sessions_storage import launch_route as launch_route

FLIGHTS_LAUNCHER, CLIMATE_LAUNCHER = demo_launchers()[0].id, demo_launchers()[2].id
CHANGE = "mutation($id: ID!) {{ {}(id: $id) {{ session {{ state }} errors {{ code }} }} }}"


@pytest.mark.parametrize("mount", [True, False], ids=["rclone-mount", "copy"])
async def test_a_session_lists_its_connectors_files_and_reads_its_secret_files(
    mount: bool,
    monkeypatch: pytest.MonkeyPatch,
    local_settings: SessionsSettings,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
    repository: Path,
    launch_route: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    require_rclone()
    if mount and not fuse_available():
        pytest.skip("FUSE is not available here (/dev/fuse and fusermount3: apt-get install fuse3)")
    monkeypatch.setattr(local_mounts, "fuse_available", lambda: mount)
    caplog.set_level(logging.DEBUG)
    settings = local_settings.model_copy(
        update={"storage_url": launch_route, "storage_secret": SecretStr(INTERNAL_SECRET)}
    )
    answers: list[Any] = []
    async with serving(settings, verifier, dev_issuer, repository, []) as post:
        launched = await launch(post, "alice", launcherId=FLIGHTS_LAUNCHER)
        session_id = launched["session"]["id"]
        running = await wait_for_state(post, session_id, "RUNNING")
        copied = "data connector flights-s3 is a synced copy" in (running["message"] or "")
        assert copied is not mount, running["message"]
        folder = settings.data_dir / "sessions" / session_id
        work = folder / "home" / "work"
        assert (work / "data/flights/2024/flights.csv").read_text() == (
            "contents of 2024/flights.csv\n"
        )
        assert (work / "notes/notes.txt").read_text() == "notes\n"
        listed = await _contents(settings, session_id, "data/flights/2024")
        assert [item["name"] for item in listed["content"]] == ["flights.csv"]
        assert not [line for line in _command_lines() if S3_SECRET in line], "visible in ps"
        secret_file = folder / "secrets" / "api-key"
        assert secret_file.read_text() == SLOT_VALUE
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o400
        bobs = await launch(post, "bob", launcherId=CLIMATE_LAUNCHER)
        answers += [launched, running, bobs]
        bob_state = await wait_for_state(post, bobs["session"]["id"], "RUNNING", user="bob")
        assert "data connector flights-s3 needs credentials" in bob_state["message"]
        assert "secret API key has no value" in bob_state["message"]
        bob_folder = settings.data_dir / "sessions" / bobs["session"]["id"]
        assert not (bob_folder / "home/work/data/flights").exists()
        assert list((bob_folder / "secrets").iterdir()) == []
        hibernated = await post(
            "mutation($id: ID!) { hibernateSession(id: $id) { session { state } } }",
            as_user="alice",
            id=session_id,
        )
        answers.append(hibernated)
        assert not (folder / "secrets").exists()
        server_log = (folder / "server.log").read_text()
    for text in (json.dumps(answers), caplog.text, server_log):
        assert SLOT_VALUE not in text and INTERNAL_SECRET not in text
        assert S3_SECRET not in text


def _command_lines() -> list[str]:
    """Every process's command line, as `ps` shows them."""
    lines = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            lines.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
    return lines


async def _contents(settings: SessionsSettings, session_id: str, path: str) -> dict[str, Any]:
    """A folder as the session's Jupyter contents API lists it."""
    record = SqliteStore(settings.data_dir / "sessions.sqlite3").session(session_id)
    assert record is not None and record.port is not None
    url = f"http://127.0.0.1:{record.port}{base_path(session_id)}api/contents/{path}"
    async with httpx.AsyncClient() as client:
        response = await client.get(url, headers={"Authorization": f"token {record.secret}"})
    assert response.status_code == 200, response.text
    listed: dict[str, Any] = response.json()
    return listed


async def test_an_unreachable_storage_service_leaves_a_message_and_the_session_starts(
    local_settings: SessionsSettings,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
    repository: Path,
) -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as closed:
        gone = f"http://127.0.0.1:{closed.server_address[1]}/internal/session-launch"
    settings = local_settings.model_copy(
        update={"storage_url": gone, "storage_secret": SecretStr(INTERNAL_SECRET)}
    )
    async with serving(settings, verifier, dev_issuer, repository, []) as post:
        launched = await launch(post, "alice", launcherId=FLIGHTS_LAUNCHER)
        running = await wait_for_state(post, launched["session"]["id"], "RUNNING")
        assert "storage service could not be reached" in running["message"]


async def test_a_kubernetes_session_gets_rclone_data_sources_and_a_secret_slots_volume(
    local_settings: SessionsSettings,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
    repository: Path,
    launch_route: str,
) -> None:
    require_rclone()
    with kubernetes_double() as kube:
        settings = local_settings.model_copy(
            update={
                "backend": "kubernetes",
                "kubernetes_api_url": kube.url,
                "kubernetes_namespace": "renku",
                "storage_url": launch_route,
                "storage_secret": SecretStr(INTERNAL_SECRET),
            }
        )
        async with serving(settings, verifier, dev_issuer, repository, []) as post:
            alice = (await launch(post, "alice", launcherId=FLIGHTS_LAUNCHER))["session"]
            bob = (await launch(post, "bob", launcherId=CLIMATE_LAUNCHER))["session"]
            bob_running = await wait_for_state(post, bob["id"], "RUNNING", user="bob")
            resource = resource_of(kube, alice["id"].lower())
            spec = resource["spec"]
            assert [(s["mountPath"], s["accessMode"]) for s in spec["dataSources"]] == [
                ("data/flights", "ReadOnlyMany"), ("notes", "ReadOnlyMany")
            ]  # fmt: skip
            first = kube.secret("renku", spec["dataSources"][0]["secretRef"]["name"])
            assert first is not None and first["data"]["remotePath"] == "flights-data"
            assert f"secret_access_key = {S3_SECRET}" in first["data"]["configData"]
            slots = kube.secret("renku", f"renku-{alice['id'].lower()}-slots")
            assert slots is not None and slots["data"] == {"api-key": SLOT_VALUE}
            mounts = spec["session"]["extraVolumeMounts"]
            assert {"name": "renku-secret-slots", "mountPath": "/secrets", "readOnly": True} in (
                mounts
            )
            assert "data connector flights-s3 needs credentials" in bob_running["message"]
            assert resource_of(kube, bob["id"].lower())["spec"]["dataSources"] == []
            assert SLOT_VALUE not in json.dumps([resource, alice, bob_running])
            source_secret = spec["dataSources"][0]["secretRef"]["name"]
            await wait_for_state(post, alice["id"], "RUNNING")
            slept = await post(CHANGE.format("hibernateSession"), as_user="alice", id=alice["id"])
            assert slept["hibernateSession"]["errors"] == []
            assert kube.secret("renku", source_secret) is None
            assert kube.secret("renku", f"renku-{alice['id'].lower()}-slots") is None
            woke = await post(CHANGE.format("resumeSession"), as_user="alice", id=alice["id"])
            assert woke["resumeSession"]["errors"] == []
            resumed = kube.secret("renku", source_secret)
            assert resumed is not None and resumed["data"]["remotePath"] == "flights-data"
            assert kube.secret("renku", f"renku-{alice['id'].lower()}-slots") is not None
            await post(
                "mutation($id: ID!) { deleteSession(id: $id) { id } }",
                as_user="alice",
                id=alice["id"],
            )
            assert kube.secret("renku", spec["dataSources"][0]["secretRef"]["name"]) is None
            assert kube.secret("renku", f"renku-{alice['id'].lower()}-slots") is None

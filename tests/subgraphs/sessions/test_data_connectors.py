"""Local sessions mount data connectors (S3 on moto, WebDAV by rclone) and get secret files."""

from __future__ import annotations

import json
import logging
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.common.demo import ALICE, BOB
from renku_fed.subgraphs.sessions.backends.local_jupyter import base_path
from renku_fed.subgraphs.sessions.backends.sqlite_store import SqliteStore
from renku_fed.subgraphs.sessions.demo import demo_launchers
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from tests.support.services.storage_servers import BUCKET, StorageServer, require_rclone
from tests.support.sessions import launch, serving, wait_for_state

INTERNAL_SECRET = "internal-secret-for-tests-only"
SLOT_VALUE = "slot-value-never-shown"
FLIGHTS_LAUNCHER, CLIMATE_LAUNCHER = demo_launchers()[0].id, demo_launchers()[2].id


def _answers(s3: StorageServer, webdav: StorageServer) -> dict[str, dict[str, Any]]:
    """The session-launch answers by user: alice holds every credential, bob none."""
    s3_options = {"provider": "Other", "endpoint": s3.url, "region": "us-east-1"}
    flights = {
        "id": "DC1", "slug": "flights-s3", "name": "Flights", "storageType": "s3",
        "sourcePath": BUCKET, "targetPath": "data/flights", "readOnly": True,
    }  # fmt: skip
    notes = {
        "id": "DC2", "slug": "team-notes", "name": "Notes", "storageType": "webdav",
        "configuration": {"url": webdav.url, "user": webdav.user, "pass": webdav.password},
        "sourcePath": "shared", "targetPath": "/notes", "readOnly": True, "missingCredentials": [],
    }  # fmt: skip
    credentials = {"access_key_id": s3.user, "secret_access_key": s3.password}
    slot = {"id": "SL1", "name": "API key", "filename": "api-key"}
    return {
        ALICE.id: {
            "dataConnectors": [
                {
                    **flights,
                    "configuration": {**s3_options, **credentials},
                    "missingCredentials": [],
                },
                notes,
            ],
            "secretsMountDirectory": "/secrets",
            "secretSlots": [{**slot, "value": SLOT_VALUE}],
        },
        BOB.id: {
            "dataConnectors": [
                {**flights, "configuration": s3_options, "missingCredentials": sorted(credentials)}
            ],
            "secretsMountDirectory": "/secrets",
            "secretSlots": [{**slot, "value": None}],
        },
    }


@pytest.fixture
def launch_route(s3_server: StorageServer, webdav_server: StorageServer) -> Iterator[str]:
    """A stand-in for the storage service's `POST /internal/session-launch` (ARCHITECTURE.md).

    The storage subgraph is built beside this work; this server answers in its documented shape
    (connectors with the user's credentials, secret slots with the user's values) by user, and
    refuses a request without the internal token with 401, as the route does.
    """
    answers = _answers(s3_server, webdav_server)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            known = self.headers.get("X-Renku-Internal-Token") == INTERNAL_SECRET
            code, answer = (200, answers[body["userId"]]) if known else (401, {"error": "token"})
            text = json.dumps(answer).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/internal/session-launch"
    finally:
        server.shutdown()
        server.server_close()


async def test_a_session_lists_its_connectors_files_and_reads_its_secret_files(
    local_settings: SessionsSettings,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
    repository: Path,
    launch_route: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    require_rclone()
    caplog.set_level(logging.DEBUG)
    settings = local_settings.model_copy(
        update={"storage_url": launch_route, "storage_secret": SecretStr(INTERNAL_SECRET)}
    )
    answers: list[Any] = []
    async with serving(settings, verifier, dev_issuer, repository, []) as post:
        launched = await launch(post, "alice", launcherId=FLIGHTS_LAUNCHER)
        session_id = launched["session"]["id"]
        running = await wait_for_state(post, session_id, "RUNNING")
        assert "data connector flights-s3 is a synced copy" in running["message"]
        folder = settings.data_dir / "sessions" / session_id
        work = folder / "home" / "work"
        assert (work / "data/flights/2024/flights.csv").read_text() == (
            "contents of 2024/flights.csv\n"
        )
        assert (work / "notes/notes.txt").read_text() == "notes\n"
        listed = await _contents(settings, session_id, "data/flights/2024")
        assert [item["name"] for item in listed["content"]] == ["flights.csv"]
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
        assert "test-secret-access-key-never-shown" not in text


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

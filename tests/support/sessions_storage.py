"""A stand-in for the storage service's session-launch route, for the sessions tests."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from renku_fed.subgraphs.common.demo import ALICE, BOB
from tests.support.services.storage_servers import BUCKET, StorageServer

INTERNAL_SECRET = "internal-secret-for-tests-only"
SLOT_VALUE = "slot-value-never-shown"


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


def _bearer_subject(authorization: str | None) -> str | None:
    """The `sub` claim of a bearer JWT, unverified: the sessions service verified it."""
    if not authorization or not authorization.startswith("Bearer "):
        return None
    payload = authorization.removeprefix("Bearer ").split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["sub"])


@pytest.fixture
def launch_route(s3_server: StorageServer, webdav_server: StorageServer) -> Iterator[str]:
    """A stand-in for the storage service's `POST /internal/session-launch` (ARCHITECTURE.md).

    The storage subgraph was built at the same time as this; this server answers in the route's
    documented shape (connectors with the user's credentials, secret slots with the user's
    values) by user, and refuses a request without the internal token with 401, as it does,
    and one without the launching user's own bearer token with 403 (the route answers such a
    request without private connectors; refusing makes a token left behind fail the test).
    """
    answers = _answers(s3_server, webdav_server)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            known = self.headers.get("X-Renku-Internal-Token") == INTERNAL_SECRET
            code, answer = (200, answers[body["userId"]]) if known else (401, {"error": "token"})
            if known and _bearer_subject(self.headers.get("Authorization")) != body["userId"]:
                code, answer = 403, {"error": "not the launching user's own token"}
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

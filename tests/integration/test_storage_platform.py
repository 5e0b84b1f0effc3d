"""Data connectors and secrets through the router: alice's S3 connector on a real S3 server
(moto), saved credentials, a link to alice/flights, and what a session of it gets."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.common.demo import FLIGHTS
from tests.support.inprocess import (
    STORAGE_INTERNAL_SECRET,
    SUBGRAPH_PORTS,
    InProcessPlatform,
    inprocess_platform,
)
from tests.support.services.storage_servers import (
    BUCKET,
    BUCKET_FILES,
    StorageServer,
    rclone_lsf,
    require_rclone,
)

SUBGRAPHS = ("users", "projects", "storage")
ERRORS = "errors { code field message }"
CREATE = f"""mutation($input: CreateDataConnectorInput!) {{ createDataConnector(input: $input) {{
  dataConnector {{ id slug namespace visibility storage {{ type configuration sourcePath targetPath
  readOnly sensitiveFields }} }} secrets {{ id name kind }} {ERRORS} }} }}"""
LINK = f"""mutation($dc: ID!, $project: ID!) {{ linkDataConnector(dataConnectorId: $dc,
  projectId: $project) {{ link {{ id dataConnector {{ slug }} }} {ERRORS} }} }}"""
PROJECT = """query($id: ID!) { project(id: $id) { slug secretsMountDirectory
  dataConnectors { totalCount hiddenCount edges { node { dataConnector { slug name
  createdBy { username } storage { configuration } } } } } } }"""
SAVE = f"""mutation($dc: ID!, $credentials: [CredentialInput!]!) {{
  saveDataConnectorCredentials(dataConnectorId: $dc, credentials: $credentials) {{
  secrets {{ kind dataConnectorIds }} {ERRORS} }} }}"""
MY_SECRETS = "{ mySecrets { totalCount edges { node { name kind dataConnectorIds } } } }"


async def _launch(platform: InProcessPlatform, user: str) -> dict[str, Any]:
    url = f"http://127.0.0.1:{SUBGRAPH_PORTS['storage']}/internal/session-launch"
    response = await platform.client.post(
        url,
        json={"projectId": FLIGHTS.id, "userId": dev_subject(user)},
        headers={"X-Renku-Internal-Token": STORAGE_INTERNAL_SECRET},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _s3_input(server: StorageServer) -> dict[str, Any]:
    return {
        "name": "Flights bucket", "namespace": "alice", "visibility": "PUBLIC",
        "storage": {
            "configuration": {
                "type": "s3", "provider": "Other", "endpoint": server.url,
                "access_key_id": server.user, "secret_access_key": server.password,
            },
            "sourcePath": BUCKET, "targetPath": "data/flights", "readOnly": True,
        },
    }  # fmt: skip


async def test_alice_mounts_her_s3_connector_and_bob_is_told_it_needs_credentials(
    tmp_path: Path,
    dev_issuer: DevIssuer,
    verifier: TokenVerifier,
    s3_server: StorageServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    require_rclone()
    caplog.set_level(logging.DEBUG)
    alice, bob = dev_issuer.sign("alice"), dev_issuer.sign("bob")
    async with inprocess_platform(tmp_path, verifier, subgraphs=SUBGRAPHS) as platform:
        await platform.query("{ me { id } }", bob)
        created = await platform.query(CREATE, alice, {"input": _s3_input(s3_server)})
        made = created["data"]["createDataConnector"]
        assert made["errors"] == [], made
        storage = made["dataConnector"]["storage"]
        assert storage["sensitiveFields"] == ["access_key_id", "secret_access_key"]
        assert storage["configuration"]["secret_access_key"] == "<sensitive>"
        assert sorted(s["kind"] for s in made["secrets"]) == ["STORAGE", "STORAGE"]

        variables = {"dc": made["dataConnector"]["id"], "project": FLIGHTS.id}
        linked = await platform.query(LINK, alice, variables)
        assert linked["data"]["linkDataConnector"]["errors"] == []
        refused = await platform.query(LINK, bob, variables)
        assert refused["data"]["linkDataConnector"]["errors"][0]["code"] == "FORBIDDEN"

        seen = await platform.query(PROJECT, bob, {"id": FLIGHTS.id})
        connectors = seen["data"]["project"]["dataConnectors"]
        assert connectors["totalCount"] == 1 and connectors["hiddenCount"] == 0
        node = connectors["edges"][0]["node"]["dataConnector"]
        assert node["createdBy"]["username"] == "alice"
        assert seen["data"]["project"]["secretsMountDirectory"] == "/secrets"
        secrets = await platform.query(MY_SECRETS, alice)
        assert secrets["data"]["mySecrets"]["totalCount"] == 2

        mine = (await _launch(platform, "alice"))["dataConnectors"][0]
        assert mine["missingCredentials"] == []
        assert mine["configuration"]["secret_access_key"] == s3_server.password
        listed = rclone_lsf(mine["storageType"], mine["configuration"], mine["sourcePath"])
        assert listed == sorted(BUCKET_FILES)

        theirs = (await _launch(platform, "bob"))["dataConnectors"][0]
        assert theirs["missingCredentials"] == ["access_key_id", "secret_access_key"]
        assert "secret_access_key" not in theirs["configuration"]

        wrong = [{"name": "endpoint", "value": "http://elsewhere"}]
        refused_save = await platform.query(SAVE, bob, {"dc": theirs["id"], "credentials": wrong})
        assert refused_save["data"]["saveDataConnectorCredentials"]["errors"][0]["field"] == (
            "secrets"
        )
        own = [{"name": "access_key_id", "value": s3_server.user},
               {"name": "secret_access_key", "value": s3_server.password}]  # fmt: skip
        saved = await platform.query(SAVE, bob, {"dc": theirs["id"], "credentials": own})
        assert [s["dataConnectorIds"] for s in saved["data"]["saveDataConnectorCredentials"][
            "secrets"]] == [[theirs["id"]], [theirs["id"]]]  # fmt: skip
        now_theirs = (await _launch(platform, "bob"))["dataConnectors"][0]
        assert now_theirs["missingCredentials"] == []
        listed = rclone_lsf("s3", now_theirs["configuration"], now_theirs["sourcePath"])
        assert listed == sorted(BUCKET_FILES)

        answers = [created, linked, refused, seen, secrets, refused_save, saved]
    assert all(s3_server.password not in str(answer) for answer in answers)
    assert all(s3_server.password not in record.getMessage() for record in caplog.records)
    assert all(s3_server.password not in str(record.__dict__) for record in caplog.records)

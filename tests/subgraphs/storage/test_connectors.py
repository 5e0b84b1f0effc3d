"""Data connectors' permissions, links and WebDAV storage, through the router."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.common.demo import CLIMATE, FLIGHTS
from tests.support.inprocess import (
    STORAGE_INTERNAL_SECRET,
    SUBGRAPH_PORTS,
    InProcessPlatform,
    inprocess_platform,
)
from tests.support.services.storage_servers import StorageServer, rclone_lsf

SUBGRAPHS = ("users", "projects", "storage")
LAUNCH_URL = f"http://127.0.0.1:{SUBGRAPH_PORTS['storage']}/internal/session-launch"
ERRORS = "errors { code field message }"
CREATE = f"""mutation($input: CreateDataConnectorInput!) {{ createDataConnector(input: $input) {{
  dataConnector {{ id etag storage {{ configuration sensitiveFields }} }} {ERRORS} }} }}"""
LINK = f"""mutation($dc: ID!, $project: ID!) {{ linkDataConnector(dataConnectorId: $dc,
  projectId: $project) {{ {ERRORS} }} }}"""
UNLINK = f"""mutation($dc: ID!, $project: ID!) {{ unlinkDataConnector(dataConnectorId: $dc,
  projectId: $project) {{ id {ERRORS} }} }}"""
LINKS = """query($id: ID!) { project(id: $id) { dataConnectors { totalCount hiddenCount
  edges { node { dataConnector { slug } } } } } }"""
READ = "query($id: ID!) { dataConnector(id: $id) { slug } dataConnectors { totalCount } }"
UPDATE = f"""mutation($id: ID!, $etag: String!) {{ updateDataConnector(id: $id, ifMatch: $etag,
  input: {{description: "Edited."}}) {{ dataConnector {{ description }} {ERRORS} }} }}"""
DELETE = f"mutation($id: ID!) {{ deleteDataConnector(id: $id) {{ id {ERRORS} }} }}"


def webdav_input(server: StorageServer, visibility: str = "PRIVATE") -> dict[str, Any]:
    return {
        "name": "Shared notes", "namespace": "alice", "visibility": visibility,
        "storage": {
            "configuration": {"type": "webdav", "url": server.url, "vendor": "other",
                              "user": server.user, "pass": server.password},
            "sourcePath": "shared", "targetPath": "data/notes",
        },
    }  # fmt: skip


@pytest.fixture
async def platform(tmp_path: Path, verifier: TokenVerifier) -> AsyncIterator[InProcessPlatform]:
    async with inprocess_platform(tmp_path, verifier, subgraphs=SUBGRAPHS) as running:
        yield running


async def _create(platform: InProcessPlatform, token: str, given: dict[str, Any]) -> str:
    made = (await platform.query(CREATE, token, {"input": given}))["data"]["createDataConnector"]
    assert made["errors"] == [], made
    return str(made["dataConnector"]["id"])


async def launch(
    platform: InProcessPlatform, project_id: str, user: str, token: str | None = None
) -> dict[str, Any]:
    """The session-launch route's answer for `user`, sent their `token` as sessions do."""
    body = {"projectId": project_id, "userId": dev_subject(user)}
    headers = {"X-Renku-Internal-Token": STORAGE_INTERNAL_SECRET}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    response = await platform.client.post(LAUNCH_URL, json=body, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_a_private_connector_is_hidden_from_others_and_counted_on_links(
    platform: InProcessPlatform, dev_issuer: DevIssuer, webdav_server: StorageServer
) -> None:
    alice, bob = dev_issuer.sign("alice"), dev_issuer.sign("bob")
    connector = await _create(platform, alice, webdav_input(webdav_server))
    # bob/climate has alice as an EDITOR: she links her private connector there.
    variables = {"dc": connector, "project": CLIMATE.id}
    assert (await platform.query(LINK, alice, variables))["data"]["linkDataConnector"] == {
        "errors": []
    }
    hidden = (await platform.query(READ, bob, {"id": connector}))["data"]
    assert hidden == {"dataConnector": None, "dataConnectors": {"totalCount": 0}}
    links = (await platform.query(LINKS, bob, {"id": CLIMATE.id}))["data"]["project"]
    assert links["dataConnectors"] == {"totalCount": 0, "hiddenCount": 1, "edges": []}
    assert (await launch(platform, CLIMATE.id, "bob", bob))["dataConnectors"] == []
    withheld = await launch(platform, CLIMATE.id, "alice")
    assert withheld["dataConnectors"] == []
    assert withheld["problems"] == [
        "1 private data connector(s) not mounted: your group roles cannot be checked without "
        "your sign-in; resume it yourself"
    ]
    assert [
        c["id"] for c in (await launch(platform, CLIMATE.id, "alice", alice))["dataConnectors"]
    ] == [connector]
    seen = (await platform.query(LINKS, alice, {"id": CLIMATE.id}))["data"]["project"]
    assert seen["dataConnectors"]["hiddenCount"] == 0

    # bob owns the project: he may unlink a connector he cannot see.
    unlinked = await platform.query(UNLINK, bob, variables)
    assert unlinked["data"]["unlinkDataConnector"] == {"id": connector, "errors": []}
    again = await platform.query(UNLINK, alice, variables)
    assert again["data"]["unlinkDataConnector"]["errors"][0]["code"] == "NOT_FOUND"
    links = (await platform.query(LINKS, bob, {"id": CLIMATE.id}))["data"]["project"]
    assert links["dataConnectors"]["hiddenCount"] == 0


async def test_only_the_namespace_edits_and_deletes(
    platform: InProcessPlatform, dev_issuer: DevIssuer, webdav_server: StorageServer
) -> None:
    alice, bob = dev_issuer.sign("alice"), dev_issuer.sign("bob")
    connector = await _create(platform, alice, webdav_input(webdav_server, "PUBLIC"))
    foreign = await platform.query(CREATE, bob, {"input": webdav_input(webdav_server)})
    assert foreign["data"]["createDataConnector"]["errors"][0]["code"] == "FORBIDDEN"
    etag = (await platform.query(f'{{ dataConnector(id: "{connector}") {{ etag }} }}', bob))[
        "data"
    ]["dataConnector"]["etag"]
    variables = {"id": connector, "etag": etag}
    refused = (await platform.query(UPDATE, bob, variables))["data"]["updateDataConnector"]
    assert refused["errors"][0]["code"] == "FORBIDDEN"
    changed = (await platform.query(UPDATE, alice, variables))["data"]["updateDataConnector"]
    assert changed == {"dataConnector": {"description": "Edited."}, "errors": []}
    stale = (await platform.query(UPDATE, alice, variables))["data"]["updateDataConnector"]
    assert stale["errors"][0]["code"] == "CONFLICT"
    assert (await platform.query(DELETE, bob, {"id": connector}))["data"]["deleteDataConnector"][
        "errors"
    ][0]["code"] == "FORBIDDEN"
    deleted = await platform.query(DELETE, alice, {"id": connector})
    assert deleted["data"]["deleteDataConnector"] == {"id": connector, "errors": []}


async def test_a_webdav_connector_lists_with_the_launch_configuration(
    platform: InProcessPlatform, dev_issuer: DevIssuer, webdav_server: StorageServer
) -> None:
    alice = dev_issuer.sign("alice")
    given = webdav_input(webdav_server)
    created = (await platform.query(CREATE, alice, {"input": given}))["data"]
    storage = created["createDataConnector"]["dataConnector"]["storage"]
    assert storage["sensitiveFields"] == ["pass"]
    assert storage["configuration"]["pass"] == "<sensitive>"
    connector = created["createDataConnector"]["dataConnector"]["id"]
    await platform.query(LINK, alice, {"dc": connector, "project": FLIGHTS.id})
    mounted = (await launch(platform, FLIGHTS.id, "alice", alice))["dataConnectors"]
    found = next(c for c in mounted if c["id"] == connector)
    assert found["readOnly"] is True and found["targetPath"] == "data/notes"
    listed = rclone_lsf(found["storageType"], found["configuration"], found["sourcePath"])
    assert listed == ["notes.txt"]


async def test_a_configuration_rclone_refuses_names_its_field(
    platform: InProcessPlatform, dev_issuer: DevIssuer
) -> None:
    given = {"name": "Bad", "namespace": "alice", "storage": {
        "configuration": {"type": "webdav", "url": "http://127.0.0.1:1", "colour": "red"},
        "targetPath": "data/bad"}}  # fmt: skip
    body = await platform.query(CREATE, dev_issuer.sign("alice"), {"input": given})
    assert body["data"]["createDataConnector"]["errors"] == [{
        "code": "BAD_USER_INPUT", "field": "configuration.colour",
        "message": "rclone's webdav storage has no option 'colour'; remove it or check its "
        "spelling.",
    }]  # fmt: skip


@pytest.mark.parametrize("target", ["", "/etc", "data/../../home"])
async def test_a_target_outside_the_session_folder_is_refused(
    platform: InProcessPlatform, dev_issuer: DevIssuer, target: str
) -> None:
    configuration = {"type": "webdav", "url": "http://127.0.0.1:1"}
    storage = {"configuration": configuration, "targetPath": target}
    given = {"name": "Escape", "namespace": "alice", "storage": storage}
    body = await platform.query(CREATE, dev_issuer.sign("alice"), {"input": given})
    assert body["data"]["createDataConnector"]["errors"][0]["field"] == "targetPath"


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, {"projectId": FLIGHTS.id, "userId": "u"}, 401),
        ({"X-Renku-Internal-Token": "wrong"}, {"projectId": FLIGHTS.id, "userId": "u"}, 401),
        ({"X-Renku-Internal-Token": STORAGE_INTERNAL_SECRET}, {"projectId": FLIGHTS.id}, 400),
        (
            {"X-Renku-Internal-Token": STORAGE_INTERNAL_SECRET, "Authorization": "Bearer bad"},
            {"projectId": FLIGHTS.id, "userId": "u"},
            401,
        ),
    ],
)
async def test_the_launch_route_needs_the_internal_secret(
    platform: InProcessPlatform, headers: dict[str, str], body: dict[str, str], status: int
) -> None:
    response = await platform.client.post(LAUNCH_URL, json=body, headers=headers)
    assert response.status_code == status
    assert "dataConnectors" not in response.text


async def test_the_launch_route_refuses_another_users_token(
    platform: InProcessPlatform, dev_issuer: DevIssuer
) -> None:
    headers = {
        "X-Renku-Internal-Token": STORAGE_INTERNAL_SECRET,
        "Authorization": f"Bearer {dev_issuer.sign('bob')}",
    }
    body = {"projectId": FLIGHTS.id, "userId": dev_subject("alice")}
    response = await platform.client.post(LAUNCH_URL, json=body, headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"

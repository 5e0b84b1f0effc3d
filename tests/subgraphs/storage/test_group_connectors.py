"""A group's data connectors follow its members' roles, through the router."""

from __future__ import annotations

from pathlib import Path

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.common.demo import FLIGHTS
from tests.subgraphs.storage.test_connectors import CREATE, LINK, UPDATE, launch
from tests.support.inprocess import InProcessPlatform, inprocess_platform

ERRORS = "errors { code field message }"
GROUP = f"""mutation {{ createGroup(input: {{slug: "climate-lab", name: "Climate Lab"}}) {{
  {ERRORS} }} }}"""
MEMBER = f"""mutation($role: Role!) {{ setGroupMembers(slug: "climate-lab",
  members: [{{userId: "{dev_subject("bob")}", role: $role}}]) {{ {ERRORS} }} }}"""
REMOVE = f"""mutation {{ removeGroupMember(slug: "climate-lab", userId: "{dev_subject("bob")}")
  {{ {ERRORS} }} }}"""
READ = "query($id: ID!) { dataConnector(id: $id) { etag } }"
CONNECTOR = {
    "name": "Lab archive", "namespace": "climate-lab", "visibility": "PRIVATE",
    "storage": {"configuration": {"type": "webdav", "url": "http://127.0.0.1:9", "vendor": "other"},
                "targetPath": "data/lab"},
}  # fmt: skip


async def group_connector(platform: InProcessPlatform, alice: str, bob: str) -> str:
    """Bob signed in (to the users subgraph only), alice's group and its private connector."""
    await platform.query("{ me { id } }", bob)
    assert (await platform.query(GROUP, alice))["data"]["createGroup"]["errors"] == []
    made = (await platform.query(CREATE, alice, {"input": CONNECTOR}))["data"]
    return str(made["createDataConnector"]["dataConnector"]["id"])


async def test_group_members_see_and_editors_change_its_connectors(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    alice, bob = dev_issuer.sign("alice"), dev_issuer.sign("bob")
    subgraphs = ("users", "projects", "storage")
    async with inprocess_platform(tmp_path, verifier, subgraphs=subgraphs) as platform:
        connector = await group_connector(platform, alice, bob)
        assert (await platform.query(READ, bob, {"id": connector}))["data"]["dataConnector"] is None

        await platform.query(MEMBER, alice, {"role": "VIEWER"})
        etag = (await platform.query(READ, bob, {"id": connector}))["data"]["dataConnector"]["etag"]
        variables = {"id": connector, "etag": etag}
        viewer = (await platform.query(UPDATE, bob, variables))["data"]["updateDataConnector"]
        assert viewer["errors"][0]["code"] == "FORBIDDEN"

        await platform.query(MEMBER, alice, {"role": "EDITOR"})
        editor = (await platform.query(UPDATE, bob, variables))["data"]["updateDataConnector"]
        assert editor["errors"] == []

        await platform.query(REMOVE, alice)
        assert (await platform.query(READ, bob, {"id": connector}))["data"]["dataConnector"] is None


async def test_a_launch_asks_for_the_group_roles_of_the_moment(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    alice, bob = dev_issuer.sign("alice"), dev_issuer.sign("bob")
    subgraphs = ("users", "projects", "storage")
    async with inprocess_platform(tmp_path, verifier, subgraphs=subgraphs) as platform:
        connector = await group_connector(platform, alice, bob)
        linked = await platform.query(LINK, alice, {"dc": connector, "project": FLIGHTS.id})
        assert linked["data"]["linkDataConnector"]["errors"] == []
        await platform.query(MEMBER, alice, {"role": "VIEWER"})

        member = await launch(platform, FLIGHTS.id, "bob", bob)
        assert [c["id"] for c in member["dataConnectors"]] == [connector]
        assert member["problems"] == []

        await platform.query(REMOVE, alice)  # and bob makes no call to storage in between
        removed = await launch(platform, FLIGHTS.id, "bob", bob)
        assert removed["dataConnectors"] == []
        assert removed["problems"] == []

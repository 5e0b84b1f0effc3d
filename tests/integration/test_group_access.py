"""Group roles grant access to the group's projects, through the router, and lose it at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.tokens import TokenVerifier
from tests.support.inprocess import InProcessPlatform, inprocess_platform

SUBGRAPHS = ("users", "projects", "kg")
ERRORS = "errors { code field message }"
CREATE_GROUP = f"""mutation {{ createGroup(input: {{slug: "climate-lab", name: "Climate Lab"}}) {{
  group {{ id }} {ERRORS} }} }}"""
CREATE_PROJECT = f"""mutation {{ createProject(input: {{name: "model", namespace: "climate-lab",
  visibility: PRIVATE}}) {{ project {{ id etag }} {ERRORS} }} }}"""
SET = f"""mutation($role: Role!) {{ setGroupMembers(slug: "climate-lab",
  members: [{{userId: "{dev_subject("bob")}", role: $role}}]) {{ {ERRORS} }} }}"""
REMOVE = f"""mutation {{ removeGroupMember(slug: "climate-lab", userId: "{dev_subject("bob")}")
  {{ {ERRORS} }} }}"""
READ = """{ projectBySlug(namespace: "climate-lab", slug: "model") {
  id etag permissions { write delete changeMembership } }
  projects(search: "model") { totalCount }
  editable: projects(search: "model", minimumRole: EDITOR) { edges { node { slug } } } }"""
UPDATE = f"""mutation($id: ID!, $etag: String!) {{ updateProject(id: $id, ifMatch: $etag,
  input: {{description: "Edited by a group member."}}) {{
  project {{ description }} {ERRORS} }} }}"""


async def _read(platform: InProcessPlatform, token: str) -> dict[str, Any]:
    body = await platform.query(READ, token)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def test_a_group_member_reads_and_edits_the_groups_projects_until_removed(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    alice, bob = dev_issuer.sign("alice"), dev_issuer.sign("bob")
    async with inprocess_platform(tmp_path, verifier, subgraphs=SUBGRAPHS) as platform:
        assert (await platform.query(CREATE_GROUP, alice))["data"]["createGroup"]["errors"] == []
        created = (await platform.query(CREATE_PROJECT, alice))["data"]["createProject"]
        assert created["errors"] == []
        project_id = created["project"]["id"]
        assert (await _read(platform, bob))["projectBySlug"] is None

        await platform.query(SET, alice, {"role": "VIEWER"})
        viewer = await _read(platform, bob)
        assert viewer["projectBySlug"]["permissions"] == {
            "write": False,
            "delete": False,
            "changeMembership": False,
        }
        assert viewer["projects"]["totalCount"] == 1
        assert viewer["editable"]["edges"] == []

        await platform.query(SET, alice, {"role": "EDITOR"})
        editor = await _read(platform, bob)
        assert editor["projectBySlug"]["permissions"]["write"] is True
        assert editor["editable"]["edges"] == [{"node": {"slug": "model"}}]
        variables = {"id": project_id, "etag": editor["projectBySlug"]["etag"]}
        updated = (await platform.query(UPDATE, bob, variables))["data"]["updateProject"]
        assert updated == {"project": {"description": "Edited by a group member."}, "errors": []}

        removed = (await platform.query(REMOVE, alice))["data"]["removeGroupMember"]
        assert removed["errors"] == []
        gone = await _read(platform, bob)
        assert gone["projectBySlug"] is None
        assert gone["projects"]["totalCount"] == 0
        variables["etag"] = (await _read(platform, alice))["projectBySlug"]["etag"]
        refused = (await platform.query(UPDATE, bob, variables))["data"]["updateProject"]
        assert refused["errors"][0]["code"] == "NOT_FOUND"


async def test_the_stronger_of_project_and_group_role_wins(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    alice, bob = dev_issuer.sign("alice"), dev_issuer.sign("bob")
    async with inprocess_platform(tmp_path, verifier, subgraphs=SUBGRAPHS) as platform:
        await platform.query(CREATE_GROUP, alice)
        project_id = (await platform.query(CREATE_PROJECT, alice))["data"]["createProject"][
            "project"
        ]["id"]
        add = f"""mutation {{ setProjectMembers(id: "{project_id}", members: [{{userId:
          "{dev_subject("bob")}", role: OWNER}}]) {{ {ERRORS} }} }}"""
        assert (await platform.query(add, alice))["data"]["setProjectMembers"]["errors"] == []
        await platform.query(SET, alice, {"role": "VIEWER"})
        rights = (await _read(platform, bob))["projectBySlug"]["permissions"]
        assert rights == {"write": True, "delete": True, "changeMembership": True}

"""A project's life through the router: create, read, update with etag, copy, members, delete."""

from __future__ import annotations

import subprocess
from pathlib import Path

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.tokens import TokenVerifier
from tests.support.inprocess import inprocess_platform

ERRORS = "errors { code field message }"
FIELDS = """id name slug namespace visibility description keywords documentation repositories
  etag isTemplate templateId createdBy { username } members { role user { username } }
  permissions { write delete changeMembership }"""
CREATE = f"""mutation($input: CreateProjectInput!) {{
  createProject(input: $input) {{ project {{ {FIELDS} }} {ERRORS} }} }}"""
UPDATE = f"""mutation($id: ID!, $etag: String!, $input: UpdateProjectInput!) {{
  updateProject(id: $id, ifMatch: $etag, input: $input) {{ project {{ {FIELDS} }} {ERRORS} }} }}"""
COPY = f"""mutation($input: CopyProjectInput!) {{
  copyProject(input: $input) {{ project {{ {FIELDS} }} {ERRORS} }} }}"""
SET_MEMBERS = f"""mutation($id: ID!, $members: [ProjectMemberInput!]!) {{
  setProjectMembers(id: $id, members: $members) {{ project {{ {FIELDS} }} {ERRORS} }} }}"""
REMOVE_MEMBER = f"""mutation($id: ID!, $user: ID!) {{
  removeProjectMember(id: $id, userId: $user) {{ project {{ {FIELDS} }} {ERRORS} }} }}"""
DELETE = f"mutation($id: ID!) {{ deleteProject(id: $id) {{ id {ERRORS} }} }}"
READ = f"""query($id: ID!) {{ project(id: $id) {{ {FIELDS}
  copies {{ totalCount edges {{ node {{ slug templateId }} }} }} }} }}"""


async def test_create_read_update_copy_members_delete(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    alice, bob = dev_issuer.sign("alice"), dev_issuer.sign("bob")
    async with inprocess_platform(tmp_path, verifier, subgraphs=("users", "projects")) as platform:
        new = {
            "name": "Ocean Data",
            "description": "Buoys.",
            "keywords": ["sea"],
            "documentation": "# Ocean\n\nRead me.",
            "isTemplate": True,
        }
        created = (await platform.query(CREATE, alice, {"input": new}))["data"]["createProject"]
        assert created["errors"] == []
        project = created["project"]
        assert (project["namespace"], project["slug"], project["visibility"]) == (
            "alice",
            "ocean-data",
            "PRIVATE",
        )
        assert project["documentation"] == "# Ocean\n\nRead me."
        assert project["members"] == [{"role": "OWNER", "user": {"username": "alice"}}]
        assert project["permissions"] == {"write": True, "delete": True, "changeMembership": True}

        assert (await platform.query(READ, bob, {"id": project["id"]}))["data"]["project"] is None

        change = {
            "id": project["id"],
            "etag": project["etag"],
            "input": {"slug": "oceans", "visibility": "PUBLIC", "description": ""},
        }
        updated = (await platform.query(UPDATE, alice, change))["data"]["updateProject"]
        assert updated["errors"] == []
        assert (updated["project"]["slug"], updated["project"]["description"]) == ("oceans", None)
        assert updated["project"]["etag"] != project["etag"]
        stale = await platform.query(UPDATE, alice, {**change, "input": {"name": "Lost"}})
        assert stale["data"]["updateProject"]["errors"][0]["code"] == "CONFLICT"
        assert stale["data"]["updateProject"]["errors"][0]["field"] == "ifMatch"
        read = (await platform.query(READ, bob, {"id": project["id"]}))["data"]["project"]
        assert read["name"] == "Ocean Data" and read["slug"] == "oceans"
        assert read["permissions"] == {"write": False, "delete": False, "changeMembership": False}

        work = tmp_path / "clone"
        clone = ["git", "clone", "--quiet", updated["project"]["repositories"][0], str(work)]
        assert subprocess.run(clone, capture_output=True, check=False).returncode == 0
        assert (work / "README.md").read_text().startswith("# Ocean Data\n")

        copy_input = {"projectId": project["id"], "name": "My Ocean"}
        copied = (await platform.query(COPY, bob, {"input": copy_input}))["data"]["copyProject"]
        assert copied["errors"] == []
        copy = copied["project"]
        assert (copy["namespace"], copy["templateId"], copy["keywords"]) == (
            "bob",
            project["id"],
            ["sea"],
        )
        assert copy["members"] == [{"role": "OWNER", "user": {"username": "bob"}}]
        copy_work = tmp_path / "copy-clone"
        clone = ["git", "clone", "--quiet", copy["repositories"][0], str(copy_work)]
        assert subprocess.run(clone, capture_output=True, check=False).returncode == 0
        assert (copy_work / "README.md").read_text().startswith("# Ocean Data\n")
        copies = (await platform.query(READ, alice, {"id": project["id"]}))["data"]["project"]
        assert copies["copies"] == {
            "totalCount": 1,
            "edges": [{"node": {"slug": "my-ocean", "templateId": project["id"]}}],
        }

        members = {
            "id": project["id"],
            "members": [{"userId": dev_subject("bob"), "role": "EDITOR"}],
        }
        added = (await platform.query(SET_MEMBERS, alice, members))["data"]["setProjectMembers"]
        assert {(m["user"]["username"], m["role"]) for m in added["project"]["members"]} == {
            ("alice", "OWNER"),
            ("bob", "EDITOR"),
        }
        demote = {
            "id": project["id"],
            "members": [{"userId": dev_subject("alice"), "role": "VIEWER"}],
        }
        refused = (await platform.query(SET_MEMBERS, alice, demote))["data"]["setProjectMembers"]
        assert refused["errors"][0]["code"] == "BAD_USER_INPUT"
        assert "OWNER" in refused["errors"][0]["message"]
        last = {"id": project["id"], "user": dev_subject("alice")}
        kept = (await platform.query(REMOVE_MEMBER, alice, last))["data"]["removeProjectMember"]
        assert kept["errors"][0]["field"] == "userId"
        removed = await platform.query(REMOVE_MEMBER, alice, {**last, "user": dev_subject("bob")})
        assert removed["data"]["removeProjectMember"]["project"]["members"] == [
            {"role": "OWNER", "user": {"username": "alice"}}
        ]

        denied = (await platform.query(DELETE, bob, {"id": project["id"]}))["data"]
        assert denied["deleteProject"]["errors"][0]["code"] == "FORBIDDEN"
        deleted = (await platform.query(DELETE, alice, {"id": project["id"]}))["data"]
        assert deleted["deleteProject"] == {"id": project["id"], "errors": []}
        assert (await platform.query(READ, alice, {"id": project["id"]}))["data"]["project"] is None

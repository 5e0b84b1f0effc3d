"""Groups through the router: created and managed in users, their projects found by projects."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ulid import ULID

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.projects.backends.embedded import EmbeddedProjectStore
from renku_fed.subgraphs.projects.backends.repositories import Author
from renku_fed.subgraphs.projects.models import Member, Project, Role, Visibility
from tests.support.inprocess import inprocess_platform

ERRORS = "errors { code field message }"
CREATE = f"""mutation {{ createGroup(input: {{slug: "lab", name: "The Lab"}}) {{
  group {{ id slug members {{ role user {{ username }} }} }} {ERRORS} }} }}"""
SET = f"""mutation($members: [GroupMemberInput!]!) {{ setGroupMembers(slug: "lab",
  members: $members) {{ group {{ members {{ role user {{ username }} }} }} {ERRORS} }} }}"""
READ = """{ group(slug: "lab") { name createdBy { username }
  projects { totalCount edges { node { slug namespace } } } } }"""
NAMESPACES = "{ namespaces(minimumRole: EDITOR) { edges { node { kind slug role } } } }"


async def test_group_members_namespaces_and_projects(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    alice, bob = dev_issuer.sign("alice"), dev_issuer.sign("bob")
    async with inprocess_platform(tmp_path, verifier, subgraphs=("users", "projects")) as platform:
        created = (await platform.query(CREATE, alice))["data"]["createGroup"]
        assert created["errors"] == []
        taken = (await platform.query(CREATE, bob))["data"]["createGroup"]
        assert (taken["errors"][0]["code"], taken["errors"][0]["field"]) == ("CONFLICT", "slug")

        members = [{"userId": dev_subject("bob"), "role": "EDITOR"}]
        refused = (await platform.query(SET, bob, {"members": members}))["data"]
        assert refused["setGroupMembers"]["errors"][0]["code"] == "FORBIDDEN"
        added = (await platform.query(SET, alice, {"members": members}))["data"]
        assert added["setGroupMembers"]["group"]["members"] == [
            {"role": "OWNER", "user": {"username": "alice"}},
            {"role": "EDITOR", "user": {"username": "bob"}},
        ]
        owner_gone = [{"userId": dev_subject("alice"), "role": "VIEWER"}]
        kept = (await platform.query(SET, alice, {"members": owner_gone}))["data"]
        assert kept["setGroupMembers"]["errors"][0]["field"] == "members"

        spaces = (await platform.query(NAMESPACES, bob))["data"]["namespaces"]["edges"]
        assert [edge["node"] for edge in spaces] == [
            {"kind": "USER", "slug": "bob", "role": "OWNER"},
            {"kind": "GROUP", "slug": "lab", "role": "EDITOR"},
        ]

        now = datetime.now(UTC)
        owner = dev_subject("alice")
        in_group = Project(
            id=str(ULID()),
            name="Shared",
            slug="shared",
            namespace="lab",
            visibility=Visibility.PUBLIC,
            description=None,
            keywords=(),
            created_by=owner,
            creation_date=now,
            updated_at=now,
            members=(Member(owner, Role.OWNER),),
        )
        EmbeddedProjectStore(tmp_path / "projects").import_projects([in_group], Author("a", ""))
        group = (await platform.query(READ))["data"]["group"]
        assert group == {
            "name": "The Lab",
            "createdBy": {"username": "alice"},
            "projects": {
                "totalCount": 1,
                "edges": [{"node": {"slug": "shared", "namespace": "lab"}}],
            },
        }

"""Every project mutation, tried through the router by each role, is allowed or refused as the
permission model says: viewers read, editors write, owners and admins delete and manage members."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.tokens import TokenVerifier
from tests.support.inprocess import InProcessPlatform, inprocess_platform

ADMIN_CLAIMS = {"realm_access": {"roles": ["renku-admin"]}}
# Who plays each role on the private project `owner` creates; None is an anonymous caller.
ROLES: dict[str, str | None] = {
    "owner": "olga",
    "editor": "ed",
    "viewer": "vic",
    "admin": "ada",
    "non-member": "nina",
    "anonymous": None,
}
ERRORS = "errors { code field message }"
SETUP = f"""mutation($name: String!) {{
  createProject(input: {{name: $name, visibility: PRIVATE}}) {{ project {{ id etag }} {ERRORS} }}
}}"""
MEMBERS = f"""mutation($id: ID!, $members: [ProjectMemberInput!]!) {{
  setProjectMembers(id: $id, members: $members) {{ project {{ etag }} {ERRORS} }}
}}"""
MUTATIONS = {
    "createProject": f"""mutation {{
        createProject(input: {{name: "Mine"}}) {{ project {{ id }} {ERRORS} }} }}""",
    "updateProject": f"""mutation($id: ID!, $etag: String!) {{
        updateProject(id: $id, ifMatch: $etag, input: {{description: "edited"}}) {{
          project {{ description }} {ERRORS} }} }}""",
    "copyProject": f"""mutation($id: ID!) {{
        copyProject(input: {{projectId: $id, name: "Copied"}}) {{ project {{ templateId }}
          {ERRORS} }} }}""",
    "deleteProject": f"""mutation($id: ID!) {{
        deleteProject(id: $id) {{ id {ERRORS} }} }}""",
    "setProjectMembers": f"""mutation($id: ID!) {{
        setProjectMembers(id: $id, members: [{{userId: "{dev_subject("nina")}", role: VIEWER}}])
          {{ project {{ id }} {ERRORS} }} }}""",
    "removeProjectMember": f"""mutation($id: ID!) {{
        removeProjectMember(id: $id, userId: "{dev_subject("vic")}") {{ project {{ id }}
          {ERRORS} }} }}""",
}
ALLOWED = {
    "createProject": {"owner", "editor", "viewer", "admin", "non-member"},
    "updateProject": {"owner", "editor", "admin"},
    "copyProject": {"owner", "editor", "viewer", "admin"},
    "deleteProject": {"owner", "admin"},
    "setProjectMembers": {"owner", "admin"},
    "removeProjectMember": {"owner", "admin"},
}
# Anonymous callers are stopped by the router (`@authenticated` on every mutation) before any
# subgraph is called; the others are refused by the projects subgraph in the payload.
REFUSAL = {"anonymous": "UNAUTHORIZED_FIELD_OR_TYPE", "non-member": "NOT_FOUND"}


def token(issuer: DevIssuer, role: str) -> str | None:
    user = ROLES[role]
    if user is None:
        return None
    return issuer.sign(user, extra_claims=ADMIN_CLAIMS if role == "admin" else None)


async def private_project(
    platform: InProcessPlatform, issuer: DevIssuer, name: str
) -> dict[str, Any]:
    # Members must be users the directory knows: the embedded one learns each at sign-in.
    for role, user in ROLES.items():
        if user is not None:
            await platform.query("{ me { id } }", token(issuer, role))
    owner = token(issuer, "owner")
    created = (await platform.query(SETUP, owner, {"name": name}))["data"]["createProject"]
    assert created["errors"] == []
    members = [
        {"userId": dev_subject("ed"), "role": "EDITOR"},
        {"userId": dev_subject("vic"), "role": "VIEWER"},
    ]
    variables = {"id": created["project"]["id"], "members": members}
    changed = (await platform.query(MEMBERS, owner, variables))["data"]["setProjectMembers"]
    assert changed["errors"] == []
    return {"id": created["project"]["id"], "etag": changed["project"]["etag"]}


def _outcome(body: dict[str, Any], mutation: str) -> str:
    """`allowed`, or the code of the router's error or of the payload's first user error."""
    if body.get("errors"):
        assert body["data"] is None, body
        return str(body["errors"][0]["extensions"]["code"])
    errors = body["data"][mutation]["errors"]
    return str(errors[0]["code"]) if errors else "allowed"


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
async def test_each_role_is_allowed_or_refused(
    mutation: str, tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    outcomes: dict[str, str] = {}
    async with inprocess_platform(tmp_path, verifier, subgraphs=("users", "projects")) as platform:
        for index, role in enumerate(ROLES):
            project = await private_project(platform, dev_issuer, f"Matrix {index}")
            query = MUTATIONS[mutation]
            variables = {name: value for name, value in project.items() if f"${name}" in query}
            body = await platform.query(query, token(dev_issuer, role), variables)
            outcomes[role] = _outcome(body, mutation)
    expected = {
        role: "allowed" if role in ALLOWED[mutation] else REFUSAL.get(role, "FORBIDDEN")
        for role in ROLES
    }
    assert outcomes == expected

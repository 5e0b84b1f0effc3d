"""The project scenario through the router, with projects on the embedded store or on GitLab.

On `gitlab` the projects subgraph runs on the GitLab double (each caller's GitLab token from the
Keycloak double's broker endpoint) and the users subgraph on the Keycloak admin-API double, so
`createdBy` and members' usernames cross both production backends through the router. The
tokens are real ones from the test OpenID provider in both variants.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.projects.settings import ProjectsSettings
from renku_fed.subgraphs.users.settings import UsersSettings
from tests.support.doubles.world import GitLabWorld
from tests.support.inprocess import InProcessPlatform, inprocess_platform
from tests.support.oidc.provider import OidcProvider

pytest_plugins = ["tests.support.oidc.fixtures", "tests.support.doubles.fixtures"]

ERRORS = "errors { code field }"
FIELDS = """id slug namespace visibility description etag templateId repositories
  createdBy { id } members { role user { id } } permissions { write delete changeMembership }"""
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
READ = f"query($id: ID!) {{ project(id: $id) {{ {FIELDS} }} }}"
NAMES = """query($id: ID!) { project(id: $id) {
  createdBy { username isAdmin } members { role user { username } } } }"""


@pytest.fixture(params=["embedded", "gitlab"])
async def platform(
    request: pytest.FixtureRequest,
    gitlab_world: GitLabWorld,
    oidc_provider: OidcProvider,
    tmp_path: Path,
) -> AsyncIterator[InProcessPlatform]:
    """Users and projects behind the router, on the embedded backends or on GitLab/Keycloak."""
    settings: dict[str, BaseSettings] = {}
    if request.param == "gitlab":
        settings["projects"] = ProjectsSettings(
            data_dir=tmp_path / "gitlab",
            backend="gitlab",
            gitlab_url=gitlab_world.gitlab_url,
            gitlab_admin_token=SecretStr(gitlab_world.accounts["root"].token),
            keycloak_url=gitlab_world.keycloak_url,
        )
        settings["users"] = UsersSettings(
            data_dir=tmp_path / "keycloak",
            backend="keycloak",
            keycloak_url=gitlab_world.keycloak_url + "/",
            keycloak_client_id=oidc_provider.client_id,
            keycloak_client_secret=SecretStr(oidc_provider.client_secret),
        )
    verifier = TokenVerifier(AuthSettings(issuer=oidc_provider.issuer, audiences=["renku"]))
    async with inprocess_platform(
        tmp_path, verifier, subgraphs=("users", "projects"), subgraph_settings=settings
    ) as running:
        yield running


async def mutate(
    platform: InProcessPlatform, query: str, token: str | None, **variables: Any
) -> dict[str, Any]:
    body = await platform.query(query, token, variables)
    assert "errors" not in body, body
    payload: dict[str, Any] = next(iter(body["data"].values()))
    return payload


async def test_project_scenario_through_the_router(
    platform: InProcessPlatform,
    realm_tokens: dict[str, str],
    oidc_provider: OidcProvider,
    request: pytest.FixtureRequest,
) -> None:
    alice, bob, admin = (realm_tokens[name] for name in ("alice", "bob", "admin"))
    subs = {name: user.sub for name, user in oidc_provider.users.items()}

    created = await mutate(
        platform, CREATE, alice, input={"name": "Ocean Data", "description": "Buoys."}
    )
    assert created["errors"] == []
    project = created["project"]
    assert (project["namespace"], project["slug"], project["visibility"]) == (
        "alice",
        "ocean-data",
        "PRIVATE",
    )
    assert project["createdBy"] == {"id": subs["alice"]}
    assert project["members"] == [{"role": "OWNER", "user": {"id": subs["alice"]}}]
    assert (await platform.query(READ, bob, {"id": project["id"]}))["data"]["project"] is None
    assert (await platform.query(READ, None, {"id": project["id"]}))["data"]["project"] is None

    # Members must be users the directory knows; the embedded one learns bob when he signs in.
    assert (await platform.query("{ me { id } }", bob))["data"]["me"] == {"id": subs["bob"]}
    members = [{"userId": subs["bob"], "role": "EDITOR"}]
    shared = await mutate(platform, SET_MEMBERS, alice, id=project["id"], members=members)
    assert shared["errors"] == []
    assert {"role": "EDITOR", "user": {"id": subs["bob"]}} in shared["project"]["members"]
    as_bob = (await platform.query(READ, bob, {"id": project["id"]}))["data"]["project"]
    assert as_bob["permissions"] == {"write": True, "delete": False, "changeMembership": False}

    change = {
        "id": project["id"],
        "etag": as_bob["etag"],
        "input": {"description": "Buoys, cleaned."},
    }
    updated = await mutate(platform, UPDATE, bob, **change)
    assert updated["errors"] == [] and updated["project"]["description"] == "Buoys, cleaned."
    stale = await mutate(platform, UPDATE, bob, **{**change, "input": {"description": "Lost"}})
    assert stale["errors"] == [{"code": "CONFLICT", "field": "ifMatch"}]

    copied = await mutate(
        platform, COPY, bob, input={"projectId": project["id"], "name": "My Ocean"}
    )
    assert copied["errors"] == []
    assert (copied["project"]["namespace"], copied["project"]["templateId"]) == (
        "bob",
        project["id"],
    )

    refused = await mutate(platform, DELETE, bob, id=project["id"])
    assert refused["errors"] == [{"code": "FORBIDDEN", "field": "id"}]
    removed = await mutate(platform, REMOVE_MEMBER, alice, id=project["id"], user=subs["bob"])
    assert removed["errors"] == []
    assert (await platform.query(READ, bob, {"id": project["id"]}))["data"]["project"] is None
    anonymous = await platform.query(CREATE, None, {"input": {"name": "Nope"}})
    # Refused by the router (`@authenticated`) or, behind it, by the subgraph's payload.
    payload = (anonymous.get("data") or {}).get("createProject") or {}
    codes = {e["extensions"]["code"] for e in anonymous.get("errors", [])}
    codes |= {e["code"] for e in payload.get("errors", [])}
    assert payload.get("project") is None
    assert codes & {"UNAUTHENTICATED", "UNAUTHORIZED_FIELD_OR_TYPE"}

    if request.node.callspec.params["platform"] == "gitlab":
        names = (await platform.query(NAMES, alice, {"id": project["id"]}))["data"]["project"]
        assert names["createdBy"] == {"username": "alice", "isAdmin": False}
        assert names["members"] == [{"role": "OWNER", "user": {"username": "alice"}}]

    deleted = await mutate(platform, DELETE, admin, id=project["id"])
    assert deleted == {"id": project["id"], "errors": []}
    assert (await platform.query(READ, alice, {"id": project["id"]}))["data"]["project"] is None

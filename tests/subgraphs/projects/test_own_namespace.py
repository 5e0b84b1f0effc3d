"""A project created without a namespace lands in the caller's own namespace, as the users
subgraph chose it: `carol-2` when a group held `carol` before carol first signed in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.projects.app import build_app
from renku_fed.subgraphs.projects.backends.users_service import UsersServiceNamespaces
from renku_fed.subgraphs.projects.settings import ProjectsSettings
from renku_fed.subgraphs.users.app import build_app as build_users_app
from renku_fed.subgraphs.users.settings import UsersSettings
from tests.support.ports import free_port

Post = Callable[..., Coroutine[Any, Any, dict[str, Any]]]

CREATE = """mutation($input: CreateProjectInput!) { createProject(input: $input) {
  project { id namespace slug } errors { code field message } } }"""
COPY = """mutation($input: CopyProjectInput!) { copyProject(input: $input) {
  project { namespace slug } errors { code field } } }"""
BY_ID = "query($id: ID!) { project(id: $id) { id } }"
IN_NAMESPACE = "query($ns: String!) { projects(namespace: $ns) { totalCount } }"
GROUP = """mutation { createGroup(input: {slug: "carol", name: "Carol Lab"}) {
  errors { code } } }"""
MEMBERS = """mutation($members: [GroupMemberInput!]!) {
  setGroupMembers(slug: "carol", members: $members) { errors { code } } }"""


def _client(app: Starlette, base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


def _poster(client: httpx.AsyncClient, dev_issuer: DevIssuer) -> Post:
    async def send(query: str, user: str, **variables: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {dev_issuer.sign(user)}"}
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        body: dict[str, Any] = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]

    return send


@pytest.fixture
async def services(
    tmp_path: Path, verifier: TokenVerifier, dev_issuer: DevIssuer
) -> AsyncIterator[tuple[Post, Post]]:
    """POST to a users app and to a projects app that asks it, both without demo data."""
    users_app = build_users_app(
        UsersSettings(data_dir=tmp_path / "users", projects_url=None), verifier
    )
    async with (
        _client(users_app, "http://users") as users_client,
        _client(users_app, "http://users") as namespaces_client,
    ):
        namespaces = UsersServiceNamespaces("http://users/graphql", namespaces_client)
        settings = ProjectsSettings(data_dir=tmp_path / "projects", kg_events_url=None)
        async with _client(build_app(settings, verifier, namespaces), "http://p") as client:
            yield _poster(users_client, dev_issuer), _poster(client, dev_issuer)


async def _create(projects: Post, user: str, **fields: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await projects(CREATE, user, input=fields))["createProject"]
    return payload


async def test_a_project_of_carol_goes_to_her_numbered_namespace_not_the_group(
    services: tuple[Post, Post],
) -> None:
    users, projects = services
    await users("{ me { id } }", "erin")
    assert (await users(GROUP, "dave"))["createGroup"]["errors"] == []
    members = [{"userId": dev_subject("erin"), "role": "EDITOR"}]
    assert (await users(MEMBERS, "dave", members=members))["setGroupMembers"]["errors"] == []
    me = (await users("{ me { namespace namespaceNotice } }", "carol"))["me"]
    assert me["namespace"] == "carol-2" and "group 'Carol Lab'" in me["namespaceNotice"]

    created = await _create(projects, "carol", name="Notes")
    assert created["errors"] == []
    assert (created["project"]["namespace"], created["project"]["slug"]) == ("carol-2", "notes")
    project_id = created["project"]["id"]
    for group_member in ("dave", "erin"):
        assert (await projects(BY_ID, group_member, id=project_id))["project"] is None
        counted = await projects(IN_NAMESPACE, group_member, ns="carol")
        assert counted["projects"]["totalCount"] == 0
    assert (await projects(BY_ID, "carol", id=project_id))["project"] == {"id": project_id}

    copied = await projects(COPY, "carol", input={"projectId": project_id, "name": "Copy"})
    assert copied["copyProject"]["project"] == {"namespace": "carol-2", "slug": "copy"}


async def test_carol_cannot_create_in_the_groups_namespace_of_her_username(
    services: tuple[Post, Post],
) -> None:
    users, projects = services
    await users(GROUP, "dave")
    refused = await _create(projects, "carol", name="Notes", namespace="carol")
    assert refused["project"] is None
    [error] = refused["errors"]
    assert (error["code"], error["field"]) == ("FORBIDDEN", "namespace")
    assert "your own namespace 'carol-2'" in error["message"]


async def test_a_plain_user_creates_in_their_username(services: tuple[Post, Post]) -> None:
    _, projects = services
    created = await _create(projects, "dave", name="Plain")
    assert created["project"]["namespace"] == "dave"
    mine = await _create(projects, "dave", name="Mine", namespace="dave")
    assert mine["errors"] == [] and mine["project"]["namespace"] == "dave"


async def test_without_the_users_service_no_namespace_is_guessed(
    tmp_path: Path, verifier: TokenVerifier, dev_issuer: DevIssuer
) -> None:
    down = UsersServiceNamespaces(f"http://127.0.0.1:{free_port()}/graphql")
    settings = ProjectsSettings(data_dir=tmp_path / "projects", kg_events_url=None)
    async with _client(build_app(settings, verifier, down), "http://p") as client:
        refused = await _create(_poster(client, dev_issuer), "dave", name="Plain")
    await down.aclose()
    assert refused["project"] is None
    [error] = refused["errors"]
    assert (error["code"], error["field"]) == ("UNAVAILABLE", "namespace")
    assert "did not say which namespace is yours" in error["message"]

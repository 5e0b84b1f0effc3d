"""The projects subgraph through its GraphQL API: contract, visibility, mutations, paging."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.common.demo import ALICE, BOB, CLIMATE, FLIGHTS, SECRET_NOTES
from renku_fed.subgraphs.projects.app import build_app
from renku_fed.subgraphs.projects.backends.users_service import UsersServiceNamespaces
from renku_fed.subgraphs.projects.settings import ProjectsSettings
from renku_fed.subgraphs.users.app import build_app as build_users_app
from renku_fed.subgraphs.users.settings import UsersSettings

Post = Callable[..., Coroutine[Any, Any, dict[str, Any]]]

ADMIN = {"realm_access": {"roles": ["renku-admin"]}}
CREATE = """mutation($input: CreateProjectInput!) { createProject(input: $input) {
    project { id name slug namespace visibility description keywords repositories etag
              createdBy { id } members { role user { id } }
              permissions { write delete changeMembership } }
    errors { code message field } } }"""
DELETE = """mutation($id: ID!) { deleteProject(id: $id) { id errors { code message field } } }"""
BY_ID = "query($id: ID!) { project(id: $id) { id slug } }"
LIST = """query($after: String, $first: Int, $search: String, $namespace: String,
               $visibility: Visibility) {
    projects(after: $after, first: $first, search: $search, namespace: $namespace,
             visibility: $visibility) {
      totalCount edges { cursor node { id slug } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""


@pytest.fixture
async def post(
    tmp_path: Path, verifier: TokenVerifier, dev_issuer: DevIssuer
) -> AsyncIterator[Post]:
    """POST a GraphQL operation to a demo-seeded projects app, as `user` (None: anonymous)."""
    users_app = build_users_app(
        UsersSettings(data_dir=tmp_path / "users", seed_demo=True), verifier
    )
    users_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=users_app))
    namespaces = UsersServiceNamespaces("http://users/graphql", users_client)
    settings = ProjectsSettings(data_dir=tmp_path / "projects", seed_demo=True)
    app = build_app(settings, verifier, namespaces)
    transport = httpx.ASGITransport(app=app)
    async with (
        users_client,
        httpx.AsyncClient(transport=transport, base_url="http://projects") as client,
    ):

        async def send(
            query: str,
            variables: dict[str, Any] | None = None,
            user: str | None = None,
            claims: dict[str, Any] | None = None,
        ) -> dict[str, Any]:
            headers = {}
            if user is not None:
                token = dev_issuer.sign(user, extra_claims=claims)
                headers["Authorization"] = f"Bearer {token}"
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
            )
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

        yield send


async def create(post: Post, user: str | None, **fields: Any) -> dict[str, Any]:
    result = await post(CREATE, {"input": fields}, user=user)
    payload: dict[str, Any] = result["data"]["createProject"]
    return payload


async def slugs(
    post: Post, user: str | None = None, claims: dict[str, Any] | None = None, **variables: Any
) -> list[str]:
    result = await post(LIST, variables, user=user, claims=claims)
    return [edge["node"]["slug"] for edge in result["data"]["projects"]["edges"]]


async def test_sdl_declares_the_contract(post: Post) -> None:
    sdl = (await post("{ _service { sdl } }"))["data"]["_service"]["sdl"]
    assert 'type Project @key(fields: "id")' in sdl
    assert 'type User @key(fields: "id")' in sdl
    assert "projects(first: Int = 20, after: String" in sdl
    assert "enum Visibility {\n  PUBLIC\n  PRIVATE\n}" in sdl
    assert "enum Role {\n  VIEWER\n  EDITOR\n  OWNER\n}" in sdl
    for field in (
        "repositories: [String!]!",
        "createdBy: User!",
        "creationDate: DateTime!",
        "etag: String!",
        "members: [ProjectMember!]!",
        "permissions: ProjectPermissions!",
        "createProject(input: CreateProjectInput!): ProjectPayload!",
        "deleteProject(id: ID!): DeleteProjectPayload!",
        "visibility: Visibility = PRIVATE",
    ):
        assert field in sdl


async def test_anonymous_callers_see_public_projects_only(post: Post) -> None:
    assert await slugs(post) == ["flights", "climate"]
    assert (await post(BY_ID, {"id": SECRET_NOTES.id}))["data"]["project"] is None
    assert (await post(BY_ID, {"id": FLIGHTS.id}))["data"]["project"]["slug"] == "flights"


async def test_private_projects_are_visible_to_members_and_admins_only(post: Post) -> None:
    assert await slugs(post, user="alice") == ["flights", "secret-notes", "climate"]
    assert await slugs(post, user="bob") == ["flights", "climate"]
    assert len(await slugs(post, user="carol", claims=ADMIN)) == 3
    by_slug = 'query { projectBySlug(namespace: "alice", slug: "secret-notes") { id } }'
    assert (await post(by_slug, user="bob"))["data"]["projectBySlug"] is None
    assert (await post(by_slug, user="alice"))["data"]["projectBySlug"] == {"id": SECRET_NOTES.id}


async def test_projects_filters_by_search_namespace_and_visibility(post: Post) -> None:
    assert await slugs(post, search="TEMPERATURE") == ["climate"]
    assert await slugs(post, user="alice", namespace="alice") == ["flights", "secret-notes"]
    assert await slugs(post, user="alice", visibility="PRIVATE") == ["secret-notes"]


async def test_members_permissions_and_creator_follow_roles(post: Post) -> None:
    query = """query($id: ID!) { project(id: $id) { createdBy { id }
        members { role user { id } } permissions { write delete changeMembership } } }"""
    as_bob = (await post(query, {"id": FLIGHTS.id}, user="bob"))["data"]["project"]
    assert as_bob["createdBy"] == {"id": ALICE.id}
    assert as_bob["members"] == [
        {"role": "OWNER", "user": {"id": ALICE.id}},
        {"role": "VIEWER", "user": {"id": BOB.id}},
    ]
    assert as_bob["permissions"] == {"write": False, "delete": False, "changeMembership": False}
    editor = (await post(query, {"id": CLIMATE.id}, user="alice"))["data"]["project"]
    assert editor["permissions"] == {"write": True, "delete": False, "changeMembership": False}
    admin = (await post(query, {"id": CLIMATE.id}, user="carol", claims=ADMIN))["data"]
    assert admin["project"]["permissions"] == {
        "write": True,
        "delete": True,
        "changeMembership": True,
    }


async def test_entities_resolve_visible_projects_and_null_otherwise(post: Post) -> None:
    query = """query($reps: [_Any!]!) { _entities(representations: $reps) {
        ... on Project { id slug } } }"""
    reps = [
        {"__typename": "Project", "id": FLIGHTS.id},
        {"__typename": "Project", "id": SECRET_NOTES.id},
        {"__typename": "Project", "id": "01JUNKNOWN0000000000000000"},
    ]
    anonymous = (await post(query, {"reps": reps}))["data"]["_entities"]
    assert anonymous == [{"id": FLIGHTS.id, "slug": "flights"}, None, None]
    owner = (await post(query, {"reps": reps}, user="alice"))["data"]["_entities"]
    assert owner[1] == {"id": SECRET_NOTES.id, "slug": "secret-notes"}


async def test_user_projects_are_filtered_by_the_caller(post: Post) -> None:
    query = """query($reps: [_Any!]!) { _entities(representations: $reps) {
        ... on User { id projects { totalCount edges { node { slug } } } } } }"""
    reps = [{"__typename": "User", "id": ALICE.id}, {"__typename": "User", "id": "nobody"}]

    def listed(result: dict[str, Any]) -> list[list[str]]:
        users = result["data"]["_entities"]
        return [[e["node"]["slug"] for e in u["projects"]["edges"]] for u in users]

    assert listed(await post(query, {"reps": reps})) == [["flights", "climate"], []]
    assert listed(await post(query, {"reps": reps}, user="alice")) == [
        ["flights", "secret-notes", "climate"],
        [],
    ]


async def test_an_owner_creates_a_project_with_derived_slug(post: Post) -> None:
    payload = await create(
        post, "dave", name="My Renku Project :)", description="Hi", keywords=["a", "a", "b"]
    )
    assert payload["errors"] == []
    project = payload["project"]
    assert project["slug"] == "my-renku-project"
    assert project["namespace"] == "dave"
    assert project["visibility"] == "PRIVATE"
    assert project["keywords"] == ["a", "b"]
    assert project["createdBy"] == {"id": dev_subject("dave")}
    assert project["members"] == [{"role": "OWNER", "user": {"id": dev_subject("dave")}}]
    assert project["permissions"] == {"write": True, "delete": True, "changeMembership": True}
    assert project["repositories"][0].startswith("file:///")
    assert len(project["etag"]) == 32
    assert (await post(BY_ID, {"id": project["id"]}, user="dave"))["data"]["project"]
    assert (await post(BY_ID, {"id": project["id"]}, user="bob"))["data"]["project"] is None


async def test_create_requires_authentication(post: Post) -> None:
    payload = await create(post, None, name="x")
    assert payload["project"] is None
    assert payload["errors"][0]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"name": "x", "namespace": "bob"}, "FORBIDDEN", "namespace"),
        ({"name": "x", "slug": "Upper"}, "BAD_USER_INPUT", "slug"),
        ({"name": "x", "slug": "a..b"}, "BAD_USER_INPUT", "slug"),
        ({"name": "x", "slug": "repo.git"}, "BAD_USER_INPUT", "slug"),
        ({"name": "!!!"}, "BAD_USER_INPUT", "slug"),
        ({"name": " "}, "BAD_USER_INPUT", "name"),
        ({"name": "n" * 100}, "BAD_USER_INPUT", "name"),
        ({"name": "x", "description": "d" * 501}, "BAD_USER_INPUT", "description"),
        ({"name": "x", "keywords": [""]}, "BAD_USER_INPUT", "keywords"),
        ({"name": "flights"}, "CONFLICT", "slug"),
    ],
)
async def test_invalid_creates_are_user_errors_without_writes(
    post: Post, fields: dict[str, Any], code: str, field: str
) -> None:
    payload = await create(post, "alice", **fields)
    assert payload["project"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert f"`{field}`" in payload["errors"][0]["message"]
    assert await slugs(post, user="alice") == ["flights", "secret-notes", "climate"]


async def test_delete_is_for_owners_and_admins_only(post: Post) -> None:
    refusals = [
        (None, FLIGHTS.id, "UNAUTHENTICATED"),
        ("bob", FLIGHTS.id, "FORBIDDEN"),
        ("alice", CLIMATE.id, "FORBIDDEN"),
        ("bob", SECRET_NOTES.id, "NOT_FOUND"),
        ("bob", "01JUNKNOWN0000000000000000", "NOT_FOUND"),
    ]
    for user, project_id, code in refusals:
        payload = (await post(DELETE, {"id": project_id}, user=user))["data"]["deleteProject"]
        assert payload["id"] is None
        assert payload["errors"][0]["code"] == code, (user, project_id)
    assert await slugs(post, user="alice") == ["flights", "secret-notes", "climate"]

    owner = (await post(DELETE, {"id": FLIGHTS.id}, user="alice"))["data"]["deleteProject"]
    assert owner == {"id": FLIGHTS.id, "errors": []}
    admin = await post(DELETE, {"id": CLIMATE.id}, user="carol", claims=ADMIN)
    assert admin["data"]["deleteProject"]["errors"] == []
    assert await slugs(post, user="alice") == ["secret-notes"]
    assert (await post(BY_ID, {"id": FLIGHTS.id}, user="alice"))["data"]["project"] is None


async def test_pagination_is_stable_over_many_projects(post: Post) -> None:
    created = []
    for number in range(30):
        payload = await create(post, "dave", name=f"Project {number}", visibility="PUBLIC")
        created.append(payload["project"]["slug"])
    seen: list[str] = []
    cursor = None
    total = 30
    while True:
        page = (await post(LIST, {"first": 7, "after": cursor, "namespace": "dave"}))["data"]
        connection = page["projects"]
        assert connection["totalCount"] == total
        seen += [edge["node"]["slug"] for edge in connection["edges"]]
        assert connection["pageInfo"]["hasPreviousPage"] is (cursor is not None)
        cursor = connection["pageInfo"]["endCursor"]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        if len(seen) == 14:
            await create(post, "dave", name="Late arrival", visibility="PUBLIC")
            total += 1
    assert seen[:30] == created
    assert seen[30:] == ["late-arrival"]
    again = (await post(LIST, {"first": 1, "after": cursor}))["data"]["projects"]
    assert again["edges"] == [] and again["pageInfo"]["endCursor"] is None


async def test_bad_page_arguments_are_graphql_errors_with_codes(post: Post) -> None:
    too_many = await post(LIST, {"first": 101})
    assert too_many["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    foreign = await post(LIST, {"after": "eyJ1c2VybmFtZSI6ImEiLCJpZCI6ImIifQ"})
    assert foreign["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}

"""Users' own namespaces: chosen at the first sign-in, suffixed when a group holds the username."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.users.app import build_app
from renku_fed.subgraphs.users.backends.embedded import EmbeddedUserDirectory
from renku_fed.subgraphs.users.models import UserRecord
from renku_fed.subgraphs.users.settings import UsersSettings

Post = Callable[..., Coroutine[Any, Any, dict[str, Any]]]

ME = "{ me { username namespace namespaceNotice } }"
CREATE_GROUP = """mutation($slug: String!) {
  createGroup(input: {slug: $slug, name: "Carol Lab"}) { group { slug } errors { code field } } }"""
RENAME_GROUP = """mutation($slug: String!, $to: String!) {
  updateGroup(slug: $slug, input: {slug: $to}) { group { slug } errors { code field } } }"""
DELETE_GROUP = """mutation($slug: String!) { deleteGroup(slug: $slug) { id errors { code } } }"""
NAMESPACE = "query($slug: String!) { namespace(slug: $slug) { id kind slug role } }"
NOTICE = (
    "Your username 'carol' was already the namespace of group 'Carol Lab', so your projects "
    "live under 'carol-2'."
)


@pytest.fixture
async def post(
    tmp_path: Path, verifier: TokenVerifier, dev_issuer: DevIssuer
) -> AsyncIterator[Post]:
    """POST a GraphQL operation to a users app with no demo users, as `user`."""
    settings = UsersSettings(data_dir=tmp_path / "users", projects_url=None)
    app = build_app(settings, verifier)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://users") as client:

        async def send(query: str, user: str | None = None, **variables: Any) -> dict[str, Any]:
            headers = {}
            if user is not None:
                headers["Authorization"] = f"Bearer {dev_issuer.sign(user)}"
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            assert "errors" not in body, body
            return body["data"]

        yield send


async def _carol_after_her_group(post: Post) -> dict[str, Any]:
    created = await post(CREATE_GROUP, user="dave", slug="carol")
    assert created["createGroup"] == {"group": {"slug": "carol"}, "errors": []}
    me: dict[str, Any] = (await post(ME, user="carol"))["me"]
    return me


async def test_a_user_whose_username_a_group_holds_gets_a_numbered_namespace(post: Post) -> None:
    me = await _carol_after_her_group(post)
    assert me == {"username": "carol", "namespace": "carol-2", "namespaceNotice": NOTICE}
    group = (await post(NAMESPACE, user="carol", slug="carol"))["namespace"]
    assert group["kind"] == "GROUP" and group["role"] is None
    own = (await post(NAMESPACE, user="carol", slug="carol-2/some-project"))["namespace"]
    assert own == {"id": dev_subject("carol"), "kind": "USER", "slug": "carol-2", "role": "OWNER"}
    listed = await post("{ namespaces(kind: USER) { edges { node { slug } } } }", user="carol")
    assert listed["namespaces"]["edges"] == [{"node": {"slug": "carol-2"}}]


async def test_only_the_user_sees_their_notice(post: Post) -> None:
    await _carol_after_her_group(post)
    query = "query($id: ID!) { user(id: $id) { namespace namespaceNotice } }"
    seen = (await post(query, user="dave", id=dev_subject("carol")))["user"]
    assert seen == {"namespace": "carol-2", "namespaceNotice": None}


async def test_no_group_can_take_a_users_namespace(post: Post) -> None:
    await _carol_after_her_group(post)
    refused = (await post(CREATE_GROUP, user="dave", slug="carol-2"))["createGroup"]
    assert refused == {"group": None, "errors": [{"code": "CONFLICT", "field": "slug"}]}
    renamed = (await post(RENAME_GROUP, user="dave", slug="carol", to="carol-2"))["updateGroup"]
    assert renamed == {"group": None, "errors": [{"code": "CONFLICT", "field": "input.slug"}]}


async def test_the_namespace_stays_when_the_group_goes(post: Post) -> None:
    await _carol_after_her_group(post)
    assert (await post(DELETE_GROUP, user="dave", slug="carol"))["deleteGroup"]["errors"] == []
    assert (await post(ME, user="carol"))["me"]["namespace"] == "carol-2"
    assert (await post(NAMESPACE, user="dave", slug="carol"))["namespace"] is None


async def test_the_next_number_skips_taken_slugs_and_usernames(post: Post) -> None:
    await _carol_after_her_group(post)
    assert (await post(ME, user="carol-3"))["me"]["namespace"] == "carol-3"
    await post(CREATE_GROUP, user="dave", slug="erin")
    await post(CREATE_GROUP, user="dave", slug="erin-2")
    await post(ME, user="erin-3")
    me = (await post(ME, user="erin"))["me"]
    assert me["namespace"] == "erin-4"
    assert me["namespaceNotice"].startswith("Your username 'erin' was already the namespace")


async def test_a_plain_user_keeps_their_username_without_a_notice(post: Post) -> None:
    me = (await post(ME, user="dave"))["me"]
    assert me == {"username": "dave", "namespace": "dave", "namespaceNotice": None}
    found = (await post(NAMESPACE, user="dave", slug="dave"))["namespace"]
    assert found["kind"] == "USER" and found["role"] == "OWNER"


async def test_a_username_that_is_no_slug_gets_one(post: Post) -> None:
    me = (await post(ME, user="Jane.Doe@example.org"))["me"]
    assert me["namespace"] == "jane.doe-example.org"
    assert "cannot be a namespace as it is" in me["namespaceNotice"]


async def test_a_user_who_never_signed_in_is_shown_the_namespace_they_would_get(
    tmp_path: Path, post: Post
) -> None:
    await post(CREATE_GROUP, user="dave", slug="frank")
    # The identity provider creates frank's account after the group took the slug.
    EmbeddedUserDirectory(tmp_path / "users").store([UserRecord(dev_subject("frank"), "frank")])
    query = '{ userByUsername(username: "frank") { namespace } }'
    assert (await post(query))["userByUsername"] == {"namespace": "frank-2"}
    assert (await post(NAMESPACE, user="dave", slug="frank"))["namespace"]["kind"] == "GROUP"
    assert (await post(NAMESPACE, user="dave", slug="frank-2"))["namespace"]["kind"] == "USER"

"""The users subgraph through its GraphQL API: contract, entities, registration, privacy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.tokens import Identity, TokenVerifier
from renku_fed.subgraphs.common.demo import ALICE, BOB, CAROL
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.users.app import build_app
from renku_fed.subgraphs.users.backends.embedded import EmbeddedUserDirectory
from renku_fed.subgraphs.users.demo import seed_demo
from renku_fed.subgraphs.users.settings import UsersSettings

Post = Callable[..., Coroutine[Any, Any, dict[str, Any]]]

USER_FIELDS = "id username email firstName lastName displayName isAdmin"
ADMIN = {"realm_access": {"roles": ["renku-admin"]}}


def client_for(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://users")


@pytest.fixture
async def post(
    tmp_path: Path, verifier: TokenVerifier, dev_issuer: DevIssuer
) -> AsyncIterator[Post]:
    """POST a GraphQL operation to a demo-seeded users app, as `user` (None: anonymous)."""
    app = build_app(UsersSettings(data_dir=tmp_path / "users", seed_demo=True), verifier)
    async with client_for(app) as client:

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


async def test_sdl_declares_the_user_entity_and_queries(post: Post) -> None:
    sdl = (await post("{ _service { sdl } }"))["data"]["_service"]["sdl"]
    assert 'type User @key(fields: "id")' in sdl
    for field in (
        "username: String!",
        "email: String",
        "displayName: String!",
        "isAdmin: Boolean!",
    ):
        assert field in sdl
    assert "me: User" in sdl
    assert "userByUsername(username: String!): User" in sdl
    assert "users(search: String" in sdl and "): UserConnection!" in sdl
    assert "totalCount: Int!" in sdl and "type UserEdge" in sdl


async def test_me_is_null_for_anonymous_callers(post: Post) -> None:
    assert (await post("{ me { id } }")) == {"data": {"me": None}}


async def test_me_registers_a_new_user_from_token_claims(post: Post) -> None:
    before = await post('{ userByUsername(username: "dave") { id } }')
    assert before["data"]["userByUsername"] is None
    me = (await post(f"{{ me {{ {USER_FIELDS} }} }}", user="dave"))["data"]["me"]
    assert me == {
        "id": dev_subject("dave"),
        "username": "dave",
        "email": "dave@example.org",
        "firstName": "Dave",
        "lastName": "Demo",
        "displayName": "Dave Demo",
        "isAdmin": False,
    }
    found = await post('{ userByUsername(username: "dave") { id username } }', user="alice")
    assert found["data"]["userByUsername"] == {"id": dev_subject("dave"), "username": "dave"}


async def test_me_updates_a_known_user_and_takes_admin_from_the_token(post: Post) -> None:
    claims = {"given_name": "Alicia", "family_name": None, **ADMIN}
    me = await post("{ me { firstName displayName isAdmin } }", user="alice", claims=claims)
    assert me["data"]["me"] == {"firstName": "Alicia", "displayName": "Alicia", "isAdmin": True}
    seen_by_bob = await post(
        "query($id: ID!) { user(id: $id) { firstName isAdmin } }", {"id": ALICE.id}, user="bob"
    )
    assert seen_by_bob["data"]["user"] == {"firstName": "Alicia", "isAdmin": True}


async def test_email_is_visible_to_the_user_and_admins_only(post: Post) -> None:
    query = "query($id: ID!) { user(id: $id) { username email } }"
    own = await post(query, {"id": ALICE.id}, user="alice")
    assert own["data"]["user"] == {"username": "alice", "email": "alice@example.org"}
    other = await post(query, {"id": ALICE.id}, user="bob")
    assert other["data"]["user"] == {"username": "alice", "email": None}
    anonymous = await post(query, {"id": ALICE.id})
    assert anonymous["data"]["user"]["email"] is None
    admin = await post(query, {"id": ALICE.id}, user="carol", claims=ADMIN)
    assert admin["data"]["user"]["email"] == "alice@example.org"


async def test_users_refuses_anonymous_callers_with_unauthenticated(post: Post) -> None:
    result = await post("{ users { totalCount } }")
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert result["errors"][0]["path"] == ["users"]


async def test_users_pages_in_username_order(post: Post) -> None:
    query = """query($after: String) { users(first: 2, after: $after) {
        totalCount edges { cursor node { username } }
        pageInfo { hasNextPage hasPreviousPage endCursor } } }"""
    first = (await post(query, user="bob"))["data"]["users"]
    assert [e["node"]["username"] for e in first["edges"]] == ["alice", "bob"]
    assert first["totalCount"] == 3
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"]
    second = (await post(query, {"after": first["pageInfo"]["endCursor"]}, user="bob"))["data"]
    page = second["users"]
    assert [e["node"]["username"] for e in page["edges"]] == ["carol"]
    assert page["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": page["edges"][0]["cursor"],
    }


async def test_users_search_matches_names_and_escapes_wildcards(post: Post) -> None:
    query = "query($q: String) { users(search: $q) { totalCount edges { node { username } } } }"
    found = (await post(query, {"q": "danv"}, user="alice"))["data"]["users"]
    assert found == {"totalCount": 1, "edges": [{"node": {"username": "carol"}}]}
    wildcard = (await post(query, {"q": "%"}, user="alice"))["data"]["users"]
    assert wildcard["totalCount"] == 0


async def test_a_foreign_cursor_is_a_bad_user_input_error(post: Post) -> None:
    result = await post('{ users(after: "bm9wZQ") { totalCount } }', user="alice")
    assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
    too_many = await post("{ users(first: 101) { totalCount } }", user="alice")
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_entities_resolve_known_ids_and_null_for_unknown_ones(post: Post) -> None:
    query = """query($reps: [_Any!]!) { _entities(representations: $reps) {
        ... on User { id username displayName } } }"""
    reps = [{"__typename": "User", "id": BOB.id}, {"__typename": "User", "id": "nobody"}]
    result = await post(query, {"reps": reps})
    assert result["data"]["_entities"] == [
        {"id": BOB.id, "username": "bob", "displayName": "Bob Builder"},
        None,
    ]


async def test_unexpected_failures_are_masked(post: Post, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(self: EmbeddedUserDirectory, user_id: str) -> None:
        raise RuntimeError("disk on fire at /secret/path")

    monkeypatch.setattr(EmbeddedUserDirectory, "get", broken)
    result = await post('{ user(id: "x") { id } }')
    assert "disk on fire" not in str(result)
    assert result["errors"][0]["message"].startswith("Internal error")


async def test_an_invalid_token_is_refused_with_401(
    tmp_path: Path, verifier: TokenVerifier
) -> None:
    app = build_app(UsersSettings(data_dir=tmp_path), verifier)
    async with client_for(app) as client:
        response = await client.post(
            "/graphql", json={"query": "{ me { id } }"}, headers={"Authorization": "Bearer x.y"}
        )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_dev_issuer_is_served_only_when_configured(
    tmp_path: Path, verifier: TokenVerifier, dev_issuer: DevIssuer
) -> None:
    discovery = "/realms/renku/.well-known/openid-configuration"
    issuer_dir = tmp_path / "dev-issuer"
    with_issuer = build_app(
        UsersSettings(data_dir=tmp_path / "a", dev_issuer_dir=issuer_dir), verifier
    )
    async with client_for(with_issuer) as client:
        document = (await client.get(discovery)).json()
        keys = (await client.get("/realms/renku/protocol/openid-connect/certs")).json()
    assert document["issuer"] == dev_issuer.issuer
    assert keys == dev_issuer.jwks()
    without = build_app(UsersSettings(data_dir=tmp_path / "b"), verifier)
    async with client_for(without) as client:
        assert (await client.get(discovery)).status_code == 404


async def test_demo_users_are_seeded_only_into_an_empty_directory(tmp_path: Path) -> None:
    fresh = EmbeddedUserDirectory(tmp_path / "fresh")
    assert seed_demo(fresh) is True
    assert seed_demo(fresh) is False
    page = await fresh.search(None, PageRequest.of(10, None))
    assert [u.id for u in page.items] == [ALICE.id, BOB.id, CAROL.id]

    used = EmbeddedUserDirectory(tmp_path / "used")
    await used.sync(Identity(subject="s-1", username="dave"))
    assert seed_demo(used) is False
    assert await used.get(ALICE.id) is None


async def test_a_username_taken_over_at_the_provider_moves_to_the_new_subject(
    tmp_path: Path,
) -> None:
    directory = EmbeddedUserDirectory(tmp_path)
    await directory.sync(Identity(subject="old", username="eve"))
    await directory.sync(Identity(subject="new", username="eve"))
    holder = await directory.get_by_username("eve")
    assert holder is not None and holder.id == "new"
    previous = await directory.get("old")
    assert previous is not None and previous.username == "old"

"""The Keycloak user directory with python-keycloak against the admin-API double.

The service account's token comes from the real OpenID provider (client credentials), through
the double, which passes every `/realms/` call on to it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from keycloak import KeycloakAdmin

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.pagination import PageRequest, encode_cursor
from renku_fed.subgraphs.users.backends.keycloak import (
    KeycloakUserDirectory,
    user_from_representation,
)
from tests.support.doubles.keycloak import KeycloakUser
from tests.support.doubles.world import GitLabWorld
from tests.support.oidc.provider import OTHER_CLIENT, OidcProvider

pytest_plugins = ["tests.support.oidc.fixtures", "tests.support.doubles.fixtures"]


def admin_client(
    world: GitLabWorld, provider: OidcProvider, client: str = "renku"
) -> KeycloakAdmin:
    return KeycloakAdmin(
        server_url=world.keycloak_url + "/",
        realm_name=provider.realm,
        client_id=client,
        client_secret_key=provider.clients[client],
    )


@pytest.fixture
async def directory(
    gitlab_world: GitLabWorld, oidc_provider: OidcProvider
) -> AsyncIterator[KeycloakUserDirectory]:
    admin = admin_client(gitlab_world, oidc_provider)
    yield KeycloakUserDirectory(admin)
    await admin.connection.aclose()


def test_user_representation_maps_to_an_account() -> None:
    representation = {
        "id": "u-1",
        "username": "alice",
        "email": "alice@example.org",
        "firstName": "Alice",
        "lastName": "",
        "enabled": True,
    }
    user = user_from_representation(representation, frozenset({"u-1"}))
    assert (user.id, user.username, user.email) == ("u-1", "alice", "alice@example.org")
    assert (user.first_name, user.last_name, user.is_admin) == ("Alice", None, True)
    assert user.display_name == "Alice"
    assert not user_from_representation(representation, frozenset()).is_admin


async def test_get_reads_the_realm_user_and_admin_role(
    directory: KeycloakUserDirectory, oidc_provider: OidcProvider
) -> None:
    alice = await directory.get(oidc_provider.users["alice"].sub)
    admin = await directory.get(oidc_provider.users["admin"].sub)
    assert alice is not None and admin is not None
    assert (alice.username, alice.email, alice.is_admin) == ("alice", "alice@example.org", False)
    assert (admin.username, admin.is_admin) == ("admin", True)
    assert await directory.get("no-such-user") is None
    assert await directory.get(f"nobody/../{oidc_provider.users['alice'].sub}") is None


async def test_a_missing_admin_role_means_no_admins(
    gitlab_world: GitLabWorld, oidc_provider: OidcProvider
) -> None:
    admin = admin_client(gitlab_world, oidc_provider)
    try:
        directory = KeycloakUserDirectory(admin, admin_role="no-such-role")
        found = await directory.get(oidc_provider.users["admin"].sub)
    finally:
        await admin.connection.aclose()
    assert found is not None and found.username == "admin" and not found.is_admin


async def test_get_by_username_is_exact(directory: KeycloakUserDirectory) -> None:
    bob = await directory.get_by_username("bob")
    assert bob is not None and bob.username == "bob"
    assert await directory.get_by_username("bo") is None


async def test_search_pages_in_username_order_with_the_full_count(
    directory: KeycloakUserDirectory, gitlab_world: GitLabWorld
) -> None:
    for i in range(25):
        gitlab_world.keycloak.add_user(KeycloakUser(f"id-{i}", f"user{i:02d}", f"u{i}@lab.org"))
    seen: list[str] = []
    after: str | None = None
    while True:
        page = await directory.search("user", PageRequest.of(10, after))
        assert page.total == 25
        seen += [u.username for u in page.items]
        if not page.has_next:
            break
        after = page.cursors[-1]
    assert seen == [f"user{i:02d}" for i in range(25)]
    by_mail = await directory.search("LAB.ORG", PageRequest.of(3, None))
    assert by_mail.total == 25 and len(by_mail.items) == 3
    everyone = await directory.search(None, PageRequest.of(100, None))
    assert everyone.total == 28 and [u.username for u in everyone.items][:3] == [
        "admin",
        "alice",
        "bob",
    ]


async def test_a_foreign_cursor_is_bad_user_input(directory: KeycloakUserDirectory) -> None:
    with pytest.raises(DomainError) as refused:
        await directory.search(None, PageRequest.of(5, encode_cursor({"username": "a", "id": "b"})))
    assert (refused.value.code, refused.value.field) == (ErrorCode.BAD_USER_INPUT, "after")


async def test_sync_trusts_the_token_and_writes_nothing(
    directory: KeycloakUserDirectory, gitlab_world: GitLabWorld
) -> None:
    admin = gitlab_world.callers["admin"]
    record = await directory.sync(admin)
    assert (record.id, record.username, record.is_admin) == (admin.subject, "admin", True)
    assert len(gitlab_world.keycloak.users) == 3


async def test_a_client_without_admin_rights_is_unavailable(
    gitlab_world: GitLabWorld, oidc_provider: OidcProvider
) -> None:
    admin = admin_client(gitlab_world, oidc_provider, OTHER_CLIENT)
    try:
        with pytest.raises(DomainError) as refused:
            await KeycloakUserDirectory(admin).get_by_username("alice")
    finally:
        await admin.connection.aclose()
    assert refused.value.code is ErrorCode.UNAVAILABLE
    assert "403" in refused.value.message


async def test_keycloak_unreachable_is_unavailable(oidc_provider: OidcProvider) -> None:
    admin = KeycloakAdmin(
        server_url="http://127.0.0.1:9/",
        realm_name="renku",
        client_id="renku",
        client_secret_key="x",
    )
    try:
        with pytest.raises(DomainError) as refused:
            await KeycloakUserDirectory(admin).get("anyone")
    finally:
        await admin.connection.aclose()
    assert refused.value.code is ErrorCode.UNAVAILABLE

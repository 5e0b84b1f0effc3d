"""One scenario through the `ProjectStore` protocol, against the embedded store and GitLab's double.

The callers are the same real tokens for both backends (alice, bob, admin of the test realm);
on GitLab each acts with their own GitLab token, so GitLab's rules apply as well as ours.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from renku_fed.identity.tokens import ANONYMOUS, Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.projects.backends import ProjectStore
from renku_fed.subgraphs.projects.backends.embedded import EmbeddedProjectStore
from renku_fed.subgraphs.projects.backends.gitlab import GitLabProjectStore
from renku_fed.subgraphs.projects.models import (
    Member,
    NewProject,
    Project,
    ProjectFilter,
    ProjectPatch,
    Role,
    Visibility,
)
from tests.support.doubles.world import GitLabWorld

pytest_plugins = ["tests.support.oidc.fixtures", "tests.support.doubles.fixtures"]

Mutation = Callable[[ProjectStore, Identity, Project, GitLabWorld], Awaitable[object]]


@pytest.fixture(params=["embedded", "gitlab"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ProjectStore:
    """Each backend in turn."""
    if request.param == "embedded":
        return EmbeddedProjectStore(tmp_path / "embedded")
    gitlab_store: GitLabProjectStore = request.getfixturevalue("gitlab_store")
    return gitlab_store


def new(caller: Identity, slug: str, visibility: Visibility = Visibility.PRIVATE) -> NewProject:
    return NewProject(
        slug.title(), caller.username or "nobody", slug, visibility, "A project", ("data",)
    )


def sub(world: GitLabWorld, name: str) -> str:
    return str(world.callers[name].subject)


async def refused(call: Awaitable[object]) -> tuple[ErrorCode, str | None]:
    with pytest.raises(DomainError) as error:
        await call
    return error.value.code, error.value.field


async def test_create_read_update_copy_delete(
    store: ProjectStore, gitlab_world: GitLabWorld
) -> None:
    alice, bob = gitlab_world.callers["alice"], gitlab_world.callers["bob"]
    project = await store.create(alice, new(alice, "flights"))
    assert await store.get(project.id, alice) == project
    assert await store.get_by_slug("alice", "flights", alice) == project
    assert await store.get(project.id, bob) is None
    assert await store.get(project.id, ANONYMOUS) is None
    assert await refused(store.create(alice, new(alice, "flights"))) == (ErrorCode.CONFLICT, "slug")

    patch = ProjectPatch(
        description="Delays, explored", keywords=("aviation",), visibility=Visibility.PUBLIC
    )
    updated = await store.update(alice, project.id, project.etag, patch)
    assert (updated.description, updated.keywords, updated.visibility) == (
        "Delays, explored",
        ("aviation",),
        Visibility.PUBLIC,
    )
    assert updated.etag != project.etag
    stale = store.update(alice, project.id, project.etag, ProjectPatch(name="Lost"))
    assert await refused(stale) == (ErrorCode.CONFLICT, "ifMatch")
    current = await store.get(project.id, bob)
    assert current is not None and current.name == "Flights" and current.etag == updated.etag

    copy = await store.copy(bob, project.id, new(bob, "my-flights"))
    assert (copy.namespace, copy.template_id, copy.keywords) == ("bob", project.id, ("data",))
    assert copy.members == (Member(sub(gitlab_world, "bob"), Role.OWNER),)
    copies = await store.search(
        bob, ProjectFilter(template_id=project.id), PageRequest.of(10, None)
    )
    assert [p.id for p in copies.items] == [copy.id]

    await store.delete(alice, project.id)
    assert await store.get(project.id, alice) is None
    assert await refused(store.delete(alice, project.id)) == (ErrorCode.NOT_FOUND, "id")
    assert await store.get(copy.id, bob) is not None


async def test_add_and_remove_members_keeping_an_owner(
    store: ProjectStore, gitlab_world: GitLabWorld
) -> None:
    alice, bob = gitlab_world.callers["alice"], gitlab_world.callers["bob"]
    project = await store.create(alice, new(alice, "flights"))
    added = await store.set_members(
        alice,
        project.id,
        [
            Member(sub(gitlab_world, "bob"), Role.EDITOR),
            Member(sub(gitlab_world, "admin"), Role.VIEWER),
        ],
    )
    roles = {m.user_id: m.role for m in added.members}
    assert roles == {
        sub(gitlab_world, "alice"): Role.OWNER,
        sub(gitlab_world, "bob"): Role.EDITOR,
        sub(gitlab_world, "admin"): Role.VIEWER,
    }
    seen_by_bob = await store.get(project.id, bob)
    assert seen_by_bob is not None and seen_by_bob.permissions_of(bob).write
    demote = store.set_members(alice, project.id, [Member(sub(gitlab_world, "alice"), Role.EDITOR)])
    assert await refused(demote) == (ErrorCode.BAD_USER_INPUT, "members")
    last_owner = store.remove_member(alice, project.id, sub(gitlab_world, "alice"))
    assert (await refused(last_owner))[0] is ErrorCode.BAD_USER_INPUT
    not_member = store.remove_member(alice, project.id, "someone-else")
    assert await refused(not_member) == (ErrorCode.NOT_FOUND, "userId")

    removed = await store.remove_member(alice, project.id, sub(gitlab_world, "bob"))
    assert sub(gitlab_world, "bob") not in {m.user_id for m in removed.members}
    assert await store.get(project.id, bob) is None
    unchanged = await store.get(project.id, alice)
    assert unchanged is not None and {m.role for m in unchanged.members} == {
        Role.OWNER,
        Role.VIEWER,
    }


async def _update(
    store: ProjectStore, caller: Identity, project: Project, world: GitLabWorld
) -> object:
    return await store.update(caller, project.id, project.etag, ProjectPatch(description="Changed"))


async def _set_members(
    store: ProjectStore, caller: Identity, project: Project, world: GitLabWorld
) -> object:
    other = "bob" if caller is world.callers["admin"] else "admin"
    return await store.set_members(caller, project.id, [Member(sub(world, other), Role.VIEWER)])


async def _remove_member(
    store: ProjectStore, caller: Identity, project: Project, world: GitLabWorld
) -> object:
    target = "bob" if caller is world.callers["admin"] else "alice"
    return await store.remove_member(caller, project.id, sub(world, target))


async def _delete(
    store: ProjectStore, caller: Identity, project: Project, world: GitLabWorld
) -> object:
    await store.delete(caller, project.id)
    return project.id


async def _copy(
    store: ProjectStore, caller: Identity, project: Project, world: GitLabWorld
) -> object:
    return await store.copy(caller, project.id, new(caller, "copied"))


MUTATIONS: dict[str, Mutation] = {
    "update": _update,
    "set_members": _set_members,
    "remove_member": _remove_member,
    "delete": _delete,
    "copy": _copy,
}
OK, FORBIDDEN, HIDDEN = "ok", ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND
# Bob's role in alice's private project (or admin, not a member, or anonymous) -> each outcome.
EXPECTED: dict[str, dict[str, object]] = {
    "viewer": {
        "update": FORBIDDEN,
        "set_members": FORBIDDEN,
        "remove_member": FORBIDDEN,
        "delete": FORBIDDEN,
        "copy": OK,
    },
    "editor": {
        "update": OK,
        "set_members": FORBIDDEN,
        "remove_member": FORBIDDEN,
        "delete": FORBIDDEN,
        "copy": OK,
    },
    "owner": dict.fromkeys(MUTATIONS, OK),
    "admin": dict.fromkeys(MUTATIONS, OK),
    "non-member": dict.fromkeys(MUTATIONS, HIDDEN),
    "anonymous": dict.fromkeys(MUTATIONS, HIDDEN),
}
ROLES = {"viewer": Role.VIEWER, "editor": Role.EDITOR, "owner": Role.OWNER}


@pytest.mark.parametrize("who", list(EXPECTED))
async def test_every_mutation_as_every_role(
    store: ProjectStore, gitlab_world: GitLabWorld, who: str
) -> None:
    alice = gitlab_world.callers["alice"]
    caller = {"admin": gitlab_world.callers["admin"], "anonymous": ANONYMOUS}.get(
        who, gitlab_world.callers["bob"]
    )
    outcomes: dict[str, object] = {}
    for name, mutation in MUTATIONS.items():
        project = await store.create(alice, new(alice, f"p-{name.replace('_', '-')}"))
        if who in ROLES or who == "admin":
            project = await store.set_members(
                alice, project.id, [Member(sub(gitlab_world, "bob"), ROLES.get(who, Role.VIEWER))]
            )
        try:
            await mutation(store, caller, project, gitlab_world)
            outcomes[name] = OK
        except DomainError as error:
            outcomes[name] = error.code
        after = await store.get(project.id, alice)
        if outcomes[name] != OK:
            assert after == project, f"{name} refused for {who} but wrote"
    assert outcomes == EXPECTED[who]

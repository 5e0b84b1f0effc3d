"""The GitLab project store with python-gitlab against the GitLab double, tokens from Keycloak's."""

from __future__ import annotations

from pathlib import Path

import gitlab
import pytest

from renku_fed.identity.tokens import ANONYMOUS
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.gitlab_tokens import GitLabTokenBroker
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.projects.backends.gitlab import GitLabProjectStore
from renku_fed.subgraphs.projects.backends.gitlab_identities import (
    UNLINKED_PREFIX,
    GitLabIdentities,
)
from renku_fed.subgraphs.projects.backends.gitlab_mapping import gitlab_id
from renku_fed.subgraphs.projects.backends.gitlab_metadata import MetadataTable
from renku_fed.subgraphs.projects.models import (
    Member,
    NewProject,
    Project,
    ProjectFilter,
    ProjectPatch,
    ProjectSort,
    Role,
    Visibility,
)
from tests.support.doubles.world import IDP_ALIAS, GitLabWorld

pytest_plugins = ["tests.support.oidc.fixtures", "tests.support.doubles.fixtures"]


def new(
    slug: str, visibility: Visibility = Visibility.PRIVATE, namespace: str = "alice"
) -> NewProject:
    return NewProject(slug.title(), namespace, slug, visibility, f"About {slug}", ("data",))


async def create(store: GitLabProjectStore, world: GitLabWorld, slug: str, **kw: object) -> Project:
    return await store.create(world.callers["alice"], new(slug, **kw))  # type: ignore[arg-type]


async def test_create_makes_a_gitlab_project_owned_by_the_caller(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld
) -> None:
    alice = gitlab_world.callers["alice"]
    project = await create(gitlab_store, gitlab_world, "flights", visibility=Visibility.PUBLIC)
    stored = gitlab_world.gitlab.projects[gitlab_id(project.id) or 0]
    assert (stored.path, stored.visibility, stored.topics) == ("flights", "public", ["data"])
    assert stored.creator_id == gitlab_world.accounts["alice"].id
    assert project.created_by == alice.subject
    assert project.members == (Member(str(alice.subject), Role.OWNER),)
    assert project.repositories == (f"{gitlab_world.gitlab_url}/alice/flights.git",)
    assert await gitlab_store.get_by_slug("alice", "flights", ANONYMOUS) == project


async def test_calls_carry_the_callers_own_gitlab_token(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld
) -> None:
    await create(gitlab_store, gitlab_world, "flights")
    project_calls = [r for r in gitlab_world.gitlab.requests if r[1].startswith("projects")]
    assert project_calls
    assert {token for _, _, token in project_calls} == {gitlab_world.accounts["alice"].token}
    root_calls = [
        r for r in gitlab_world.gitlab.requests if r[2] == gitlab_world.accounts["root"].token
    ]
    assert root_calls and all(path.startswith("users") for _, path, _ in root_calls)


async def test_gitlab_hides_private_projects_from_non_members_and_anonymous(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld
) -> None:
    secret = await create(gitlab_store, gitlab_world, "secret")
    public = await create(gitlab_store, gitlab_world, "open", visibility=Visibility.PUBLIC)
    bob = gitlab_world.callers["bob"]
    assert await gitlab_store.get(secret.id, bob) is None
    assert await gitlab_store.get_by_slug("alice", "secret", ANONYMOUS) is None
    for caller in (bob, ANONYMOUS):
        page = await gitlab_store.search(caller, ProjectFilter(), PageRequest.of(20, None))
        assert [p.id for p in page.items] == [public.id] and page.total == 1
    admin_view = await gitlab_store.get(secret.id, gitlab_world.callers["admin"])
    assert admin_view is not None and admin_view.slug == "secret"
    with pytest.raises(DomainError) as refused:
        await gitlab_store.delete(bob, secret.id)
    assert refused.value.code is ErrorCode.NOT_FOUND
    assert gitlab_id(secret.id) in gitlab_world.gitlab.projects


async def test_members_map_from_gitlab_access_levels_and_identities(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld
) -> None:
    project = await create(gitlab_store, gitlab_world, "flights")
    stored = gitlab_world.gitlab.projects[gitlab_id(project.id) or 0]
    accounts = gitlab_world.accounts
    stored.members.update(
        {accounts["bob"].id: 10, accounts["admin"].id: 30, accounts["root"].id: 5}
    )
    stored.members[accounts["carol"].id] = 40
    found = await gitlab_store.get(project.id, gitlab_world.callers["alice"])
    assert found is not None
    roles = {m.user_id: m.role for m in found.members}
    assert roles == {
        gitlab_world.callers["alice"].subject: Role.OWNER,
        gitlab_world.callers["bob"].subject: Role.VIEWER,
        gitlab_world.callers["admin"].subject: Role.EDITOR,
        "carol-subject-without-keycloak": Role.EDITOR,
    }
    root = gitlab_world.gitlab.add_user("ghost", None)
    stored.members[root.id] = 20
    found = await gitlab_store.get(project.id, gitlab_world.callers["alice"])
    assert found is not None and Member(f"{UNLINKED_PREFIX}{root.id}", Role.VIEWER) in found.members


async def test_set_members_writes_reporter_maintainer_owner(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld
) -> None:
    alice, bob, admin = (gitlab_world.callers[n] for n in ("alice", "bob", "admin"))
    project = await create(gitlab_store, gitlab_world, "flights")
    changed = await gitlab_store.set_members(
        alice,
        project.id,
        [Member(str(bob.subject), Role.VIEWER), Member(str(admin.subject), Role.EDITOR)],
    )
    stored = gitlab_world.gitlab.projects[gitlab_id(project.id) or 0]
    accounts = gitlab_world.accounts
    assert stored.members == {
        accounts["alice"].id: 50,
        accounts["bob"].id: 20,
        accounts["admin"].id: 40,
    }
    assert {m.role for m in changed.members} == {Role.OWNER, Role.VIEWER, Role.EDITOR}
    await gitlab_store.set_members(alice, project.id, [Member(str(bob.subject), Role.OWNER)])
    assert stored.members[accounts["bob"].id] == 50
    removed = await gitlab_store.remove_member(bob, project.id, str(alice.subject))
    assert accounts["alice"].id not in stored.members
    assert alice.subject not in {m.user_id for m in removed.members}


async def test_a_member_without_gitlab_account_is_refused_and_nothing_is_written(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld
) -> None:
    alice, bob = gitlab_world.callers["alice"], gitlab_world.callers["bob"]
    project = await create(gitlab_store, gitlab_world, "flights")
    with pytest.raises(DomainError) as refused:
        await gitlab_store.set_members(
            alice,
            project.id,
            [Member(str(bob.subject), Role.EDITOR), Member("nobody-at-all", Role.VIEWER)],
        )
    assert (refused.value.code, refused.value.field) == (ErrorCode.BAD_USER_INPUT, "members")
    assert list(gitlab_world.gitlab.projects[gitlab_id(project.id) or 0].members) == [
        gitlab_world.accounts["alice"].id
    ]


async def test_gitlab_refusing_an_editor_edit_is_forbidden_and_writes_nothing(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld
) -> None:
    project = await create(gitlab_store, gitlab_world, "flights")
    stored = gitlab_world.gitlab.projects[gitlab_id(project.id) or 0]
    stored.members[gitlab_world.accounts["bob"].id] = 30  # Developer: EDITOR in Renku
    bob = gitlab_world.callers["bob"]
    current = await gitlab_store.get(project.id, bob)
    assert current is not None and current.permissions_of(bob).write
    with pytest.raises(DomainError) as refused:
        await gitlab_store.update(bob, project.id, current.etag, ProjectPatch(name="Renamed"))
    assert refused.value.code is ErrorCode.FORBIDDEN
    assert stored.name == "Flights"


async def test_update_with_etag_and_stale_etag_conflict(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld
) -> None:
    alice = gitlab_world.callers["alice"]
    project = await create(gitlab_store, gitlab_world, "flights")
    patch = ProjectPatch(name="Delays", keywords=("air",), documentation="# Docs", slug="delays")
    updated = await gitlab_store.update(alice, project.id, project.etag, patch)
    stored = gitlab_world.gitlab.projects[gitlab_id(project.id) or 0]
    assert (stored.name, stored.path, stored.topics) == ("Delays", "delays", ["air"])
    assert (updated.slug, updated.documentation, updated.id) == ("delays", "# Docs", project.id)
    assert updated.etag != project.etag
    with pytest.raises(DomainError) as refused:
        await gitlab_store.update(alice, project.id, project.etag, ProjectPatch(name="Stale"))
    assert (refused.value.code, refused.value.field) == (ErrorCode.CONFLICT, "ifMatch")
    assert stored.name == "Delays"
    cleared = await gitlab_store.update(
        alice, project.id, updated.etag, ProjectPatch(documentation="")
    )
    assert cleared.documentation is None
    reread = await gitlab_store.get(project.id, alice)
    assert reread is not None and reread.documentation is None and reread.etag == cleared.etag


async def test_copy_forks_and_lists_copies_of_the_template(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld
) -> None:
    source = await create(gitlab_store, gitlab_world, "template", visibility=Visibility.PUBLIC)
    bob = gitlab_world.callers["bob"]
    copy = await gitlab_store.copy(bob, source.id, new("my-copy", namespace="bob"))
    stored = gitlab_world.gitlab.projects[gitlab_id(copy.id) or 0]
    assert stored.forked_from == gitlab_id(source.id)
    assert (copy.namespace, copy.template_id, copy.members) == (
        "bob",
        source.id,
        (Member(str(bob.subject), Role.OWNER),),
    )
    copies = await gitlab_store.search(
        bob, ProjectFilter(template_id=source.id), PageRequest.of(5, None)
    )
    assert [p.id for p in copies.items] == [copy.id]
    secret = await create(gitlab_store, gitlab_world, "secret")
    hidden = await gitlab_store.search(
        bob, ProjectFilter(template_id=secret.id), PageRequest.of(5, None)
    )
    assert hidden.items == () and hidden.total == 0
    unlinked = await gitlab_store.update(
        bob, copy.id, copy.etag, ProjectPatch(unlink_template=True)
    )
    assert unlinked.template_id is None and stored.forked_from is None
    with pytest.raises(DomainError) as refused:
        await gitlab_store.copy(bob, source.id, new("my-copy", namespace="bob"))
    assert refused.value.code is ErrorCode.CONFLICT


async def test_taken_slug_and_foreign_namespace_are_refused(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld
) -> None:
    await create(gitlab_store, gitlab_world, "flights")
    with pytest.raises(DomainError) as taken:
        await create(gitlab_store, gitlab_world, "flights")
    assert (taken.value.code, taken.value.field) == (ErrorCode.CONFLICT, "slug")
    with pytest.raises(DomainError) as foreign:
        await create(gitlab_store, gitlab_world, "elsewhere", namespace="bob")
    assert (foreign.value.code, foreign.value.field) == (ErrorCode.FORBIDDEN, "namespace")
    with pytest.raises(DomainError) as unknown:
        await create(gitlab_store, gitlab_world, "elsewhere", namespace="no-such-group")
    assert (unknown.value.code, unknown.value.field) == (ErrorCode.NOT_FOUND, "namespace")
    assert len(gitlab_world.gitlab.projects) == 1


async def test_search_filters_sorts_and_pages(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld
) -> None:
    alice, bob = gitlab_world.callers["alice"], gitlab_world.callers["bob"]
    made = [
        await create(gitlab_store, gitlab_world, f"p{i:02d}", visibility=Visibility.PUBLIC)
        for i in range(12)
    ]
    mine = await gitlab_store.create(bob, new("bobs", namespace="bob"))
    by_name = await gitlab_store.search(
        alice, ProjectFilter(), PageRequest.of(5, None), ProjectSort.NAME
    )
    rest = await gitlab_store.search(
        alice, ProjectFilter(), PageRequest.of(20, by_name.cursors[-1]), ProjectSort.NAME
    )
    assert [p.slug for p in by_name.items + rest.items] == [f"p{i:02d}" for i in range(12)]
    assert by_name.has_next and not rest.has_next and by_name.total == 12
    newest = await gitlab_store.search(
        alice, ProjectFilter(), PageRequest.of(2, None), ProjectSort.CREATION_DATE_DESC
    )
    assert [p.id for p in newest.items] == [made[11].id, made[10].id]
    searched = await gitlab_store.search(
        alice, ProjectFilter(search="P07"), PageRequest.of(5, None)
    )
    assert [p.id for p in searched.items] == [made[7].id]
    in_bob = await gitlab_store.search(bob, ProjectFilter(namespace="bob"), PageRequest.of(5, None))
    assert [p.id for p in in_bob.items] == [mine.id]
    owned = await gitlab_store.search(
        bob, ProjectFilter(minimum_role=Role.OWNER), PageRequest.of(20, None)
    )
    assert [p.id for p in owned.items] == [mine.id] and owned.total == 1
    anonymous = await gitlab_store.search(
        ANONYMOUS, ProjectFilter(minimum_role=Role.VIEWER), PageRequest.of(5, None)
    )
    assert anonymous.items == () and anonymous.total == 0
    of_alice = await gitlab_store.search(
        bob, ProjectFilter(member=str(alice.subject)), PageRequest.of(20, None)
    )
    assert of_alice.total == 12


async def test_an_unlinked_caller_reads_as_anonymous_but_cannot_write(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld
) -> None:
    public = await create(gitlab_store, gitlab_world, "open", visibility=Visibility.PUBLIC)
    bob = gitlab_world.callers["bob"]
    del gitlab_world.keycloak.linked_tokens[(str(bob.subject), IDP_ALIAS)]
    page = await gitlab_store.search(bob, ProjectFilter(), PageRequest.of(5, None))
    assert [p.id for p in page.items] == [public.id]
    with pytest.raises(DomainError) as refused:
        await gitlab_store.create(bob, new("mine", namespace="bob"))
    assert refused.value.code is ErrorCode.FORBIDDEN and "linked" in refused.value.message


async def test_gitlab_unreachable_is_unavailable(gitlab_world: GitLabWorld, tmp_path: Path) -> None:
    store = GitLabProjectStore(
        "http://127.0.0.1:9",
        GitLabTokenBroker(gitlab_world.keycloak_url, "renku", IDP_ALIAS),
        GitLabIdentities(gitlab.Gitlab("http://127.0.0.1:9")),
        MetadataTable(tmp_path / "meta"),
    )
    with pytest.raises(DomainError) as refused:
        await store.search(ANONYMOUS, ProjectFilter(), PageRequest.of(5, None))
    assert refused.value.code is ErrorCode.UNAVAILABLE


async def test_an_identity_token_without_admin_rights_fails_loudly(
    gitlab_world: GitLabWorld,
) -> None:
    bob = gitlab_world.accounts["bob"]
    with gitlab.Gitlab(gitlab_world.gitlab_url, private_token=bob.token) as not_admin:
        identities = GitLabIdentities(not_admin)
        for look_up in (
            lambda: identities.subject_of(gitlab_world.accounts["alice"].id),
            lambda: identities.user_id_of(str(gitlab_world.callers["alice"].subject)),
        ):
            with pytest.raises(DomainError) as refused:
                look_up()
            assert refused.value.code is ErrorCode.UNAVAILABLE
            assert "RENKU_FED_PROJECTS_GITLAB_ADMIN_TOKEN" in refused.value.message


async def test_cursors_stay_stable_while_projects_come_and_go(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld
) -> None:
    lab, bob = gitlab_world.gitlab, gitlab_world.accounts["bob"]
    seeded = [lab.add_project(bob, f"p{i:03d}") for i in range(150)]
    seen: list[str] = []
    after: str | None = None
    while True:
        page = await gitlab_store.search(ANONYMOUS, ProjectFilter(), PageRequest.of(50, after))
        seen += [p.slug for p in page.items]
        if after is None:
            del lab.projects[seeded[0].id]  # one already listed goes away
            lab.add_project(bob, "late")  # and a newer one arrives
        if not page.has_next:
            break
        after = page.cursors[-1]
    assert seen == [f"p{i:03d}" for i in range(150)] + ["late"]
    assert page.total == 150


async def test_a_revoked_gitlab_token_is_fetched_again_from_keycloak(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld
) -> None:
    alice = gitlab_world.callers["alice"]
    await create(gitlab_store, gitlab_world, "first")
    calls = gitlab_world.keycloak.broker_calls
    account = gitlab_world.accounts["alice"]
    account.token = "glpat-rotated"
    gitlab_world.keycloak.link(str(alice.subject), IDP_ALIAS, account.token)
    second = await create(gitlab_store, gitlab_world, "second")
    assert second.slug == "second"
    assert gitlab_world.keycloak.broker_calls == calls + 1
    assert gitlab_world.gitlab.requests[-1][2] == "glpat-rotated"

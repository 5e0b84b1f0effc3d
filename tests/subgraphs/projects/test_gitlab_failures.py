"""GitLab store mutations failing midway: GitLab and the metadata table are left as they were.

Failures are injected into the GitLab double at the N-th write request (`on_write`): a 500, or
the caller's GitLab token expiring (Keycloak then holds the fresh one). The metadata table is
made to refuse writes with a SQLite trigger, as a full disk or a locked file would.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Awaitable, Callable
from contextlib import closing
from pathlib import Path

import pytest

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.projects.backends.gitlab import GitLabProjectStore
from renku_fed.subgraphs.projects.backends.gitlab_mapping import gitlab_id
from renku_fed.subgraphs.projects.backends.gitlab_metadata import DATABASE_FILE
from renku_fed.subgraphs.projects.models import (
    Member,
    NewProject,
    Project,
    ProjectPatch,
    Role,
    Visibility,
)
from tests.support.doubles.gitlab_model import GitLabApiError
from tests.support.doubles.world import IDP_ALIAS, GitLabWorld

pytest_plugins = ["tests.support.oidc.fixtures", "tests.support.doubles.fixtures"]


def new(slug: str, namespace: str = "alice", documentation: str | None = None) -> NewProject:
    return NewProject(
        slug.title(), namespace, slug, Visibility.PUBLIC, "About", ("data",), documentation
    )


def fail(status: int) -> Callable[[], None]:
    def refuse() -> None:
        raise GitLabApiError(status, {"message": f"{status} Internal Server Error"})

    return refuse


def expire_token(world: GitLabWorld, name: str, *, keycloak_too: bool = True) -> Callable[[], None]:
    """GitLab stops accepting the user's token; Keycloak holds the new one unless told not to."""

    def rotate() -> None:
        account = world.accounts[name]
        account.token = f"glpat-{secrets.token_urlsafe(8)}"
        if keycloak_too:
            world.keycloak.link(str(world.callers[name].subject), IDP_ALIAS, account.token)

    return rotate


def metadata_path(tmp_path: Path) -> Path:
    return tmp_path / "gitlab-metadata" / DATABASE_FILE


def metadata_rows(tmp_path: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(metadata_path(tmp_path))) as db:
        return db.execute("SELECT * FROM project_metadata ORDER BY gitlab_id").fetchall()


def refuse_metadata_writes(tmp_path: Path) -> None:
    with closing(sqlite3.connect(metadata_path(tmp_path))) as db:
        db.executescript(
            "".join(
                f"CREATE TRIGGER refuse_{op} BEFORE {op} ON project_metadata "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END;"
                for op in ("INSERT", "UPDATE", "DELETE")
            )
        )


def gitlab_state(world: GitLabWorld) -> dict[int, tuple[object, ...]]:
    """Every project as GitLab holds it, but for `updated_at` (GitLab moves it on any edit)."""
    return {
        p.id: (p.name, p.path, p.visibility, p.description, p.topics, p.members, p.forked_from)
        for p in world.gitlab.projects.values()
    }


def writes(world: GitLabWorld) -> list[tuple[str, str]]:
    return [(method, path) for method, path, _ in world.gitlab.requests if method != "GET"]


async def refused(call: Awaitable[object]) -> DomainError:
    with pytest.raises(DomainError) as error:
        await call
    return error.value


async def with_bob_as_viewer(store: GitLabProjectStore, world: GitLabWorld) -> Project:
    alice, bob = world.callers["alice"], world.callers["bob"]
    project = await store.create(alice, new("flights"))
    return await store.set_members(alice, project.id, [Member(str(bob.subject), Role.VIEWER)])


async def test_a_token_expiring_midway_sends_only_that_call_again(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld
) -> None:
    alice, bob, admin = (gitlab_world.callers[n] for n in ("alice", "bob", "admin"))
    project = await gitlab_store.create(alice, new("flights"))
    broker_calls = gitlab_world.keycloak.broker_calls
    before = len(writes(gitlab_world))
    gitlab_world.gitlab.on_write(2, expire_token(gitlab_world, "alice"))
    await gitlab_store.set_members(
        alice,
        project.id,
        [Member(str(bob.subject), Role.VIEWER), Member(str(admin.subject), Role.EDITOR)],
    )
    accounts = gitlab_world.accounts
    assert gitlab_world.gitlab.projects[gitlab_id(project.id) or 0].members == {
        accounts["alice"].id: 50,
        accounts["bob"].id: 20,
        accounts["admin"].id: 40,
    }
    # bob's addition went once; admin's was refused with the old token and sent again.
    members_path = f"projects/{gitlab_id(project.id)}/members"
    assert writes(gitlab_world)[before:] == [("POST", members_path)] * 3
    assert gitlab_world.keycloak.broker_calls == broker_calls + 1


async def test_a_failure_midway_undoes_earlier_member_changes_with_a_fresh_token(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld, tmp_path: Path
) -> None:
    alice, bob, admin = (gitlab_world.callers[n] for n in ("alice", "bob", "admin"))
    project = await with_bob_as_viewer(gitlab_store, gitlab_world)
    state, rows = gitlab_state(gitlab_world), metadata_rows(tmp_path)
    gitlab_world.gitlab.on_write(2, fail(500))  # adding admin fails...
    gitlab_world.gitlab.on_write(3, expire_token(gitlab_world, "alice"))  # ...and so would the undo
    error = await refused(
        gitlab_store.set_members(
            alice,
            project.id,
            [Member(str(bob.subject), Role.EDITOR), Member(str(admin.subject), Role.VIEWER)],
        )
    )
    assert (error.code, error.message) == (
        ErrorCode.UNAVAILABLE,
        "GitLab failed (500); try again later.",
    )
    assert gitlab_state(gitlab_world) == state
    assert metadata_rows(tmp_path) == rows


async def test_an_undo_gitlab_refuses_too_names_what_is_left_changed(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld
) -> None:
    alice, bob, admin = (gitlab_world.callers[n] for n in ("alice", "bob", "admin"))
    project = await with_bob_as_viewer(gitlab_store, gitlab_world)
    # The token dies and Keycloak has no valid one either: nothing can act for alice any more.
    gitlab_world.gitlab.on_write(2, expire_token(gitlab_world, "alice", keycloak_too=False))
    error = await refused(
        gitlab_store.set_members(
            alice,
            project.id,
            [Member(str(bob.subject), Role.EDITOR), Member(str(admin.subject), Role.VIEWER)],
        )
    )
    assert error.code is ErrorCode.UNAVAILABLE
    assert f"could not undo the changes already made: the role of {bob.subject}." in error.message
    stored = gitlab_world.gitlab.projects[gitlab_id(project.id) or 0]
    assert gitlab_world.accounts["admin"].id not in stored.members


async def test_an_update_gitlab_fails_midway_puts_fields_and_metadata_back(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld, tmp_path: Path
) -> None:
    alice, bob = gitlab_world.callers["alice"], gitlab_world.callers["bob"]
    source = await gitlab_store.create(alice, new("template"))
    copy = await gitlab_store.copy(bob, source.id, new("mine", "bob", documentation="# Before"))
    state, rows = gitlab_state(gitlab_world), metadata_rows(tmp_path)
    gitlab_world.gitlab.on_write(2, fail(500))  # the fields are edited, unlinking the fork fails
    patch = ProjectPatch(name="Renamed", documentation="# After", unlink_template=True)
    error = await refused(gitlab_store.update(bob, copy.id, copy.etag, patch))
    assert error.code is ErrorCode.UNAVAILABLE
    assert gitlab_state(gitlab_world) == state
    assert metadata_rows(tmp_path) == rows
    reread = await gitlab_store.get(copy.id, bob)
    assert reread is not None and reread.documentation == "# Before"


async def test_an_update_whose_metadata_cannot_be_stored_writes_nothing_to_gitlab(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld, tmp_path: Path
) -> None:
    alice = gitlab_world.callers["alice"]
    project = await gitlab_store.create(alice, new("flights"))
    state, before = gitlab_state(gitlab_world), len(writes(gitlab_world))
    refuse_metadata_writes(tmp_path)
    patch = ProjectPatch(name="Renamed", documentation="# Docs")
    error = await refused(gitlab_store.update(alice, project.id, project.etag, patch))
    assert error.code is ErrorCode.UNAVAILABLE and "nothing was changed" in error.message
    assert gitlab_state(gitlab_world) == state and len(writes(gitlab_world)) == before
    assert metadata_rows(tmp_path) == []


async def test_a_delete_stands_when_its_metadata_row_cannot_be_dropped(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld, tmp_path: Path
) -> None:
    alice = gitlab_world.callers["alice"]
    project = await gitlab_store.create(alice, new("flights", documentation="# Docs"))
    refuse_metadata_writes(tmp_path)
    await gitlab_store.delete(alice, project.id)
    assert gitlab_state(gitlab_world) == {}


async def test_a_create_whose_metadata_cannot_be_stored_leaves_no_project(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld, tmp_path: Path
) -> None:
    state = gitlab_state(gitlab_world)
    refuse_metadata_writes(tmp_path)
    alice = gitlab_world.callers["alice"]
    error = await refused(gitlab_store.create(alice, new("flights", documentation="# Docs")))
    assert error.code is ErrorCode.UNAVAILABLE and "nothing was changed" in error.message
    assert gitlab_state(gitlab_world) == state
    assert metadata_rows(tmp_path) == []


async def test_a_copy_whose_metadata_cannot_be_stored_leaves_no_copy(
    gitlab_store: GitLabProjectStore, gitlab_world: GitLabWorld, tmp_path: Path
) -> None:
    alice, bob = gitlab_world.callers["alice"], gitlab_world.callers["bob"]
    source = await gitlab_store.create(alice, new("template"))
    state = gitlab_state(gitlab_world)
    refuse_metadata_writes(tmp_path)
    copy = NewProject("Mine", "bob", "mine", Visibility.PUBLIC, None, ("other",), "# Docs")
    error = await refused(gitlab_store.copy(bob, source.id, copy))
    assert error.code is ErrorCode.UNAVAILABLE
    assert gitlab_state(gitlab_world) == state
    assert metadata_rows(tmp_path) == []

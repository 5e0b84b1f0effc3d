"""The embedded store applies the caller's group roles to the group's projects."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.projects.backends.embedded import EmbeddedProjectStore
from renku_fed.subgraphs.projects.backends.repositories import Author
from renku_fed.subgraphs.projects.models import (
    Member,
    Project,
    ProjectFilter,
    Role,
    Visibility,
)

BOB = Identity(subject="bob-id", username="bob", token="t")


class Groups:
    """A namespace directory with fixed roles, or none at all when `down`."""

    def __init__(self, roles: Mapping[str, Role], down: bool = False) -> None:
        self.roles, self.down = roles, down

    async def group_roles(self, caller: Identity) -> Mapping[str, Role]:
        if self.down:
            raise DomainError(ErrorCode.UNAVAILABLE, "users service down")
        return self.roles

    async def group_role(self, caller: Identity, slug: str) -> Role | None:
        return self.roles.get(slug)

    async def own_namespace(self, caller: Identity) -> str:
        return caller.username or ""


def _store(tmp_path: Path, groups: Groups) -> EmbeddedProjectStore:
    store = EmbeddedProjectStore(tmp_path, groups)
    now = datetime.now(UTC)
    project = Project(
        id="01JGR0UPPR0JECT00000000000",
        name="model",
        slug="model",
        namespace="lab",
        visibility=Visibility.PRIVATE,
        description=None,
        keywords=(),
        created_by="alice-id",
        creation_date=now,
        updated_at=now,
        members=(Member("alice-id", Role.OWNER),),
    )
    store.import_projects([project], Author("alice", "alice@example.org"))
    return store


async def test_a_group_editor_may_write_the_groups_private_project(tmp_path: Path) -> None:
    store = _store(tmp_path, Groups({"lab": Role.EDITOR}))
    project = await store.get_by_slug("lab", "model", BOB)
    assert project is not None and project.permissions_of(BOB).write
    assert not project.permissions_of(BOB).delete
    page = await store.search(BOB, ProjectFilter(minimum_role=Role.EDITOR), PageRequest.of(5, None))
    assert [p.slug for p in page.items] == ["model"]
    owners = await store.search(
        BOB, ProjectFilter(minimum_role=Role.OWNER), PageRequest.of(5, None)
    )
    assert owners.total == 0


async def test_without_the_users_service_group_members_get_nothing(tmp_path: Path) -> None:
    store = _store(tmp_path, Groups({"lab": Role.OWNER}, down=True))
    assert await store.get_by_slug("lab", "model", BOB) is None
    assert (await store.search(BOB, ProjectFilter(), PageRequest.of(5, None))).total == 0

"""The embedded project store's git repositories, demo seeding and all-or-nothing writes."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from renku_fed.identity.tokens import ANONYMOUS, Identity
from renku_fed.subgraphs.common.demo import ALICE, BOB, DEMO_PROJECTS, FLIGHTS
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.projects.backends.embedded import EmbeddedProjectStore
from renku_fed.subgraphs.projects.backends.repositories import BareRepositories, RepositoryError
from renku_fed.subgraphs.projects.demo import seed_demo
from renku_fed.subgraphs.projects.models import NewProject, ProjectFilter, Role, Visibility

DAVE = Identity(subject="dave-id", username="dave", email="dave@example.org", first_name="Dave")
ALICE_CALLER = Identity(subject=ALICE.id, username="alice")


def new_project(slug: str = "notes", description: str | None = "Field notes.") -> NewProject:
    return NewProject(
        name="Notes",
        namespace="dave",
        slug=slug,
        visibility=Visibility.PRIVATE,
        description=description,
        keywords=(),
    )


def clone(url: str, destination: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "clone", "--quiet", url, str(destination)], capture_output=True, text=True
    )


def git(work_tree: Path, *args: str) -> str:
    command = ["git", "-C", str(work_tree), *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


async def test_a_created_project_is_cloneable_and_gone_after_delete(tmp_path: Path) -> None:
    store = EmbeddedProjectStore(tmp_path / "data")
    project = await store.create(DAVE, new_project())
    url = project.repositories[0]
    assert urlsplit(url).scheme == "file"
    assert url.endswith("/repositories/dave/notes.git")

    work = tmp_path / "clone"
    assert clone(url, work).returncode == 0
    assert (work / "README.md").read_text() == "# Notes\n\nField notes.\n"
    assert git(work, "branch", "--show-current") == "main"
    assert git(work, "log", "--format=%an <%ae>|%s") == "Dave <dave@example.org>|Initial commit"

    await store.delete(DAVE, project.id)
    assert not Path(urlsplit(url).path).exists()
    assert clone(url, tmp_path / "again").returncode != 0
    assert await store.get(project.id, DAVE) is None


async def test_demo_seeding_creates_fixed_projects_members_and_repositories(
    tmp_path: Path,
) -> None:
    store = EmbeddedProjectStore(tmp_path)
    assert seed_demo(store) is True
    for demo in DEMO_PROJECTS:
        project = await store.get(
            demo.id, Identity(subject="admin", roles=frozenset({"renku-admin"}))
        )
        assert project is not None
        assert (project.namespace, project.slug, project.name) == (
            demo.namespace,
            demo.slug,
            demo.name,
        )
        assert project.keywords == demo.keywords
        work = tmp_path / "clones" / demo.slug
        assert clone(project.repositories[0], work).returncode == 0
        assert (work / "README.md").read_text().startswith(f"# {demo.name}\n")
    flights = await store.get(FLIGHTS.id, ANONYMOUS)
    assert flights is not None
    assert [(m.user_id, m.role) for m in flights.members] == [
        (ALICE.id, Role.OWNER),
        (BOB.id, Role.VIEWER),
    ]
    assert seed_demo(store) is False
    page = await store.search(ALICE_CALLER, ProjectFilter(), PageRequest.of(None, None))
    assert page.total == 3


async def test_demo_seeding_skips_a_store_that_has_projects(tmp_path: Path) -> None:
    store = EmbeddedProjectStore(tmp_path)
    await store.create(DAVE, new_project())
    assert seed_demo(store) is False
    assert await store.get(FLIGHTS.id, ANONYMOUS) is None
    assert not (tmp_path / "repositories" / "alice").exists()


async def test_a_failing_git_leaves_no_row_and_no_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EmbeddedProjectStore(tmp_path)

    def broken(*args: object) -> Path:
        raise RepositoryError("git init failed: disk full")

    monkeypatch.setattr(BareRepositories, "stage", broken)
    with pytest.raises(RepositoryError):
        await store.create(DAVE, new_project())
    assert store.is_empty()
    assert not (tmp_path / "repositories" / "dave" / "notes.git").exists()


async def test_a_failing_insert_discards_the_staged_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EmbeddedProjectStore(tmp_path)

    def broken(self: BareRepositories, staged: Path, namespace: str, slug: str) -> Path:
        raise OSError("rename failed")

    monkeypatch.setattr(BareRepositories, "publish", broken)
    with pytest.raises(OSError, match="rename failed"):
        await store.create(DAVE, new_project())
    assert store.is_empty()
    assert list((tmp_path / "repositories" / ".staging").iterdir()) == []


async def test_an_orphaned_repository_is_replaced_by_the_new_project(tmp_path: Path) -> None:
    store = EmbeddedProjectStore(tmp_path)
    orphan = tmp_path / "repositories" / "dave" / "notes.git"
    orphan.mkdir(parents=True)
    (orphan / "stale").write_text("left over")
    project = await store.create(DAVE, new_project(description=None))
    assert not (orphan / "stale").exists()
    work = tmp_path / "clone"
    assert clone(project.repositories[0], work).returncode == 0
    assert (work / "README.md").read_text() == "# Notes\n"

"""Search and pagination over 500 projects through the router: every sort pages through all
matches exactly once, in order, with stable cursors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ulid import ULID

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.projects.backends.embedded import EmbeddedProjectStore
from renku_fed.subgraphs.projects.backends.repositories import Author
from renku_fed.subgraphs.projects.models import Member, Project, Role, Visibility
from tests.support.inprocess import InProcessPlatform, inprocess_platform

COUNT = 500
START = datetime(2025, 1, 1, tzinfo=UTC)
PAGE = """query($after: String, $sort: ProjectSort!, $search: String, $role: Role) {
  projects(first: 100, after: $after, sort: $sort, search: $search, minimumRole: $role,
           namespace: "paula") {
    totalCount edges { cursor node { id name creationDate updatedAt } }
    pageInfo { hasNextPage endCursor } } }"""


def seeded(index: int) -> Project:
    # Five projects share each creation time, so ties must be broken by id.
    created = START + timedelta(minutes=index // 5)
    paula = dev_subject("paula")
    return Project(
        id=str(ULID()),
        name=f"Dataset {(index * 7919) % COUNT:03d}",
        slug=f"dataset-{index}",
        namespace="paula",
        visibility=Visibility.PUBLIC if index % 2 == 0 else Visibility.PRIVATE,
        description=None,
        keywords=("even",) if index % 2 == 0 else ("odd",),
        created_by=paula,
        creation_date=created,
        updated_at=created + timedelta(hours=index % 3),
        members=(Member(paula, Role.OWNER),),
    )


async def page_through(
    platform: InProcessPlatform, token: str | None, **variables: Any
) -> tuple[int, list[dict[str, Any]]]:
    nodes: list[dict[str, Any]] = []
    after, total = None, -1
    while True:
        body = await platform.query(PAGE, token, {**variables, "after": after})
        assert "errors" not in body, body
        page = body["data"]["projects"]
        total = page["totalCount"]
        nodes.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return total, nodes
        after = page["pageInfo"]["endCursor"]


def key(sort: str, node: dict[str, Any]) -> tuple[Any, ...]:
    if sort == "NAME":
        return (node["name"].lower(), node["id"])
    field = "updatedAt" if sort == "UPDATED_AT_DESC" else "creationDate"
    return (datetime.fromisoformat(node[field]), node["id"])


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Project]]:
    """A data folder holding the 500 projects, imported once for this module's read-only tests."""
    data_dir = tmp_path_factory.mktemp("paging")
    projects = [seeded(i) for i in range(COUNT)]
    EmbeddedProjectStore(data_dir / "projects").import_projects(projects, Author("paula", ""))
    return data_dir, projects


@pytest.mark.parametrize("sort", ["CREATION_DATE", "CREATION_DATE_DESC", "UPDATED_AT_DESC", "NAME"])
async def test_every_sort_pages_through_all_projects_once_in_order(
    sort: str,
    paged: tuple[Path, list[Project]],
    dev_issuer: DevIssuer,
    verifier: TokenVerifier,
) -> None:
    data_dir, projects = paged
    async with inprocess_platform(data_dir, verifier, subgraphs=("users", "projects")) as platform:
        total, nodes = await page_through(platform, dev_issuer.sign("paula"), sort=sort)
        assert total == COUNT
        assert sorted(n["id"] for n in nodes) == sorted(p.id for p in projects)
        keys = [key(sort, node) for node in nodes]
        assert keys == sorted(keys, reverse=sort.endswith("_DESC"))

        public, seen = await page_through(platform, None, sort=sort, search="even")
        assert public == COUNT // 2 == len(seen)
        assert {n["id"] for n in seen} == {p.id for p in projects if "even" in p.keywords}


async def test_filters_and_foreign_cursors(
    paged: tuple[Path, list[Project]], dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    data_dir, _ = paged
    async with inprocess_platform(data_dir, verifier, subgraphs=("users", "projects")) as platform:
        paula, other = dev_issuer.sign("paula"), dev_issuer.sign("otto")
        owned, _ = await page_through(platform, paula, sort="NAME", role="OWNER")
        assert owned == COUNT
        visible, _ = await page_through(platform, other, sort="NAME")
        assert visible == COUNT // 2
        none, _ = await page_through(platform, other, sort="NAME", role="VIEWER")
        assert none == 0

        first = await platform.query(PAGE, paula, {"sort": "NAME"})
        cursor = first["data"]["projects"]["pageInfo"]["endCursor"]
        mixed = await platform.query(PAGE, paula, {"sort": "CREATION_DATE", "after": cursor})
        extensions = mixed["errors"][0]["extensions"]
        assert (extensions["code"], extensions["field"]) == ("BAD_USER_INPUT", "after")

"""How GitLab's objects map onto Renku's: ids, visibility, roles, fields, errors and listings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from gitlab.exceptions import GitlabCreateError, GitlabGetError, GitlabHttpError
from ulid import ULID

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.pagination import PageRequest, decode_cursor
from renku_fed.subgraphs.projects.backends.gitlab_listing import Listing, read_page
from renku_fed.subgraphs.projects.backends.gitlab_mapping import (
    access_level_for,
    gitlab_changes,
    gitlab_id,
    project_from_gitlab,
    project_id,
    refusal,
    role_from_access_level,
    visibility_from_gitlab,
    visibility_to_gitlab,
)
from renku_fed.subgraphs.projects.backends.gitlab_metadata import NO_METADATA, ProjectMetadata
from renku_fed.subgraphs.projects.models import Member, ProjectPatch, ProjectSort, Role, Visibility

# GitLab's documented `GET /projects/:id` response, trimmed to the fields the store reads.
GITLAB_PROJECT: dict[str, Any] = {
    "id": 42,
    "name": "Flight delays",
    "path": "flight-delays",
    "path_with_namespace": "alice/flight-delays",
    "description": "",
    "visibility": "internal",
    "topics": ["aviation", "delays"],
    "creator_id": 7,
    "created_at": "2024-03-01T10:00:00.123Z",
    "updated_at": "2024-03-02T11:00:00.000Z",
    "last_activity_at": "2024-03-02T10:00:00.000Z",
    "namespace": {"id": 9, "path": "alice", "kind": "user", "full_path": "alice"},
    "http_url_to_repo": "https://gitlab.example.org/alice/flight-delays.git",
    "forked_from_project": {"id": 5, "created_at": "2023-01-01T00:00:00Z"},
}


@pytest.mark.parametrize(
    ("level", "role"),
    [
        (0, None),
        (5, None),
        (10, Role.VIEWER),
        (20, Role.VIEWER),
        (30, Role.EDITOR),
        (40, Role.EDITOR),
        (50, Role.OWNER),
        (60, Role.OWNER),
    ],
)
def test_access_levels_map_to_roles(level: int, role: Role | None) -> None:
    assert role_from_access_level(level) is role


def test_roles_map_back_to_reporter_maintainer_owner() -> None:
    assert [access_level_for(r) for r in (Role.VIEWER, Role.EDITOR, Role.OWNER)] == [20, 40, 50]
    for role in Role:
        assert role_from_access_level(access_level_for(role)) is role


def test_visibility_maps_both_ways_and_internal_is_private() -> None:
    assert visibility_from_gitlab("public") is Visibility.PUBLIC
    assert visibility_from_gitlab("private") is Visibility.PRIVATE
    assert visibility_from_gitlab("internal") is Visibility.PRIVATE
    assert visibility_to_gitlab(Visibility.PUBLIC) == "public"
    assert visibility_to_gitlab(Visibility.PRIVATE) == "private"


def test_ids_are_ulids_that_decode_to_the_gitlab_id_and_sort_by_creation() -> None:
    created = datetime(2024, 3, 1, 10, tzinfo=UTC)
    first = project_id(123456789, created)
    later = project_id(5, created + timedelta(seconds=1))
    assert ULID.from_str(first).datetime == created
    assert (gitlab_id(first), gitlab_id(later)) == (123456789, 5)
    assert first < later
    assert project_id(123456789, created) == first


def test_ids_not_made_from_gitlab_projects_are_refused() -> None:
    assert gitlab_id(str(ULID())) is None
    assert gitlab_id("01JDEM0000000000000F11GHTS") is None
    assert gitlab_id("not-a-ulid") is None
    assert gitlab_id(project_id(0, datetime(2024, 1, 1, tzinfo=UTC))) is None


def test_project_from_a_documented_gitlab_response() -> None:
    members = (Member("alice-sub", Role.OWNER),)
    project = project_from_gitlab(GITLAB_PROJECT, members, "alice-sub", NO_METADATA)
    assert gitlab_id(project.id) == 42
    assert (project.namespace, project.slug, project.name) == (
        "alice",
        "flight-delays",
        "Flight delays",
    )
    assert project.visibility is Visibility.PRIVATE
    assert project.description is None
    assert project.keywords == ("aviation", "delays")
    assert project.repositories == ("https://gitlab.example.org/alice/flight-delays.git",)
    assert project.creation_date == datetime(2024, 3, 1, 10, 0, 0, 123000, tzinfo=UTC)
    assert project.updated_at == datetime(2024, 3, 2, 11, tzinfo=UTC)
    assert project.template_id == project_id(5, datetime(2023, 1, 1, tzinfo=UTC))
    assert (project.created_by, project.members) == ("alice-sub", members)


def test_renku_metadata_fills_documentation_and_can_move_updated_at() -> None:
    edited = datetime(2024, 4, 1, tzinfo=UTC)
    metadata = ProjectMetadata("# Read me", True, edited)
    project = project_from_gitlab(GITLAB_PROJECT, (), "x", metadata)
    assert (project.documentation, project.is_template, project.updated_at) == (
        "# Read me",
        True,
        edited,
    )
    unchanged = project_from_gitlab(GITLAB_PROJECT, (), "x", NO_METADATA)
    assert project.etag != unchanged.etag


def test_changes_send_only_the_gitlab_fields_that_differ() -> None:
    current = project_from_gitlab(GITLAB_PROJECT, (), "x", NO_METADATA)
    target = ProjectPatch(name="Delays", keywords=("air",), description="", documentation="d")
    assert gitlab_changes(current, target.apply(current)) == {"name": "Delays", "topics": ["air"]}
    public = ProjectPatch(visibility=Visibility.PUBLIC, slug="delays").apply(current)
    assert gitlab_changes(current, public) == {"visibility": "public", "path": "delays"}


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (GitlabGetError("401 Unauthorized", 401), ErrorCode.UNAUTHENTICATED),
        (GitlabGetError("403 Forbidden", 403), ErrorCode.FORBIDDEN),
        (GitlabGetError("404 Project Not Found", 404), ErrorCode.NOT_FOUND),
        (GitlabCreateError("{'path': ['has already been taken']}", 400), ErrorCode.CONFLICT),
        (GitlabCreateError("{'name': ['has already been taken']}", 409), ErrorCode.CONFLICT),
        (GitlabCreateError("{'name': ['is too long']}", 400), ErrorCode.BAD_USER_INPUT),
        (GitlabHttpError("500 Internal Server Error", 500), ErrorCode.UNAVAILABLE),
    ],
)
def test_gitlab_refusals_become_domain_errors(error: GitlabHttpError, code: ErrorCode) -> None:
    mapped = refusal(error, "slug", "alice/flights")
    assert mapped.code is code
    assert "alice/flights" in mapped.message or code in (
        ErrorCode.UNAUTHENTICATED,
        ErrorCode.UNAVAILABLE,
    )


class FakeGitLabList:
    """Pages of GitLab rows ids 1..n by GitLab's rules for `id_after`, `page` and `per_page`."""

    def __init__(self, count: int) -> None:
        self.ids = list(range(1, count + 1))
        self.calls: list[dict[str, Any]] = []

    def __call__(self, path: str, params: dict[str, Any]) -> tuple[list[dict[str, Any]], int, bool]:
        self.calls.append(params)
        ids = self.ids if params["sort"] == "asc" else self.ids[::-1]
        if "id_after" in params:
            ids = [i for i in ids if i > params["id_after"]]
        if "id_before" in params:
            ids = [i for i in ids if i < params["id_before"]]
        size, number = params["per_page"], params["page"]
        chunk = ids[(number - 1) * size : number * size]
        return [{"id": i} for i in chunk], len(ids), number * size < len(ids)


def test_keyset_pages_walk_every_row_once_and_report_the_full_total() -> None:
    fetch = FakeGitLabList(25)
    seen: list[int] = []
    after: str | None = None
    while True:
        page = read_page(
            fetch, Listing("/projects"), ProjectSort.CREATION_DATE, PageRequest.of(10, after)
        )
        assert page.total == 25
        seen += [row["id"] for row in page.rows]
        if not page.has_next:
            break
        after = page.cursors[-1]
    assert seen == list(range(1, 26))
    assert decode_cursor(after or "") == {"sort": "CREATION_DATE", "id": 20}
    assert any(call.get("id_after") == 20 for call in fetch.calls)


def test_offset_pages_cross_gitlab_page_boundaries() -> None:
    fetch = FakeGitLabList(25)
    first = read_page(fetch, Listing("/projects"), ProjectSort.NAME, PageRequest.of(7, None))
    second = read_page(
        fetch, Listing("/projects"), ProjectSort.NAME, PageRequest.of(10, first.cursors[-1])
    )
    assert [row["id"] for row in second.rows] == list(range(8, 18))
    assert second.has_next and second.total == 25
    last = read_page(
        fetch, Listing("/projects"), ProjectSort.NAME, PageRequest.of(10, second.cursors[-1])
    )
    assert [row["id"] for row in last.rows] == list(range(18, 26))
    assert not last.has_next


def test_descending_keyset_uses_id_before() -> None:
    fetch = FakeGitLabList(5)
    first = read_page(
        fetch, Listing("/projects"), ProjectSort.CREATION_DATE_DESC, PageRequest.of(2, None)
    )
    rest = read_page(
        fetch,
        Listing("/projects"),
        ProjectSort.CREATION_DATE_DESC,
        PageRequest.of(5, first.cursors[-1]),
    )
    assert [row["id"] for row in first.rows + rest.rows] == [5, 4, 3, 2, 1]


def test_a_cursor_from_another_sort_is_bad_user_input() -> None:
    fetch = FakeGitLabList(5)
    page = read_page(fetch, Listing("/projects"), ProjectSort.NAME, PageRequest.of(2, None))
    with pytest.raises(DomainError) as refused:
        read_page(
            fetch,
            Listing("/projects"),
            ProjectSort.CREATION_DATE,
            PageRequest.of(2, page.cursors[-1]),
        )
    assert (refused.value.code, refused.value.field) == (ErrorCode.BAD_USER_INPUT, "after")

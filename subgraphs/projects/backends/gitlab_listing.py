"""Project listings on GitLab: which endpoint and parameters a filter needs, pages and cursors.

Orders: CREATION_DATE is GitLab's `order_by=id` ascending (ids grow with creation),
CREATION_DATE_DESC descending, UPDATED_AT_DESC `order_by=updated_at`, NAME `order_by=name`;
GitLab breaks ties by id. Id orders page by keyset (`id_after`/`id_before`, stable when projects
come and go); the others, and the list of forks (which has no id filters), by offset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import gitlab
from gitlab.exceptions import GitlabError

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.pagination import PageRequest, encode_cursor
from renku_fed.subgraphs.projects.backends.gitlab_identities import GitLabIdentities
from renku_fed.subgraphs.projects.backends.gitlab_mapping import gitlab_id, visibility_to_gitlab
from renku_fed.subgraphs.projects.models import ProjectFilter, ProjectSort, Role

ORDERS = {
    ProjectSort.CREATION_DATE: ("id", "asc"),
    ProjectSort.CREATION_DATE_DESC: ("id", "desc"),
    ProjectSort.UPDATED_AT_DESC: ("updated_at", "desc"),
    ProjectSort.NAME: ("name", "asc"),
}
# The lowest GitLab access level that holds each role (Guest already counts as VIEWER).
MIN_ACCESS_LEVEL = {Role.VIEWER: 10, Role.EDITOR: 30, Role.OWNER: 50}


@dataclass(frozen=True, slots=True)
class Listing:
    """A GitLab list endpoint and its filter parameters; `keyset` if it takes `id_after`."""

    path: str
    params: dict[str, Any] = field(default_factory=dict)
    keyset: bool = True


@dataclass(frozen=True, slots=True)
class RawPage:
    """GitLab's project objects of one page, their cursors, the total and whether more follow."""

    rows: list[dict[str, Any]]
    cursors: list[str]
    total: int
    has_next: bool


# `fetch(path, params)` returns one page of JSON rows and GitLab's `X-Total`/`X-Next-Page`.
Fetch = Callable[[str, dict[str, Any]], tuple[list[dict[str, Any]], int | None, bool]]


def listing_for(
    gl: gitlab.Gitlab, identities: GitLabIdentities, caller: Identity, where: ProjectFilter
) -> Listing | None:
    """The endpoint and parameters that list what `where` asks for; None if nothing can match."""
    params: dict[str, Any] = {}
    if where.search:
        params["search"] = where.search
    if where.visibility is not None:
        params["visibility"] = visibility_to_gitlab(where.visibility)
    levels = [MIN_ACCESS_LEVEL[where.minimum_role]] if where.minimum_role else []
    if where.member is not None and where.member == caller.subject:
        levels.append(MIN_ACCESS_LEVEL[Role.VIEWER])
    if levels:
        if caller.subject is None:
            return None
        params["min_access_level"] = max(levels)
    if where.template_id is not None:
        number = gitlab_id(where.template_id)
        return None if number is None else Listing(f"/projects/{number}/forks", params, False)
    if where.member is not None and where.member != caller.subject:
        user_id = identities.user_id_of(where.member)
        if user_id is None:
            return None
        if where.namespace is not None and gl.users.get(user_id).username != where.namespace:
            return None
        return Listing(f"/users/{user_id}/projects", params)
    if where.namespace is not None:
        try:
            kind = gl.namespaces.get(where.namespace).attributes["kind"]
        except GitlabError as exc:
            if exc.response_code == 404:
                return None
            raise
        base = "/users" if kind == "user" else "/groups"
        return Listing(f"{base}/{quote(where.namespace, safe='')}/projects", params)
    return Listing("/projects", params)


def read_page(fetch: Fetch, listing: Listing, sort: ProjectSort, page: PageRequest) -> RawPage:
    """One page of `listing` in `sort` order after `page.after`, with cursors and total."""
    order_by, direction = ORDERS[sort]
    params = {**listing.params, "order_by": order_by, "sort": direction}
    keyset = listing.keyset and order_by == "id"
    after = _position(page.after, sort, keyset)
    size = max(page.first, 1)
    if keyset:
        query = dict(params)
        if after is not None:
            query["id_after" if direction == "asc" else "id_before"] = after
        rows, total, has_next = fetch(listing.path, {**query, "per_page": size, "page": 1})
        rows = rows[: page.first]
        if after is not None or total is None:
            total = fetch(listing.path, {**params, "per_page": 1, "page": 1})[1]
        cursors = [_cursor(sort, "id", int(row["id"])) for row in rows]
        return RawPage(rows, cursors, _known_total(total, rows, has_next), has_next)
    offset = after or 0
    number = offset // size + 1
    rows, total, more = fetch(listing.path, {**params, "per_page": size, "page": number})
    rows = rows[offset % size :]
    if len(rows) < page.first and more:
        following, total, more = fetch(
            listing.path, {**params, "per_page": size, "page": number + 1}
        )
        rows += following
    rows = rows[: page.first]
    cursors = [_cursor(sort, "offset", offset + i + 1) for i in range(len(rows))]
    end = offset + len(rows)
    has_next = more or (total is not None and end < total)
    return RawPage(rows, cursors, _known_total(total, rows, has_next, offset), has_next)


def _known_total(total: int | None, rows: list[Any], has_next: bool, offset: int = 0) -> int:
    # GitLab leaves out X-Total above 10,000 results; then what is known is a lower bound.
    if total is not None:
        return total
    return offset + len(rows) + int(has_next)


def _cursor(sort: ProjectSort, kind: str, value: int) -> str:
    return encode_cursor({"sort": sort.value, kind: value})


def _position(after: dict[str, Any] | None, sort: ProjectSort, keyset: bool) -> int | None:
    if after is None:
        return None
    value = after.get("id" if keyset else "offset")
    if after.get("sort") != sort.value or not isinstance(value, int) or value < 0:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"The `after` cursor does not come from a project list sorted by {sort.value}; "
            "pass an `endCursor` that list returned.",
            field="after",
        )
    return value

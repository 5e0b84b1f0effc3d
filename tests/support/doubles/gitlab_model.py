"""The GitLab double's rows, errors and pagination, shaped as GitLab's REST v4 documents them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

NOT_FOUND = {"message": "404 Project Not Found"}
MEMBER_LEVELS = (10, 20, 30, 40, 50)


class GitLabApiError(Exception):
    """A response GitLab would give instead of the resource."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


@dataclass
class GitLabUser:
    """A GitLab account; `subject` is its `openid_connect` identity's `extern_uid`."""

    id: int
    username: str
    name: str
    subject: str | None
    admin: bool
    token: str
    namespace_id: int


@dataclass
class GitLabProject:
    """A project row of the double."""

    id: int
    name: str
    path: str
    namespace_id: int
    visibility: str
    description: str | None
    topics: list[str]
    creator_id: int
    created_at: datetime
    updated_at: datetime
    members: dict[int, int] = field(default_factory=dict)
    forked_from: int | None = None


def page_response(rows: list[dict[str, Any]], request: Request) -> Response:
    """One page of `rows` as GitLab paginates: `page`, `per_page` and the pagination headers."""
    per_page = min(max(int(request.query_params.get("per_page", 20)), 1), 100)
    page = max(int(request.query_params.get("page", 1)), 1)
    total_pages = max((len(rows) + per_page - 1) // per_page, 1)
    headers = {
        "X-Total": str(len(rows)),
        "X-Total-Pages": str(total_pages),
        "X-Page": str(page),
        "X-Per-Page": str(per_page),
        "X-Next-Page": str(page + 1) if page < total_pages else "",
        "X-Prev-Page": str(page - 1) if page > 1 else "",
    }
    links = {"first": 1, "last": total_pages}
    if page < total_pages:
        links["next"] = page + 1
    if page > 1:
        links["prev"] = page - 1
    base = str(request.url).split("?")[0]
    query = {k: v for k, v in request.query_params.items() if k != "page"}
    headers["Link"] = ", ".join(
        f'<{base}?{urlencode({**query, "page": n})}>; rel="{rel}"' for rel, n in links.items()
    )
    return JSONResponse(rows[(page - 1) * per_page : page * per_page], headers=headers)


def gitlab_time(moment: datetime) -> str:
    """A timestamp as GitLab writes it: UTC, milliseconds, `Z`."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def topics(value: Any) -> list[str]:
    """Topics sent as a JSON list or as GitLab's comma-separated string."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else re.split(r"\s*,\s*", str(value))
    return [str(item) for item in items if str(item)]


def user_json(base_url: str, user: GitLabUser, caller: GitLabUser | None) -> dict[str, Any]:
    """A user; `identities` and `is_admin` only for administrators and the user themself."""
    body: dict[str, Any] = {
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "state": "active",
        "avatar_url": None,
        "web_url": f"{base_url}/{user.username}",
    }
    if caller is not None and (caller.admin or caller.id == user.id):
        identities = [{"provider": "openid_connect", "extern_uid": user.subject}]
        body["identities"] = identities if user.subject else []
        body["is_admin"] = user.admin
    return body


def member_json(user: GitLabUser, level: int) -> dict[str, Any]:
    """A project member with their access level."""
    return {
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "state": "active",
        "access_level": level,
        "expires_at": None,
        "membership_state": "active",
    }


def namespace_json(base_url: str, owner: GitLabUser) -> dict[str, Any]:
    """A user's personal namespace."""
    return {
        "id": owner.namespace_id,
        "name": owner.name,
        "path": owner.username,
        "kind": "user",
        "full_path": owner.username,
        "parent_id": None,
        "web_url": f"{base_url}/{owner.username}",
    }


def filter_projects(
    found: list[GitLabProject], params: dict[str, Any], level_of: Callable[[GitLabProject], int]
) -> list[GitLabProject]:
    """The projects a list endpoint's filter and order parameters select, in order.

    `level_of` is the caller's access level in a project; `min_access_level` needs a caller.
    """
    if params.get("min_access_level"):
        found = [p for p in found if level_of(p) >= int(params["min_access_level"])]
    if params.get("visibility"):
        found = [p for p in found if p.visibility == params["visibility"]]
    if params.get("search"):
        text = str(params["search"]).lower()
        found = [
            p
            for p in found
            if any(text in (s or "").lower() for s in (p.name, p.path, p.description))
        ]
    if params.get("id_after"):
        found = [p for p in found if p.id > int(params["id_after"])]
    if params.get("id_before"):
        found = [p for p in found if p.id < int(params["id_before"])]
    order = params.get("order_by", "created_at")
    if order not in ("id", "created_at", "name", "path", "updated_at", "last_activity_at"):
        raise GitLabApiError(400, {"error": "order_by does not have a valid value"})
    key = {"id": "id", "last_activity_at": "updated_at"}.get(order, order)
    found.sort(key=lambda p: (getattr(p, key), p.id), reverse=params.get("sort", "desc") == "desc")
    return found


def project_json(
    base_url: str,
    project: GitLabProject,
    owner: GitLabUser,
    *,
    forks: int,
    parent: tuple[GitLabProject, str] | None,
    level: int | None,
) -> dict[str, Any]:
    """A project as `GET /projects/:id` shows it; `level` is the caller's (None: anonymous)."""
    full_path = f"{owner.username}/{project.path}"
    body: dict[str, Any] = {
        "id": project.id,
        "name": project.name,
        "path": project.path,
        "path_with_namespace": full_path,
        "name_with_namespace": f"{owner.name} / {project.name}",
        "description": project.description,
        "visibility": project.visibility,
        "topics": list(project.topics),
        "tag_list": list(project.topics),
        "default_branch": "main",
        "creator_id": project.creator_id,
        "created_at": gitlab_time(project.created_at),
        "updated_at": gitlab_time(project.updated_at),
        "last_activity_at": gitlab_time(project.updated_at),
        "namespace": namespace_json(base_url, owner),
        "http_url_to_repo": f"{base_url}/{full_path}.git",
        "ssh_url_to_repo": f"git@gitlab.invalid:{full_path}.git",
        "web_url": f"{base_url}/{full_path}",
        "forks_count": forks,
    }
    if parent is not None:
        source, source_path = parent
        body["forked_from_project"] = {
            "id": source.id,
            "name": source.name,
            "path": source.path,
            "path_with_namespace": source_path,
            "created_at": gitlab_time(source.created_at),
        }
    if level is not None:
        access = {"access_level": level, "notification_level": 3} if level else None
        body["permissions"] = {"project_access": access, "group_access": None}
    return body

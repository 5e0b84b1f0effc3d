"""Each resource method as a call: the operation, its variables, and how to read the answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from renku_fed.sdk.errors import ErrorDetail, NotFound, error_for
from renku_fed.sdk.models import (
    Lineage,
    Project,
    RecordedActivity,
    RecordedDataset,
    Role,
    SearchHit,
    Session,
    User,
    Visibility,
)

T = TypeVar("T")
PAGE_SIZE = 50


@dataclass(frozen=True)
class Call(Generic[T]):
    """One operation to run and the function that turns its `data` into the result."""

    operation: str
    variables: dict[str, Any]
    read: Callable[[dict[str, Any]], T]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a connection and the cursor of the next, if any."""

    items: list[T]
    total: int
    next_cursor: str | None = field(default=None)


def payload(data: dict[str, Any], name: str) -> dict[str, Any]:
    """A mutation's payload, raising its typed `errors` as the matching exception."""
    body: dict[str, Any] = data[name]
    errors = body.get("errors") or []
    if errors:
        raise error_for(
            [ErrorDetail(e["code"], e["message"], (name,), e.get("field")) for e in errors]
        )
    return body


def found(value: T | None, what: str) -> T:
    """The value, or NotFound naming what was looked for."""
    if value is None:
        raise NotFound(f"NOT_FOUND: {what} does not exist or you may not see it")
    return value


def _page(data: dict[str, Any], parse: Callable[[dict[str, Any]], T]) -> Page[T]:
    info = data["pageInfo"]
    return Page(
        [parse(edge["node"]) for edge in data["edges"]],
        int(data["totalCount"]),
        info["endCursor"] if info["hasNextPage"] else None,
    )


def list_projects(
    search: str | None,
    visibility: Visibility | str | None,
    namespace: str | None,
    minimum_role: Role | str | None,
    after: str | None,
) -> Call[Page[Project]]:
    """A page of the projects the caller may see."""
    variables = {
        "search": search,
        "visibility": Visibility(visibility).value if visibility else None,
        "namespace": namespace,
        "minimumRole": Role(minimum_role).value if minimum_role else None,
        "first": PAGE_SIZE,
        "after": after,
    }
    return Call("ListProjects", variables, lambda d: _page(d["projects"], Project.model_validate))


def get_project(project_id: str) -> Call[Project]:
    """One project by id."""
    return Call(
        "GetProject",
        {"id": project_id},
        lambda d: Project.model_validate(found(d["project"], f"project {project_id}")),
    )


def get_project_by_slug(path: str) -> Call[Project]:
    """One project by `namespace/slug`."""
    namespace, _, slug = path.rpartition("/")
    return Call(
        "GetProjectBySlug",
        {"namespace": namespace, "slug": slug},
        lambda d: Project.model_validate(found(d["projectBySlug"], f"project {path}")),
    )


def _project_payload(name: str) -> Callable[[dict[str, Any]], Project]:
    return lambda d: Project.model_validate(payload(d, name)["project"])


def create_project(fields: dict[str, Any]) -> Call[Project]:
    """Create a project from CreateProjectInput's fields."""
    return Call("CreateProject", {"input": _input(fields)}, _project_payload("createProject"))


def update_project(project: Project, fields: dict[str, Any]) -> Call[Project]:
    """Change a project, guarded by the etag it was read with."""
    variables = {"id": project.id, "ifMatch": project.etag, "input": _input(fields)}
    return Call("UpdateProject", variables, _project_payload("updateProject"))


def delete_project(project_id: str) -> Call[str]:
    """Delete a project and its repository."""
    return Call(
        "DeleteProject", {"id": project_id}, lambda d: str(payload(d, "deleteProject")["id"])
    )


def set_members(project_id: str, members: dict[str, Role | str]) -> Call[Project]:
    """Add members or change their roles (user id to role)."""
    listed = [{"userId": uid, "role": Role(role).value} for uid, role in members.items()]
    variables = {"id": project_id, "members": listed}
    return Call("SetProjectMembers", variables, _project_payload("setProjectMembers"))


def remove_member(project_id: str, user_id: str) -> Call[Project]:
    """Remove a member from a project."""
    variables = {"id": project_id, "userId": user_id}
    return Call("RemoveProjectMember", variables, _project_payload("removeProjectMember"))


def me() -> Call[User]:
    """The caller."""
    return Call(
        "Me", {}, lambda d: User.model_validate(found(d["me"], "the signed-in user (no token?)"))
    )


def get_user(user_id: str) -> Call[User]:
    """A user by id."""
    return Call(
        "GetUser",
        {"id": user_id},
        lambda d: User.model_validate(found(d["user"], f"user {user_id}")),
    )


def is_user_id(user: str) -> bool:
    """Whether `user` looks like a user id (a ULID) rather than a username."""
    return user.isalnum() and len(user) == 26


def user_by_username(username: str) -> Call[User]:
    """A user by username."""
    return Call(
        "GetUserByUsername",
        {"username": username},
        lambda d: User.model_validate(found(d["userByUsername"], f"user {username}")),
    )


def _session_payload(name: str) -> Callable[[dict[str, Any]], Session]:
    return lambda d: Session.model_validate(payload(d, name)["session"])


def launch_session(project_id: str, launcher_id: str | None) -> Call[Session]:
    """Start (or find) the caller's session of a project's launcher."""
    fields = {"launcherId": launcher_id} if launcher_id else {"projectId": project_id}
    return Call("LaunchSession", {"input": fields}, _session_payload("launchSession"))


def session_changed(session_id: str) -> Call[Session]:
    """One of the caller's sessions as it is, then after each change (a subscription)."""
    return Call(
        "SessionChanged",
        {"id": session_id},
        lambda d: Session.model_validate(found(d["sessionChanged"], f"session {session_id}")),
    )


def get_session(session_id: str) -> Call[Session]:
    """One of the caller's sessions."""
    return Call(
        "GetSession",
        {"id": session_id},
        lambda d: Session.model_validate(found(d["session"], f"session {session_id}")),
    )


def list_sessions() -> Call[list[Session]]:
    """The caller's sessions."""
    return Call("ListSessions", {}, lambda d: [Session.model_validate(s) for s in d["sessions"]])


def session_change(operation: str, session_id: str) -> Call[Session]:
    """HibernateSession or ResumeSession."""
    name = operation[0].lower() + operation[1:]
    return Call(operation, {"id": session_id}, _session_payload(name))


def delete_session(session_id: str) -> Call[str]:
    """Stop and remove a session."""
    return Call(
        "DeleteSession", {"id": session_id}, lambda d: str(payload(d, "deleteSession")["id"])
    )


def session_logs(session_id: str, max_lines: int) -> Call[str]:
    """The last lines of a session's log."""
    return Call(
        "SessionLogs",
        {"id": session_id, "maxLines": max_lines},
        lambda d: str(found(d["session"], f"session {session_id}")["logs"]),
    )


def search(
    query: str | None,
    types: Sequence[str] | None,
    keywords: Sequence[str] | None,
    after: str | None,
) -> Call[Page[SearchHit]]:
    """A page of knowledge-graph search results."""
    variables = {
        "query": query,
        "types": list(types) if types else None,
        "keywords": list(keywords) if keywords else None,
        "first": PAGE_SIZE,
        "after": after,
    }
    return Call("Search", variables, lambda d: _page(d["search"], SearchHit.from_node))


def lineage(project_id: str, path: str) -> Call[Lineage]:
    """How a file of a project came to be."""
    return Call(
        "Lineage",
        {"id": project_id, "path": path},
        lambda d: Lineage.model_validate(found(d["project"], f"project {project_id}")["lineage"]),
    )


def record_dataset(project_id: str, name: str, fields: dict[str, Any]) -> Call[RecordedDataset]:
    """Record a dataset (name, files, metadata) in a project's repository."""
    variables = {"input": {"projectId": project_id, "name": name, **_input(fields)}}
    return Call(
        "RecordDataset",
        variables,
        lambda d: RecordedDataset.model_validate(payload(d, "recordDataset")),
    )


def record_activity(
    project_id: str, command: str, fields: dict[str, Any]
) -> Call[RecordedActivity]:
    """Record a run of a command (what it read and wrote) in a project's repository."""
    variables = {"input": {"projectId": project_id, "command": command, **_input(fields)}}
    return Call(
        "RecordActivity",
        variables,
        lambda d: RecordedActivity.model_validate(payload(d, "recordActivity")),
    )


def _input(fields: dict[str, Any]) -> dict[str, Any]:
    """Snake-case keyword arguments as the API's camelCase input, enums as their values."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        head, *rest = key.split("_")
        name = head + "".join(part.capitalize() for part in rest)
        out[name] = _value(value)
    return out


def _value(value: Any) -> Any:
    """An argument as JSON: enums as their values, datetimes in ISO 8601, tuples as lists."""
    if isinstance(value, (Visibility, Role)):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_value(item) for item in value]
    return value

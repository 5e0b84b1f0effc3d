"""An in-memory GitLab double that follows GitLab's documented REST v4 responses.

It is shaped by GitLab's REST API documentation (docs.gitlab.com/api/projects, /members,
/users, /namespaces, /rest#pagination) and answers python-gitlab as GitLab does:

- `/api/v4/user`, `/users` (`username`; `extern_uid` + `provider` for administrators only),
  `/users/:id` (`identities` only for administrators), `/users/:id/projects`,
  `/namespaces/:id` (id or URL-encoded path);
- `/projects` (GET with `search`, `visibility`, `min_access_level`, `order_by`, `sort`,
  `id_after`, `id_before`; POST), `/projects/:id` (numeric id or URL-encoded
  `namespace/path`; GET, PUT, DELETE with 202), `/projects/:id/fork`, `/projects/:id/forks`,
  `/projects/:id/members`, `/projects/:id/members/all`, `/projects/:id/members/:user_id`;
- offset pagination (`page`, `per_page` <= 100) with `X-Total`, `X-Total-Pages`, `X-Page`,
  `X-Per-Page`, `X-Next-Page`, `X-Prev-Page` and `Link` headers;
- visibility `public`/`internal`/`private` and access levels 10/20/30/40/50;
- errors as GitLab shapes them: `{"message": "401 Unauthorized"}`, `{"message": "403 Forbidden"}`,
  `{"message": "404 Project Not Found"}`, `{"message": {"path": ["has already been taken"]}}`.

GitLab's own access rules are enforced per token (`Authorization: Bearer` or `PRIVATE-TOKEN`):
a private project is a 404 to non-members, internal needs a signed-in user, editing needs
Maintainer (visibility changes Owner), deleting Owner, managing members Maintainer (Owner to
grant Owner); administrators may do everything.

Tests inject failures with `on_write`: an action run as the N-th write request arrives, which
may rotate a token (the request then meets an expired token) or raise `GitLabApiError`.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.doubles.gitlab_model import (
    MEMBER_LEVELS,
    NOT_FOUND,
    GitLabApiError,
    GitLabProject,
    GitLabUser,
    filter_projects,
    member_json,
    namespace_json,
    page_response,
    project_json,
    topics,
    user_json,
)


class GitLabDouble:
    """GitLab's state and its REST v4 app; tests add users, then call it through python-gitlab."""

    def __init__(self) -> None:
        self.users: dict[int, GitLabUser] = {}
        self.projects: dict[int, GitLabProject] = {}
        self.requests: list[tuple[str, str, str | None]] = []
        self._writes = 0
        self._on_write: dict[int, Callable[[], None]] = {}
        self._ids = itertools.count(1)
        self._clock = datetime(2025, 1, 1, tzinfo=UTC)
        self.url = "http://gitlab.invalid"
        self.app = Starlette(
            routes=[
                Route(
                    "/api/v4/{rest:path}", self._dispatch, methods=["GET", "POST", "PUT", "DELETE"]
                )
            ]
        )

    def add_user(self, username: str, subject: str | None, *, admin: bool = False) -> GitLabUser:
        """A new account with a personal namespace and a personal access token."""
        user = GitLabUser(
            id=next(self._ids),
            username=username,
            name=username.title(),
            subject=subject,
            admin=admin,
            token=f"glpat-{secrets.token_urlsafe(16)}",
            namespace_id=next(self._ids),
        )
        self.users[user.id] = user
        return user

    def add_project(
        self,
        owner: GitLabUser,
        path: str,
        *,
        name: str | None = None,
        visibility: str = "public",
        description: str | None = None,
        project_topics: list[str] | None = None,
        creator: GitLabUser | None = None,
    ) -> GitLabProject:
        """A new project in `owner`'s namespace, `owner` its Owner (as a create makes it)."""
        now = self._now()
        project = GitLabProject(
            id=next(self._ids),
            name=name or path,
            path=path,
            namespace_id=owner.namespace_id,
            visibility=visibility,
            description=description,
            topics=project_topics or [],
            creator_id=(creator or owner).id,
            created_at=now,
            updated_at=now,
            members={owner.id: 50},
        )
        self.projects[project.id] = project
        return project

    def on_write(self, n: int, action: Callable[[], None]) -> None:
        """Run `action` when the n-th write (POST, PUT, DELETE) from now arrives."""
        self._on_write[self._writes + n] = action

    def _now(self) -> datetime:
        # A clock that always moves forward, so that every edit gets a newer `updated_at`.
        self._clock = max(datetime.now(UTC), self._clock + timedelta(milliseconds=1))
        return self._clock

    async def _dispatch(self, request: Request) -> Response:
        raw = request.scope["raw_path"].decode().split("?")[0]
        segments = [unquote(s) for s in raw.removeprefix("/api/v4/").split("/") if s]
        token = request.headers.get("private-token") or request.headers.get(
            "authorization", ""
        ).removeprefix("Bearer ")
        self.requests.append((request.method, "/".join(segments), token or None))
        try:
            if request.method != "GET":
                self._writes += 1
                self._on_write.pop(self._writes, lambda: None)()
            caller = self._caller(token)
            body: dict[str, Any] = {}
            if request.method in ("POST", "PUT") and await request.body():
                if request.headers.get("content-type", "").startswith("application/json"):
                    body = await request.json()
                else:
                    body = dict(await request.form())
            params = {**dict(request.query_params), **body}
            return self._route(request.method, segments, params, caller, request)
        except GitLabApiError as exc:
            return JSONResponse(exc.body, status_code=exc.status)

    def _caller(self, token: str) -> GitLabUser | None:
        if not token:
            return None
        for user in self.users.values():
            if secrets.compare_digest(user.token, token):
                return user
        raise GitLabApiError(401, {"message": "401 Unauthorized"})

    def _route(
        self,
        method: str,
        segments: list[str],
        params: dict[str, Any],
        caller: GitLabUser | None,
        request: Request,
    ) -> Response:
        match (method, segments):
            case ("GET", ["user"]):
                return JSONResponse(user_json(self.url, self._signed_in(caller), caller))
            case ("GET", ["users"]):
                return self._list_users(params, caller, request)
            case ("GET", ["users", user_id]):
                return JSONResponse(user_json(self.url, self._user(user_id), caller))
            case ("GET", ["users", user_id, "projects"]):
                owner = self._user(user_id)
                found = [p for p in self._visible(caller) if p.namespace_id == owner.namespace_id]
                return self._list_projects(found, params, caller, request)
            case ("GET", ["namespaces", namespace]):
                return JSONResponse(namespace_json(self.url, self._namespace(namespace)))
            case ("GET", ["projects"]):
                return self._list_projects(self._visible(caller), params, caller, request)
            case ("POST", ["projects"]):
                return self._create(params, self._signed_in(caller))
            case ("GET", ["projects", ref]):
                return JSONResponse(self._project_json(self._readable(ref, caller), caller))
            case ("PUT", ["projects", ref]):
                return self._edit(self._readable(ref, caller), params, caller)
            case ("DELETE", ["projects", ref]):
                project = self._readable(ref, caller)
                self._require(project, caller, 50)
                del self.projects[project.id]
                return JSONResponse({"message": "202 Accepted"}, status_code=202)
            case ("POST", ["projects", ref, "fork"]):
                return self._fork(self._readable(ref, caller), params, self._signed_in(caller))
            case ("GET", ["projects", ref, "forks"]):
                source = self._readable(ref, caller)
                forks = [p for p in self._visible(caller) if p.forked_from == source.id]
                # GitLab's list of forks takes no id filters.
                params = {k: v for k, v in params.items() if k not in ("id_after", "id_before")}
                return self._list_projects(forks, params, caller, request)
            case ("DELETE", ["projects", ref, "fork"]):
                project = self._readable(ref, caller)
                self._require(project, caller, 40)
                if project.forked_from is None:
                    raise GitLabApiError(304, {})
                project.forked_from = None
                return Response(status_code=204)
            case ("GET", ["projects", ref, "members"] | ["projects", ref, "members", "all"]):
                project = self._readable(ref, caller)
                rows = [member_json(self.users[u], lvl) for u, lvl in project.members.items()]
                return page_response(rows, request)
            case ("POST", ["projects", ref, "members"]):
                return self._add_member(self._readable(ref, caller), params, caller)
            case ("PUT", ["projects", ref, "members", user_id]):
                return self._edit_member(self._readable(ref, caller), user_id, params, caller)
            case ("DELETE", ["projects", ref, "members", user_id]):
                project = self._readable(ref, caller)
                member = self._user(user_id)
                if member.id not in project.members:
                    raise GitLabApiError(404, {"message": "404 Member Not Found"})
                self._require(project, caller, 50 if project.members[member.id] == 50 else 40)
                del project.members[member.id]
                return Response(status_code=204)
        raise GitLabApiError(404, {"error": "404 Not Found"})

    @staticmethod
    def _signed_in(caller: GitLabUser | None) -> GitLabUser:
        if caller is None:
            raise GitLabApiError(401, {"message": "401 Unauthorized"})
        return caller

    def _user(self, ref: str) -> GitLabUser:
        if ref.isdigit():
            user = self.users.get(int(ref))
        else:
            user = next((u for u in self.users.values() if u.username == ref), None)
        if user is None:
            raise GitLabApiError(404, {"message": "404 User Not Found"})
        return user

    def _namespace(self, ref: str) -> GitLabUser:
        for user in self.users.values():
            if ref in (str(user.namespace_id), user.username):
                return user
        raise GitLabApiError(404, {"message": "404 Namespace Not Found"})

    def _list_users(
        self, params: dict[str, Any], caller: GitLabUser | None, request: Request
    ) -> Response:
        users = list(self.users.values())
        if "extern_uid" in params or "provider" in params:
            if caller is None or not caller.admin:
                raise GitLabApiError(403, {"message": "403 Forbidden"})
            if params.get("provider") != "openid_connect":
                users = []
            users = [u for u in users if u.subject == params.get("extern_uid")]
        if "username" in params:
            users = [u for u in users if u.username.lower() == str(params["username"]).lower()]
        return page_response([user_json(self.url, u, caller) for u in users], request)

    def _level(self, project: GitLabProject, caller: GitLabUser | None) -> int:
        return 0 if caller is None else project.members.get(caller.id, 0)

    def _can_read(self, project: GitLabProject, caller: GitLabUser | None) -> bool:
        if project.visibility == "public":
            return True
        if caller is None:
            return False
        if project.visibility == "internal" or caller.admin:
            return True
        return self._level(project, caller) >= 10

    def _visible(self, caller: GitLabUser | None) -> list[GitLabProject]:
        return [p for p in self.projects.values() if self._can_read(p, caller)]

    def _readable(self, ref: str, caller: GitLabUser | None) -> GitLabProject:
        project: GitLabProject | None = None
        if ref.isdigit():
            project = self.projects.get(int(ref))
        else:
            project = next((p for p in self.projects.values() if self._full_path(p) == ref), None)
        if project is None or not self._can_read(project, caller):
            raise GitLabApiError(404, NOT_FOUND)
        return project

    def _require(self, project: GitLabProject, caller: GitLabUser | None, level: int) -> None:
        if caller is None:
            raise GitLabApiError(401, {"message": "401 Unauthorized"})
        if not caller.admin and self._level(project, caller) < level:
            raise GitLabApiError(403, {"message": "403 Forbidden"})

    def _full_path(self, project: GitLabProject) -> str:
        return f"{self._namespace(str(project.namespace_id)).username}/{project.path}"

    def _taken(self, namespace_id: int, path: str, name: str) -> bool:
        return any(
            p.namespace_id == namespace_id and (p.path == path or p.name == name)
            for p in self.projects.values()
        )

    def _create(self, params: dict[str, Any], caller: GitLabUser) -> Response:
        name, path = params.get("name"), params.get("path")
        if not name and not path:
            raise GitLabApiError(
                400, {"error": "name, path are missing, at least one parameter must be provided"}
            )
        namespace = self._namespace(str(params.get("namespace_id", caller.namespace_id)))
        if namespace.id != caller.id and not caller.admin:
            raise GitLabApiError(403, {"message": "403 Forbidden"})
        path = str(path or name).lower()
        name = str(name or path)
        if self._taken(namespace.namespace_id, path, name):
            taken = ["has already been taken"]
            raise GitLabApiError(400, {"message": {"name": taken, "path": taken}})
        project = self.add_project(
            namespace,
            path,
            name=name,
            visibility=str(params.get("visibility", "private")),
            description=params.get("description"),
            project_topics=topics(params.get("topics")),
            creator=caller,
        )
        return JSONResponse(self._project_json(project, caller), status_code=201)

    def _edit(
        self, project: GitLabProject, params: dict[str, Any], caller: GitLabUser | None
    ) -> Response:
        self._require(project, caller, 40)
        visibility = params.get("visibility", project.visibility)
        if visibility != project.visibility:
            self._require(project, caller, 50)
        path = str(params.get("path", project.path))
        name = str(params.get("name", project.name))
        others = [p for p in self.projects.values() if p.id != project.id]
        if any(p.namespace_id == project.namespace_id and p.path == path for p in others):
            raise GitLabApiError(400, {"message": {"path": ["has already been taken"]}})
        project.name, project.path, project.visibility = name, path, str(visibility)
        if "description" in params:
            project.description = params["description"] or None
        if "topics" in params:
            project.topics = topics(params["topics"])
        project.updated_at = self._now()
        return JSONResponse(self._project_json(project, caller))

    def _fork(self, source: GitLabProject, params: dict[str, Any], caller: GitLabUser) -> Response:
        namespace = self._namespace(
            str(params.get("namespace_path") or params.get("namespace_id") or caller.username)
        )
        if namespace.id != caller.id and not caller.admin:
            raise GitLabApiError(403, {"message": "403 Forbidden"})
        path = str(params.get("path") or source.path)
        name = str(params.get("name") or source.name)
        if self._taken(namespace.namespace_id, path, name):
            taken = ["has already been taken"]
            raise GitLabApiError(409, {"message": {"name": taken, "path": taken}})
        now = self._now()
        fork = GitLabProject(
            id=next(self._ids),
            name=name,
            path=path,
            namespace_id=namespace.namespace_id,
            visibility=str(params.get("visibility") or source.visibility),
            description=params.get("description", source.description),
            topics=list(source.topics),
            creator_id=caller.id,
            created_at=now,
            updated_at=now,
            members={namespace.id: 50},
            forked_from=source.id,
        )
        self.projects[fork.id] = fork
        return JSONResponse(self._project_json(fork, caller), status_code=201)

    def _add_member(
        self, project: GitLabProject, params: dict[str, Any], caller: GitLabUser | None
    ) -> Response:
        level = int(params.get("access_level", 0))
        if level not in MEMBER_LEVELS:
            raise GitLabApiError(
                400, {"message": {"access_level": ["is not included in the list"]}}
            )
        self._require(project, caller, 50 if level == 50 else 40)
        member = self._user(str(params.get("user_id", "")))
        if member.id in project.members:
            raise GitLabApiError(409, {"message": "Member already exists"})
        project.members[member.id] = level
        return JSONResponse(member_json(member, level), status_code=201)

    def _edit_member(
        self,
        project: GitLabProject,
        user_id: str,
        params: dict[str, Any],
        caller: GitLabUser | None,
    ) -> Response:
        member = self._user(user_id)
        if member.id not in project.members:
            raise GitLabApiError(404, {"message": "404 Member Not Found"})
        level = int(params.get("access_level", 0))
        if level not in MEMBER_LEVELS:
            raise GitLabApiError(
                400, {"message": {"access_level": ["is not included in the list"]}}
            )
        self._require(project, caller, 50 if 50 in (level, project.members[member.id]) else 40)
        project.members[member.id] = level
        return JSONResponse(member_json(member, level))

    def _list_projects(
        self,
        found: list[GitLabProject],
        params: dict[str, Any],
        caller: GitLabUser | None,
        request: Request,
    ) -> Response:
        if params.get("min_access_level") and caller is None:
            raise GitLabApiError(401, {"message": "401 Unauthorized"})
        found = filter_projects(found, params, lambda p: self._level(p, caller))
        return page_response([self._project_json(p, caller) for p in found], request)

    def _project_json(self, project: GitLabProject, caller: GitLabUser | None) -> dict[str, Any]:
        parent = self.projects.get(project.forked_from or 0)
        shown = parent if parent is not None and self._can_read(parent, caller) else None
        return project_json(
            self.url,
            project,
            self._namespace(str(project.namespace_id)),
            forks=sum(p.forked_from == project.id for p in self.projects.values()),
            parent=None if shown is None else (shown, self._full_path(shown)),
            level=None if caller is None else self._level(project, caller),
        )

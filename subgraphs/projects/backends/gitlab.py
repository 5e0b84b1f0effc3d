"""The GitLab project store: Renku projects are GitLab projects, reached with python-gitlab.

Every call uses the caller's own GitLab token (from Keycloak's broker, through
`subgraphs/common/gitlab_tokens.py`), so GitLab applies its access rules as well as ours;
anonymous callers call without a token and see public projects only. Renku's rules (roles, last
owner) are checked first on what GitLab shows the caller, so a refusal writes nothing. How
fields, ids, visibility and roles map is in `gitlab_mapping`; users map through
`gitlab_identities`; documentation and the template flag, which GitLab has no field for, are in
`gitlab_metadata`.

A mutation of several GitLab calls records how to undo each call as it succeeds; if a later
call fails, the earlier ones are undone, newest first, and the caller gets the error. The one
call GitLab cannot undo (unlinking a fork) goes last. When GitLab refuses the caller's token,
the broker is asked for a fresh one and that one call is sent again (`_CallerGitlab`); a
refused call changed nothing, so the calls before it stand and nothing is sent twice. Should
an undo fail as well (GitLab down, or Keycloak holding no valid token any more), the error
names what is left changed, since nothing else can put it back.

Known limits: GitLab has no conditional edit, so an `ifMatch` is compared with the etag just
read and an edit landing between that read and our write goes unseen. GitLab lists no other
user's memberships, so `ProjectFilter.member` for another user lists the projects in that
user's personal namespace. `search` is GitLab's (name, path, description; not topics). A
group namespace is the GitLab group of that path, and GitLab decides who may create there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import gitlab
import requests
from gitlab.exceptions import GitlabAuthenticationError, GitlabError

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.gitlab_tokens import GitLabTokenBroker
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.projects.backends import refusals
from renku_fed.subgraphs.projects.backends.gitlab_identities import GitLabIdentities
from renku_fed.subgraphs.projects.backends.gitlab_listing import listing_for, read_page
from renku_fed.subgraphs.projects.backends.gitlab_mapping import (
    access_level_for,
    gitlab_changes,
    gitlab_id,
    project_from_gitlab,
    refusal,
    role_from_access_level,
    visibility_to_gitlab,
)
from renku_fed.subgraphs.projects.backends.gitlab_metadata import (
    NO_METADATA,
    MetadataTable,
    ProjectMetadata,
)
from renku_fed.subgraphs.projects.models import (
    Member,
    NewProject,
    Project,
    ProjectFilter,
    ProjectPage,
    ProjectPatch,
    ProjectSort,
)
from renku_fed.subgraphs.projects.settings import ProjectsSettings

T = TypeVar("T")
Row = dict[str, Any]
# What undoes one applied change, and how to name that change if the undo fails.
Undo = tuple[str, Callable[[], object]]


def connect_gitlab_store(settings: ProjectsSettings) -> GitLabProjectStore:
    """The GitLab store the settings describe (their validator ensured every value is set)."""
    if not (settings.gitlab_url and settings.keycloak_url and settings.gitlab_admin_token):
        raise ValueError("the gitlab backend needs a GitLab URL, admin token and Keycloak URL")
    admin = gitlab.Gitlab(
        settings.gitlab_url, private_token=settings.gitlab_admin_token.get_secret_value()
    )
    tokens = GitLabTokenBroker(
        settings.keycloak_url,
        settings.keycloak_realm,
        settings.gitlab_idp_alias,
        ttl_seconds=settings.gitlab_token_cache_seconds,
    )
    return GitLabProjectStore(
        settings.gitlab_url, tokens, GitLabIdentities(admin), MetadataTable(settings.data_dir)
    )


class GitLabProjectStore:
    """A `ProjectStore` on a GitLab instance, acting with each caller's own GitLab token."""

    def __init__(
        self,
        gitlab_url: str,
        tokens: GitLabTokenBroker,
        identities: GitLabIdentities,
        metadata: MetadataTable,
        timeout_seconds: float = 10.0,
    ) -> None:
        self._url = gitlab_url.rstrip("/")
        self._tokens = tokens
        self._identities = identities
        self._metadata = metadata
        self._timeout = timeout_seconds

    async def get(self, project_id: str, caller: Identity) -> Project | None:
        """The project with this id if the caller may see it, else None."""
        number = gitlab_id(project_id)
        if number is None:
            return None
        project = await self._read(caller, str(number))
        return project if project is not None and project.id == project_id else None

    async def get_by_slug(self, namespace: str, slug: str, caller: Identity) -> Project | None:
        """The project at `namespace/slug` if the caller may see it, else None."""
        return await self._read(caller, f"{namespace}/{slug}")

    async def search(
        self,
        caller: Identity,
        where: ProjectFilter,
        page: PageRequest,
        sort: ProjectSort = ProjectSort.CREATION_DATE,
    ) -> ProjectPage:
        """The visible projects matching `where`, a page in `sort` order (ties broken by id)."""

        def work(gl: gitlab.Gitlab) -> tuple[list[Row], list[str], int, bool]:
            listing = listing_for(gl, self._identities, caller, where)
            if listing is None:
                return [], [], 0, False

            def fetch(path: str, params: dict[str, Any]) -> tuple[list[Row], int | None, bool]:
                response: Any = gl.http_get(path, query_data=params, raw=True)
                total = response.headers.get("X-Total")
                rows: list[Row] = response.json()
                return (
                    rows,
                    int(total) if total else None,
                    bool(response.headers.get("X-Next-Page")),
                )

            try:
                raw = read_page(fetch, listing, sort, page)
            except GitlabError as exc:
                # A namespace, user or template the caller may not see lists nothing.
                if exc.response_code == 404:
                    return [], [], 0, False
                raise
            return raw.rows, raw.cursors, raw.total, raw.has_next

        rows, cursors, total, has_next = await self._call(caller, work, write=False)
        projects = await asyncio.gather(*(self._complete(caller, row) for row in rows))
        return ProjectPage(tuple(projects), tuple(cursors), total, has_next)

    async def create(self, caller: Identity, new: NewProject) -> Project:
        """Create the GitLab project in the caller's (or a group's) namespace; caller is OWNER."""
        if caller.subject is None:
            raise DomainError(ErrorCode.UNAUTHENTICATED, "Sign in to create a project.")

        def work(gl: gitlab.Gitlab) -> Row:
            data: Row = {
                "name": new.name,
                "path": new.slug,
                "visibility": visibility_to_gitlab(new.visibility),
                "description": new.description or "",
                "topics": list(new.keywords),
                "initialize_with_readme": True,
            }
            if new.namespace != caller.username:
                data["namespace_id"] = self._namespace_id(gl, caller, new.namespace)
            path = f"{new.namespace}/{new.slug}"
            undo: list[Undo] = []
            try:
                # GitLab first: the metadata row is keyed by the id GitLab gives the project. If
                # the row cannot be stored, the project, which nobody has seen yet, is deleted
                # again (on an instance with delayed deletion GitLab keeps its path until then).
                created: Row = gl.projects.create(data).attributes
                undo.append((f"the new project {path}", partial(gl.projects.delete, created["id"])))
                self._store_metadata(int(created["id"]), new.documentation, new.is_template)
            except Exception as exc:
                _undo_all(undo)
                if isinstance(exc, GitlabError):
                    raise refusal(exc, "slug", path) from exc
                raise
            return created

        return await self._complete(caller, await self._call(caller, work, write=True))

    async def update(
        self, caller: Identity, project_id: str, if_match: str, patch: ProjectPatch
    ) -> Project:
        """Apply `patch` when `if_match` is the current etag; EDITOR or more."""
        current = await self._visible(caller, project_id, "id")
        if not current.permissions_of(caller).write:
            raise refusals.cannot_write(current)
        if current.etag != if_match:
            raise refusals.stale_etag(current, if_match)
        target = patch.apply(current)
        number = gitlab_id(current.id)
        assert number is not None  # an id the store itself made

        def work(gl: gitlab.Gitlab) -> None:
            changes = gitlab_changes(current, target)
            metadata = ProjectMetadata(target.documentation, target.is_template, None)
            undo: list[Undo] = []
            try:
                # The metadata row is written first and put back if GitLab then fails: a local
                # write fails before GitLab was touched, and putting a row back is as sure as
                # writing it. (Holding a SQLite transaction open across GitLab calls instead
                # would block every other metadata write for as long as GitLab takes.)
                if metadata != ProjectMetadata(current.documentation, current.is_template, None):
                    before = self._metadata.read([number]).get(number)
                    self._metadata.write(number, metadata, datetime.now(UTC))
                    restore = partial(self._metadata.restore, number, before)
                    undo.append(("the documentation and template flag", restore))
                if changes:
                    gl.projects.update(number, changes)
                    revert = partial(gl.projects.update, number, gitlab_changes(target, current))
                    undo.append((f"the fields {', '.join(changes)}", revert))
                # GitLab cannot link a fork again, so the unlink goes last: if it fails, it did
                # not happen, and everything before it is undone.
                if current.template_id is not None and target.template_id is None:
                    gl.http_delete(f"/projects/{number}/fork")
            except Exception as exc:
                _undo_all(undo)
                if isinstance(exc, GitlabError):
                    raise refusal(exc, "slug", f"{current.namespace}/{current.slug}") from exc
                raise

        await self._call(caller, work, write=True)
        return await self._visible(caller, project_id, "id")

    async def delete(self, caller: Identity, project_id: str) -> None:
        """Delete the GitLab project; OWNER or admin."""
        project = await self._visible(caller, project_id, "id")
        if not project.permissions_of(caller).delete:
            raise refusals.cannot_delete(project)
        number = gitlab_id(project_id)
        assert number is not None

        def work(gl: gitlab.Gitlab) -> None:
            try:
                gl.projects.delete(number)
            except GitlabError as exc:
                raise refusal(exc, "id", f"{project.namespace}/{project.slug}") from exc
            # The project is gone; a row left behind is never read again (GitLab reuses no
            # id), so failing to drop it must not report the delete as failed.
            with suppress(DomainError):
                self._metadata.forget(number)

        await self._call(caller, work, write=True)

    async def copy(self, caller: Identity, source_id: str, new: NewProject) -> Project:
        """Fork the source into `new`'s namespace and slug; the caller becomes OWNER."""
        source = await self._visible(caller, source_id, "projectId")
        if caller.subject is None:
            raise DomainError(ErrorCode.UNAUTHENTICATED, "Sign in to copy a project.")
        number = gitlab_id(source_id)

        def work(gl: gitlab.Gitlab) -> Row:
            data: Row = {
                "name": new.name,
                "path": new.slug,
                "visibility": visibility_to_gitlab(new.visibility),
                "description": new.description or "",
            }
            if new.namespace != caller.username:
                data["namespace_id"] = self._namespace_id(gl, caller, new.namespace)
            path = f"{new.namespace}/{new.slug}"
            undo: list[Undo] = []
            try:
                # As in `create`: GitLab first, and the new copy is deleted if a later step fails.
                fork: Row = gl.http_post(f"/projects/{number}/fork", post_data=data)  # type: ignore[assignment]
                undo.append((f"the new copy {path}", partial(gl.projects.delete, fork["id"])))
                if list(new.keywords) != list(source.keywords):
                    fork = gl.projects.update(fork["id"], {"topics": list(new.keywords)})
                self._store_metadata(int(fork["id"]), new.documentation, new.is_template)
            except Exception as exc:
                _undo_all(undo)
                if isinstance(exc, GitlabError):
                    raise refusal(exc, "slug", path) from exc
                raise
            return fork

        return await self._complete(caller, await self._call(caller, work, write=True))

    async def set_members(
        self, caller: Identity, project_id: str, members: Sequence[Member]
    ) -> Project:
        """Add members or change their roles in GitLab (upsert); OWNER or admin."""
        project = await self._visible(caller, project_id, "id")
        if not project.permissions_of(caller).change_membership:
            raise refusals.cannot_change_members(project)
        wanted = {m.user_id: m.role for m in members}
        merged = tuple(Member(m.user_id, wanted.pop(m.user_id, m.role)) for m in project.members)
        refusals.check_keeps_owner(project, merged + tuple(Member(u, r) for u, r in wanted.items()))
        current = {m.user_id: m.role for m in project.members}
        changes = [m for m in members if current.get(m.user_id) is not m.role]
        number = gitlab_id(project_id)

        def work(gl: gitlab.Gitlab) -> None:
            # The whole plan (every GitLab user id) is known before the first write, so a user
            # without a GitLab account is refused with nothing written.
            targets = [(self._gitlab_user(m.user_id), m) for m in changes]
            path = f"/projects/{number}/members"
            undo: list[Undo] = []
            try:
                for user_id, member in targets:
                    level = access_level_for(member.role)
                    if member.user_id in current:
                        gl.http_put(f"{path}/{user_id}", post_data={"access_level": level})
                        old = {"access_level": access_level_for(current[member.user_id])}
                        restore = partial(gl.http_put, f"{path}/{user_id}", post_data=old)
                        undo.append((f"the role of {member.user_id}", restore))
                    else:
                        gl.http_post(path, post_data={"user_id": user_id, "access_level": level})
                        remove = partial(gl.http_delete, f"{path}/{user_id}")
                        undo.append((f"the membership of {member.user_id}", remove))
            except Exception as exc:
                _undo_all(undo)
                if isinstance(exc, GitlabError):
                    raise refusal(exc, "members", f"{project.namespace}/{project.slug}") from exc
                raise

        await self._call(caller, work, write=True)
        return await self._visible(caller, project_id, "id")

    async def remove_member(self, caller: Identity, project_id: str, user_id: str) -> Project:
        """Remove one member from the GitLab project; OWNER or admin."""
        project = await self._visible(caller, project_id, "id")
        if not project.permissions_of(caller).change_membership:
            raise refusals.cannot_change_members(project)
        if all(m.user_id != user_id for m in project.members):
            raise refusals.not_a_member(project, user_id)
        try:
            refusals.check_keeps_owner(
                project, tuple(m for m in project.members if m.user_id != user_id)
            )
        except DomainError as error:
            raise DomainError(error.code, error.message, "userId") from None
        number = gitlab_id(project_id)

        def work(gl: gitlab.Gitlab) -> None:
            try:
                gl.http_delete(f"/projects/{number}/members/{self._gitlab_user(user_id)}")
            except GitlabError as exc:
                raise refusal(exc, "userId", f"{project.namespace}/{project.slug}") from exc

        await self._call(caller, work, write=True)
        return await self._visible(caller, project_id, "id")

    async def _read(self, caller: Identity, ref: str) -> Project | None:
        def work(gl: gitlab.Gitlab) -> Row | None:
            try:
                found: Row = gl.projects.get(ref).attributes
            except GitlabError as exc:
                if exc.response_code == 404:
                    return None
                raise refusal(exc, "id", ref) from exc
            return found

        row = await self._call(caller, work, write=False)
        return None if row is None else await self._complete(caller, row)

    async def _visible(self, caller: Identity, project_id: str, field: str) -> Project:
        project = await self.get(project_id, caller)
        if project is None:
            raise refusals.not_found(project_id, field)
        return project

    async def _complete(self, caller: Identity, row: Row) -> Project:
        """The Renku project of a GitLab project object: members, creator and metadata added."""

        def work(gl: gitlab.Gitlab) -> Project:
            number = int(row["id"])
            listed: list[Row] = gl.http_list(f"/projects/{number}/members/all", get_all=True)  # type: ignore[assignment]
            members = []
            for member in listed:
                role = role_from_access_level(int(member["access_level"]))
                if role is not None:
                    members.append(Member(self._identities.subject_of(int(member["id"])), role))
            creator = self._identities.subject_of(int(row["creator_id"]))
            metadata = self._metadata.read([number]).get(number, NO_METADATA)
            return project_from_gitlab(row, tuple(members), creator, metadata)

        return await self._call(caller, work, write=False)

    def _namespace_id(self, gl: gitlab.Gitlab, caller: Identity, namespace: str) -> int:
        try:
            found: Row = gl.namespaces.get(namespace).attributes
        except GitlabError as exc:
            if exc.response_code == 404:
                raise DomainError(
                    ErrorCode.NOT_FOUND, f"No namespace {namespace!r} exists.", field="namespace"
                ) from exc
            raise refusal(exc, "namespace", namespace) from exc
        if found.get("kind") == "user" and not caller.is_admin:
            raise DomainError(
                ErrorCode.FORBIDDEN,
                f"You can only create projects in your own namespace {caller.username!r} or a "
                "group's; omit `namespace` or set it to your username.",
                field="namespace",
            )
        return int(found["id"])

    def _gitlab_user(self, user_id: str) -> int:
        found = self._identities.user_id_of(user_id)
        if found is None:
            raise DomainError(
                ErrorCode.BAD_USER_INPUT,
                f"The user {user_id!r} has no GitLab account yet; they must sign in to GitLab "
                "once before they can become a member.",
                field="members",
            )
        return found

    def _store_metadata(self, number: int, documentation: str | None, is_template: bool) -> None:
        metadata = ProjectMetadata(documentation, is_template, None)
        if metadata != NO_METADATA:
            self._metadata.write(number, metadata, datetime.now(UTC))

    async def _call(
        self, caller: Identity, work: Callable[[gitlab.Gitlab], T], *, write: bool
    ) -> T:
        token = await self._tokens.token_for(caller, required=write)
        loop = asyncio.get_running_loop()

        def fresh_token() -> str | None:
            # Runs in `work`'s thread while the event loop awaits that thread, so it is free.
            self._tokens.forget(caller)
            asked = self._tokens.token_for(caller, required=write)
            return asyncio.run_coroutine_threadsafe(asked, loop).result()

        return await asyncio.to_thread(self._run, token, fresh_token, work)

    def _run(
        self,
        token: str | None,
        fresh_token: Callable[[], str | None],
        work: Callable[[gitlab.Gitlab], T],
    ) -> T:
        with _CallerGitlab(self._url, token, self._timeout, fresh_token) as gl:
            try:
                return work(gl)
            except requests.RequestException as exc:
                raise DomainError(
                    ErrorCode.UNAVAILABLE, "GitLab could not be reached; try again later."
                ) from exc
            except GitlabError as exc:
                raise refusal(exc, None, "the project") from exc


class _CallerGitlab(gitlab.Gitlab):
    """A python-gitlab client that, when GitLab refuses the token, sends that one call again."""

    def __init__(
        self,
        url: str,
        token: str | None,
        timeout: float,
        fresh_token: Callable[[], str | None],
    ) -> None:
        super().__init__(url, oauth_token=token, timeout=timeout)
        self._fresh_token = fresh_token

    def http_request(self, verb: str, path: str, *args: Any, **kwargs: Any) -> requests.Response:
        """The response to one call; after a 401 once more, with a token fresh from Keycloak."""
        try:
            return super().http_request(verb, path, *args, **kwargs)
        except GitlabAuthenticationError:
            if self.oauth_token is None:
                raise
        # GitLab refused a token Keycloak gave us earlier (expired or revoked). A refused call
        # changed nothing, so sending just this call again is safe at any point of a mutation.
        self.oauth_token = self._fresh_token()
        self._set_auth_info()
        return super().http_request(verb, path, *args, **kwargs)


def _undo_all(undo: list[Undo]) -> None:
    """Undo the applied changes newest first; if any undo fails, say which changes remain."""
    left = []
    for what, step in reversed(undo):
        try:
            step()
        except (GitlabError, requests.RequestException, DomainError):
            left.append(what)
    if left:
        raise DomainError(
            ErrorCode.UNAVAILABLE,
            "GitLab failed midway and Renku could not undo the changes already made: "
            f"{'; '.join(reversed(left))}. Check the project and set them again.",
        )

"""How GitLab's REST v4 objects map onto Renku projects: ids, visibility, access levels, fields.

Decisions, all made here so the store and its tests share them:

- **Ids.** A Renku project id is a ULID. For a GitLab project it is built, not stored: the
  48-bit time part is the project's `created_at` in milliseconds and the 80-bit random part
  holds the GitLab project id (the 16-bit tag `GL`, then 64 bits of id). The id is therefore
  stable, sorts by creation like an embedded one, and decodes back to the GitLab id without
  a lookup table; a ULID without the tag is not a GitLab project.
- **Visibility.** GitLab `public` is PUBLIC; `private` and `internal` are PRIVATE (Renku has no
  "any signed-in user" level, and PRIVATE is the stricter of the two). Renku writes only
  `public` and `private`. GitLab still decides who sees an internal project.
- **Roles.** Guest (10) and Reporter (20) are VIEWER, Developer (30) and Maintainer (40) are
  EDITOR, Owner (50) is OWNER; Minimal access (5) and anything below is no membership.
  Back: VIEWER is Reporter (a Guest cannot read a private repository), EDITOR is Maintainer
  (GitLab lets only Maintainers edit a project's settings, which Renku editors may do),
  OWNER is Owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from gitlab.exceptions import GitlabError
from ulid import ULID

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.projects.backends.gitlab_metadata import ProjectMetadata
from renku_fed.subgraphs.projects.models import Member, Project, Role, Visibility

GUEST, REPORTER, DEVELOPER, MAINTAINER, OWNER = 10, 20, 30, 40, 50
_ID_BITS = 64
# The 16 bits above the GitLab id: ASCII `GL`.
_TAG = 0x474C


def role_from_access_level(level: int) -> Role | None:
    """The Renku role a GitLab access level grants, or None below Guest."""
    if level >= OWNER:
        return Role.OWNER
    if level >= DEVELOPER:
        return Role.EDITOR
    if level >= GUEST:
        return Role.VIEWER
    return None


def access_level_for(role: Role) -> int:
    """The GitLab access level Renku gives a member with this role."""
    return {Role.VIEWER: REPORTER, Role.EDITOR: MAINTAINER, Role.OWNER: OWNER}[role]


def visibility_from_gitlab(visibility: str) -> Visibility:
    """`public` is PUBLIC; `internal` and `private` are PRIVATE."""
    return Visibility.PUBLIC if visibility == "public" else Visibility.PRIVATE


def visibility_to_gitlab(visibility: Visibility) -> str:
    """PUBLIC is `public`, PRIVATE is `private`."""
    return "public" if visibility is Visibility.PUBLIC else "private"


def project_id(gitlab_id: int, created_at: datetime) -> str:
    """The Renku id (a ULID) of the GitLab project `gitlab_id` created at `created_at`."""
    milliseconds = int(created_at.timestamp() * 1000)
    return str(ULID.from_int((milliseconds << 80) | (_TAG << _ID_BITS) | gitlab_id))


def gitlab_id(renku_id: str) -> int | None:
    """The GitLab project id inside a Renku id, or None if the id is not one of ours."""
    try:
        value = int(ULID.from_str(renku_id))
    except ValueError:
        return None
    if (value >> _ID_BITS) & 0xFFFF != _TAG:
        return None
    return (value & ((1 << _ID_BITS) - 1)) or None


def parse_time(value: str) -> datetime:
    """A GitLab timestamp (ISO 8601, `Z` or an offset) as an aware datetime."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def project_from_gitlab(
    attributes: Mapping[str, Any],
    members: tuple[Member, ...],
    created_by: str,
    metadata: ProjectMetadata,
) -> Project:
    """The Renku project for GitLab's project attributes, members, creator and Renku metadata.

    A fork's `template_id` is its source's id (GitLab's `forked_from_project`).
    """
    created_at = parse_time(str(attributes["created_at"]))
    # `updated_at` is newer than `last_activity_at` in GitLab's responses; either moves on edits.
    updated = attributes.get("updated_at") or attributes.get("last_activity_at")
    updated_at = parse_time(str(updated)) if updated else created_at
    if metadata.updated_at is not None:
        updated_at = max(updated_at, metadata.updated_at)
    source = attributes.get("forked_from_project")
    template_id = None
    if isinstance(source, Mapping) and source.get("created_at"):
        template_id = project_id(int(source["id"]), parse_time(str(source["created_at"])))
    return Project(
        id=project_id(int(attributes["id"]), created_at),
        name=str(attributes["name"]),
        slug=str(attributes["path"]),
        namespace=str(attributes["namespace"]["full_path"]),
        visibility=visibility_from_gitlab(str(attributes.get("visibility", "private"))),
        description=attributes.get("description") or None,
        keywords=tuple(str(t) for t in attributes.get("topics") or ()),
        created_by=created_by,
        creation_date=created_at,
        updated_at=updated_at,
        members=members,
        repositories=(str(attributes["http_url_to_repo"]),),
        documentation=metadata.documentation,
        is_template=metadata.is_template,
        template_id=template_id,
    )


def gitlab_changes(current: Project, target: Project) -> dict[str, Any]:
    """The GitLab project attributes to send to turn `current` into `target`."""
    changes: dict[str, Any] = {}
    if target.name != current.name:
        changes["name"] = target.name
    if target.slug != current.slug:
        changes["path"] = target.slug
    if target.visibility is not current.visibility:
        changes["visibility"] = visibility_to_gitlab(target.visibility)
    if target.description != current.description:
        changes["description"] = target.description or ""
    if target.keywords != current.keywords:
        changes["topics"] = list(target.keywords)
    return changes


def refusal(exc: GitlabError, field: str | None, what: str) -> DomainError:
    """The DomainError for GitLab's refusal `exc` of a call about `what`, naming `field`."""
    status = exc.response_code
    text = str(exc.error_message)
    if status == 401:
        return DomainError(ErrorCode.UNAUTHENTICATED, "GitLab refused your token; sign in again.")
    if status == 403:
        return DomainError(ErrorCode.FORBIDDEN, f"GitLab does not allow you this on {what}.", field)
    if status == 404:
        return DomainError(ErrorCode.NOT_FOUND, f"GitLab has no {what} you can see.", field)
    if status in (400, 409) and "taken" in text:
        return DomainError(
            ErrorCode.CONFLICT, f"{what} is already taken in GitLab; choose another `slug`.", field
        )
    if status is not None and 400 <= status < 500:
        return DomainError(ErrorCode.BAD_USER_INPUT, f"GitLab refused {what}: {text}", field)
    return DomainError(ErrorCode.UNAVAILABLE, f"GitLab failed ({status}); try again later.")

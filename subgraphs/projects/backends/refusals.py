"""The refusals every project store raises, worded once so that all backends say the same."""

from __future__ import annotations

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.projects.models import Member, Project, Role


def not_found(project_id: str, field: str = "id") -> DomainError:
    """NOT_FOUND for a project that is missing or hidden from the caller (the same answer)."""
    return DomainError(
        ErrorCode.NOT_FOUND,
        f"No project with id {project_id!r} exists, or you may not see it; check `{field}`.",
        field=field,
    )


def slug_conflict(project: Project) -> DomainError:
    """CONFLICT on `slug` for a slug already taken in the project's namespace."""
    return DomainError(
        ErrorCode.CONFLICT,
        f"A project with slug {project.slug!r} already exists in namespace "
        f"{project.namespace!r}; choose another `slug`.",
        field="slug",
    )


def stale_etag(project: Project, if_match: str) -> DomainError:
    """CONFLICT on `ifMatch` for an update based on an older version of the project."""
    return DomainError(
        ErrorCode.CONFLICT,
        f"{project.namespace}/{project.slug} changed since you read it (etag {project.etag}, "
        f"you sent {if_match}); read it again and retry.",
        field="ifMatch",
    )


def cannot_write(project: Project) -> DomainError:
    """FORBIDDEN on `id` for a caller below EDITOR."""
    return DomainError(
        ErrorCode.FORBIDDEN,
        f"Editing {project.namespace}/{project.slug} needs the EDITOR or OWNER role.",
        field="id",
    )


def cannot_delete(project: Project) -> DomainError:
    """FORBIDDEN on `id` for a caller who is neither OWNER nor admin."""
    return DomainError(
        ErrorCode.FORBIDDEN,
        f"Only owners of {project.namespace}/{project.slug} and admins can delete it.",
        field="id",
    )


def cannot_change_members(project: Project) -> DomainError:
    """FORBIDDEN on `id` for a caller who is neither OWNER nor admin."""
    return DomainError(
        ErrorCode.FORBIDDEN,
        f"Only owners of {project.namespace}/{project.slug} and admins can change its members.",
        field="id",
    )


def not_a_member(project: Project, user_id: str) -> DomainError:
    """NOT_FOUND on `userId` for removing someone who is not a member."""
    return DomainError(
        ErrorCode.NOT_FOUND,
        f"{user_id!r} is not a member of {project.namespace}/{project.slug}; check `userId`.",
        field="userId",
    )


def check_keeps_owner(project: Project, members: tuple[Member, ...]) -> None:
    """A BAD_USER_INPUT error when `members` would leave the project without an owner."""
    if not any(member.role is Role.OWNER for member in members):
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"{project.namespace}/{project.slug} must keep at least one OWNER; make another "
            "member an OWNER first.",
            field="members",
        )

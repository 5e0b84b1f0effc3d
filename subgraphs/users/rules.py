"""Input rules of the users subgraph's groups: slugs, names, descriptions, members."""

from __future__ import annotations

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.rules import (
    DESCRIPTION_MAX_LENGTH,
    check_max_length,
    check_name,
    check_slug,
)
from renku_fed.subgraphs.users.models import GroupMember, GroupPatch, NewGroup, Role


def _description(description: str | None) -> str | None:
    return check_max_length(description, "description", DESCRIPTION_MAX_LENGTH, "shorten it")


def validate_new_group(*, slug: str, name: str, description: str | None) -> NewGroup:
    """Check a create request; the first violation as a DomainError."""
    return NewGroup(
        slug=check_slug(slug),
        name=check_name(name),
        description=_description(description) or None,
    )


def validate_group_patch(*, name: str | None, description: str | None) -> GroupPatch:
    """Check an update request; the first violation as a DomainError."""
    return GroupPatch(
        name=None if name is None else check_name(name),
        description=_description(description),
    )


def validate_group_members(members: list[GroupMember]) -> tuple[GroupMember, ...]:
    """Members naming each user at most once; BAD_USER_INPUT on `members` if not."""
    seen: set[str] = set()
    for member in members:
        if member.user_id in seen:
            raise DomainError(
                ErrorCode.BAD_USER_INPUT,
                f"`members` names the user {member.user_id!r} twice; give each user one role.",
                field="members",
            )
        seen.add(member.user_id)
    return tuple(members)


def check_keeps_owner(slug: str, members: tuple[GroupMember, ...], field: str) -> None:
    """A BAD_USER_INPUT error on `field` when no OWNER would remain in the group."""
    if not any(member.role is Role.OWNER for member in members):
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"Group {slug!r} must keep at least one OWNER; make another member an OWNER first.",
            field=field,
        )

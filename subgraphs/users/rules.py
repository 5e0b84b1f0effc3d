"""Input rules of the users subgraph's groups: slugs, names, descriptions, members."""

from __future__ import annotations

import re

from subgraphs.common.errors import DomainError, ErrorCode
from subgraphs.users.models import GroupMember, GroupPatch, NewGroup, Role

NAME_MAX_LENGTH = 99
SLUG_MAX_LENGTH = 99
DESCRIPTION_MAX_LENGTH = 500
# GitLab's rules for namespace paths, as Renku's namespace API spec states them.
SLUG_PATTERN = re.compile(r"^(?!.*\.git$|.*\.atom$|.*[\-._][\-._].*)[a-z0-9][a-z0-9\-_.]*$")


def check_slug(slug: str) -> str:
    """The slug if it follows GitLab's path rules; a BAD_USER_INPUT error on `slug` if not."""
    if not 1 <= len(slug) <= SLUG_MAX_LENGTH or not SLUG_PATTERN.match(slug):
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"`slug` {slug!r} is not valid: use 1 to {SLUG_MAX_LENGTH} lowercase letters, "
            "digits, `-`, `_` or `.`, starting with a letter or digit, without two of `-_.` in "
            "a row and not ending in `.git` or `.atom`.",
            field="slug",
        )
    return slug


def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"`name` must be 1 to {NAME_MAX_LENGTH} characters long, got {len(name)}.",
            field="name",
        )
    return name


def _check_description(description: str | None) -> str | None:
    if description is not None and len(description) > DESCRIPTION_MAX_LENGTH:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"`description` must be at most {DESCRIPTION_MAX_LENGTH} characters, "
            f"got {len(description)}.",
            field="description",
        )
    return description


def validate_new_group(*, slug: str, name: str, description: str | None) -> NewGroup:
    """Check a create request; the first violation as a DomainError."""
    return NewGroup(
        slug=check_slug(slug),
        name=_check_name(name),
        description=_check_description(description) or None,
    )


def validate_group_patch(*, name: str | None, description: str | None) -> GroupPatch:
    """Check an update request; the first violation as a DomainError."""
    return GroupPatch(
        name=None if name is None else _check_name(name),
        description=_check_description(description),
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

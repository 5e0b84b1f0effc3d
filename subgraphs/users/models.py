"""Plain domain types of the users subgraph."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.common.tokens import Identity


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A Renku account as the directory stores it."""

    id: str
    username: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_admin: bool = False

    @property
    def display_name(self) -> str:
        """First and last name, or the username when neither is known."""
        full = " ".join(part for part in (self.first_name, self.last_name) if part)
        return full or self.username

    @classmethod
    def from_identity(cls, identity: Identity) -> UserRecord:
        """The account an authenticated caller's token claims describe."""
        if identity.subject is None:
            raise ValueError("an anonymous caller has no account")
        return cls(
            id=identity.subject,
            username=identity.username or identity.subject,
            email=identity.email,
            first_name=identity.first_name,
            last_name=identity.last_name,
            is_admin=identity.is_admin,
        )


@dataclass(frozen=True, slots=True)
class UserPage:
    """One page of users with their cursors, and the size of the whole result."""

    items: tuple[UserRecord, ...]
    cursors: tuple[str, ...]
    total: int
    has_next: bool

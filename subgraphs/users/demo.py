"""The demo accounts (alice, bob, carol) seeded into an empty embedded directory."""

from __future__ import annotations

from renku_fed.subgraphs.common.demo import DEMO_USERS
from renku_fed.subgraphs.users.backends.embedded import EmbeddedUserDirectory
from renku_fed.subgraphs.users.models import UserRecord


def demo_users() -> list[UserRecord]:
    """The demo accounts, with the subjects the development issuer signs for them."""
    return [UserRecord(u.id, u.username, u.email, u.first_name, u.last_name) for u in DEMO_USERS]


def seed_demo(directory: EmbeddedUserDirectory) -> bool:
    """Store the demo users when the directory is empty; True when it did."""
    if not directory.is_empty():
        return False
    directory.store(demo_users())
    return True

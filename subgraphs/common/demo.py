"""The demo catalog every embedded backend seeds into an empty data directory."""

from __future__ import annotations

from dataclasses import dataclass

from renku_fed.identity.dev_issuer import dev_subject


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A demo person; `id` is the subject the dev issuer signs for them."""

    username: str
    first_name: str
    last_name: str

    @property
    def id(self) -> str:
        """The user's id (the identity provider's subject)."""
        return dev_subject(self.username)

    @property
    def email(self) -> str:
        """The user's e-mail address."""
        return f"{self.username}@example.org"


@dataclass(frozen=True, slots=True)
class DemoProject:
    """A demo project with fixed id, its owner (`namespace`) and other members."""

    id: str
    namespace: str
    slug: str
    name: str
    visibility: str
    description: str
    keywords: tuple[str, ...]
    members: tuple[tuple[str, str], ...]


ALICE = DemoUser("alice", "Alice", "Liddell")
BOB = DemoUser("bob", "Bob", "Builder")
CAROL = DemoUser("carol", "Carol", "Danvers")
DEMO_USERS = (ALICE, BOB, CAROL)

FLIGHTS = DemoProject(
    id="01JDEM0000000000000F11GHTS",
    namespace="alice",
    slug="flights",
    name="flights",
    visibility="PUBLIC",
    description="Delays of domestic flights, cleaned and explored.",
    keywords=("aviation", "delays"),
    members=(("alice", "OWNER"), ("bob", "VIEWER")),
)
SECRET_NOTES = DemoProject(
    id="01JDEM00000000000SECRETN0T",
    namespace="alice",
    slug="secret-notes",
    name="secret-notes",
    visibility="PRIVATE",
    description="Alice's private notebook.",
    keywords=("notes",),
    members=(("alice", "OWNER"),),
)
CLIMATE = DemoProject(
    id="01JDEM000000000000C11MATE0",
    namespace="bob",
    slug="climate",
    name="climate",
    visibility="PUBLIC",
    description="Regional temperature series.",
    keywords=("climate", "temperature"),
    members=(("bob", "OWNER"), ("alice", "EDITOR")),
)
DEMO_PROJECTS = (FLIGHTS, SECRET_NOTES, CLIMATE)

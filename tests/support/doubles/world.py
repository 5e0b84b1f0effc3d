"""What the double fixtures hand to tests: the servers, the doubles and the realm's callers."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from renku_fed.identity.tokens import Identity
from tests.support.doubles.gitlab import GitLabDouble
from tests.support.doubles.gitlab_model import GitLabUser
from tests.support.doubles.keycloak import KeycloakDouble
from tests.support.doubles.server import LoopbackServer

IDP_ALIAS = "gitlab"
REALM_USERS = ("alice", "bob", "admin")


class Swappable:
    """An ASGI app that forwards to whichever app `target` currently is."""

    def __init__(self) -> None:
        self.target: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.target is not None, "no double is installed"
        await self.target(scope, receive, send)


@dataclass
class Servers:
    """The two loopback servers and the apps they forward to."""

    gitlab: LoopbackServer
    gitlab_app: Swappable
    keycloak: LoopbackServer
    keycloak_app: Swappable


@dataclass
class GitLabWorld:
    """Fresh doubles with the realm's users, and verified callers' identities."""

    gitlab: GitLabDouble
    keycloak: KeycloakDouble
    gitlab_url: str
    keycloak_url: str
    accounts: dict[str, GitLabUser]
    callers: dict[str, Identity]

"""pytest fixtures: the GitLab and Keycloak doubles on loopback ports, in front of the real
OpenID provider of `tests/support/oidc`, and a GitLab project store wired to them.

Use them by naming both modules as plugins at the top of a test module::

    pytest_plugins = ["tests.support.oidc.fixtures", "tests.support.doubles.fixtures"]

 The servers live for the session; every test gets fresh double state.

The realm's users alice, bob and admin (realm role `renku-admin`) each have a GitLab account
whose `openid_connect` identity is their Keycloak subject and which is linked in Keycloak
(alias `gitlab`); admin is a GitLab administrator too. `carol` has a GitLab account only, and
`root` is the GitLab administrator whose token the identity look-ups use.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import gitlab
import pytest

from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import Identity, TokenVerifier
from renku_fed.subgraphs.common.gitlab_tokens import GitLabTokenBroker
from renku_fed.subgraphs.projects.backends.gitlab import GitLabProjectStore
from renku_fed.subgraphs.projects.backends.gitlab_identities import GitLabIdentities
from renku_fed.subgraphs.projects.backends.gitlab_metadata import MetadataTable
from tests.support.doubles.gitlab import GitLabDouble
from tests.support.doubles.gitlab_model import GitLabUser
from tests.support.doubles.keycloak import KeycloakDouble, KeycloakUser
from tests.support.doubles.server import LoopbackServer
from tests.support.doubles.world import IDP_ALIAS, REALM_USERS, GitLabWorld, Servers, Swappable
from tests.support.oidc.provider import OidcProvider

# The provider's access tokens live 300 s; reuse one for at most half of that.
TOKEN_REUSE_SECONDS = 150


@pytest.fixture(scope="session")
def double_servers() -> Iterator[Servers]:
    """Loopback servers for the GitLab and Keycloak doubles, for the whole session."""
    gitlab_app, keycloak_app = Swappable(), Swappable()
    with LoopbackServer(gitlab_app) as gitlab_server, LoopbackServer(keycloak_app) as kc_server:
        yield Servers(gitlab_server, gitlab_app, kc_server, keycloak_app)


@pytest.fixture(scope="session")
def _token_cache() -> dict[str, tuple[float, str]]:
    """Access tokens by username, with the time they were issued."""
    return {}


@pytest.fixture
def realm_tokens(
    oidc_provider: OidcProvider, _token_cache: dict[str, tuple[float, str]]
) -> dict[str, str]:
    """An access token per realm user from the real provider, reissued before it expires."""
    now = time.monotonic()
    for name in REALM_USERS:
        issued = _token_cache.get(name)
        if issued is None or now - issued[0] > TOKEN_REUSE_SECONDS:
            _token_cache[name] = (now, oidc_provider.token_for(name)["access_token"])
    return {name: token for name, (_, token) in _token_cache.items()}


@pytest.fixture
async def gitlab_world(
    double_servers: Servers, oidc_provider: OidcProvider, realm_tokens: dict[str, str]
) -> GitLabWorld:
    """Fresh GitLab and Keycloak doubles holding the realm's users and their linked accounts."""
    lab = GitLabDouble()
    lab.url = double_servers.gitlab.url
    keycloak = KeycloakDouble(oidc_provider.server_url, oidc_provider.realm, "renku")
    double_servers.gitlab_app.target = lab.app
    double_servers.keycloak_app.target = keycloak.app
    verifier = TokenVerifier(
        AuthSettings(issuer=oidc_provider.issuer, audiences=[oidc_provider.client_id])
    )
    accounts: dict[str, GitLabUser] = {"root": lab.add_user("root", None, admin=True)}
    callers: dict[str, Identity] = {}
    for name in REALM_USERS:
        user = oidc_provider.users[name]
        accounts[name] = lab.add_user(name, user.sub, admin=name == "admin")
        keycloak.add_user(KeycloakUser(user.sub, name, user.email, roles=set(user.roles)))
        keycloak.link(user.sub, IDP_ALIAS, accounts[name].token)
        callers[name] = await verifier.verify(realm_tokens[name])
    accounts["carol"] = lab.add_user("carol", "carol-subject-without-keycloak")
    return GitLabWorld(
        gitlab=lab,
        keycloak=keycloak,
        gitlab_url=double_servers.gitlab.url,
        keycloak_url=double_servers.keycloak.url,
        accounts=accounts,
        callers=callers,
    )


@pytest.fixture
async def gitlab_store(
    gitlab_world: GitLabWorld, tmp_path: Path
) -> AsyncIterator[GitLabProjectStore]:
    """A GitLab project store on the doubles, identity look-ups with root's token."""
    admin = gitlab.Gitlab(
        gitlab_world.gitlab_url, private_token=gitlab_world.accounts["root"].token
    )
    tokens = GitLabTokenBroker(gitlab_world.keycloak_url, "renku", IDP_ALIAS)
    yield GitLabProjectStore(
        gitlab_world.gitlab_url,
        tokens,
        GitLabIdentities(admin),
        MetadataTable(tmp_path / "gitlab-metadata"),
    )
    admin.session.close()

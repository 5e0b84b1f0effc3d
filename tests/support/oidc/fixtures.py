"""pytest fixtures for tests that need a real OpenID provider shaped like Keycloak.

Other test folders use them by naming this module as a plugin, at the top of a test module::

    pytest_plugins = ["tests.support.oidc.fixtures"]

(`pytest_plugins` is allowed in test modules and in `tests/conftest.py`, not in a conftest.py
further down.) The
plugin is registered once however many modules name it, so the whole run shares one provider.
Needs `npm ci --prefix tests/support/oidc` once.

The provider is shared by the session: a test may add state (tokens, rotations that keep the
previous keys) but must not take away what others rely on; `rotate_keys(keep_previous=False)`
belongs on a provider of the test's own (`with OidcProvider() as idp: ...`). `clock_skew` and
`access_token_ttl` restore the previous setting when their block ends.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from renku_fed.identity.settings import AuthSettings
from tests.support.oidc.provider import OidcProvider


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    """The realm `renku` of a running test OpenID provider, for the whole test session."""
    with OidcProvider(realm="renku") as provider:
        yield provider


@pytest.fixture
def oidc_auth_settings(oidc_provider: OidcProvider) -> AuthSettings:
    """Auth settings that trust the provider's realm for the audience `renku`."""
    return AuthSettings(issuer=oidc_provider.issuer, audiences=[oidc_provider.client_id])

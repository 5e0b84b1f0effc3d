"""Callers' GitLab tokens from the Keycloak double's broker endpoint: cached, never logged."""

from __future__ import annotations

import logging

import pytest

from renku_fed.identity.tokens import ANONYMOUS, Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.gitlab_tokens import GitLabTokenBroker
from tests.support.doubles.world import IDP_ALIAS, GitLabWorld

pytest_plugins = ["tests.support.oidc.fixtures", "tests.support.doubles.fixtures"]


async def test_broker_tokens_are_cached_per_caller_and_never_logged(
    gitlab_world: GitLabWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    broker = GitLabTokenBroker(gitlab_world.keycloak_url, "renku", IDP_ALIAS)
    alice, bob = gitlab_world.callers["alice"], gitlab_world.callers["bob"]
    assert await broker.token_for(alice) == gitlab_world.accounts["alice"].token
    assert await broker.token_for(alice) == gitlab_world.accounts["alice"].token
    assert await broker.token_for(bob) == gitlab_world.accounts["bob"].token
    assert await broker.token_for(ANONYMOUS) is None
    assert gitlab_world.keycloak.broker_calls == 2
    for secret in (gitlab_world.accounts["alice"].token, str(alice.token)):
        assert secret not in caplog.text


async def test_a_refused_keycloak_token_is_unauthenticated(gitlab_world: GitLabWorld) -> None:
    broker = GitLabTokenBroker(gitlab_world.keycloak_url, "renku", IDP_ALIAS)
    forged = Identity(subject="x", username="x", token="not-a-jwt")
    with pytest.raises(DomainError) as refused:
        await broker.token_for(forged)
    assert refused.value.code is ErrorCode.UNAUTHENTICATED

"""The kg's group directory: the caller's groups from the real users subgraph, cached."""

from __future__ import annotations

from pathlib import Path

import httpx

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.tokens import ANONYMOUS, TokenVerifier
from renku_fed.subgraphs.kg.groups import GroupDirectory
from renku_fed.subgraphs.kg.models import Role, Viewer
from renku_fed.subgraphs.users.app import build_app as build_users
from renku_fed.subgraphs.users.settings import UsersSettings

USERS_URL = "http://users.test/graphql"
CREATE_GROUP = """mutation { createGroup(input: {slug: "lab", name: "Lab"}) {
  errors { code } } }"""


async def test_group_roles_are_asked_once_per_caller_within_the_cache_time(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    users = build_users(UsersSettings(data_dir=tmp_path, seed_demo=True), verifier)
    asked: list[httpx.Request] = []

    async def count(request: httpx.Request) -> None:
        asked.append(request)

    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=users), event_hooks={"request": [count]}
    )
    token = dev_issuer.sign("alice")
    created = await client.post(
        USERS_URL, json={"query": CREATE_GROUP}, headers={"Authorization": f"Bearer {token}"}
    )
    assert created.json()["data"]["createGroup"]["errors"] == []
    asked.clear()
    directory = GroupDirectory(USERS_URL, client, ttl=60)
    alice = await verifier.verify(token)

    expected = Viewer(dev_subject("alice"), {"lab": Role.OWNER})
    assert await directory.viewer(alice) == expected
    assert await directory.viewer(alice) == expected
    assert len(asked) == 1
    assert await directory.viewer(ANONYMOUS) is None
    await directory.aclose()


async def test_an_unreachable_users_subgraph_grants_no_group(
    dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    alice = await verifier.verify(dev_issuer.sign("alice"))
    directory = GroupDirectory("http://127.0.0.1:9/graphql", ttl=60)
    assert await directory.viewer(alice) == Viewer(dev_subject("alice"))
    await directory.aclose()

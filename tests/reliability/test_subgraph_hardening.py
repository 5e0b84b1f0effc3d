"""A subgraph called directly refuses hostile requests and inputs with client errors, not 5xx."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.common.errors import DomainError
from renku_fed.subgraphs.common.pagination import PageRequest, decode_cursor
from renku_fed.subgraphs.common.rules import check_keywords, check_name, check_search
from renku_fed.subgraphs.users.app import build_app
from renku_fed.subgraphs.users.settings import UsersSettings

Send = Callable[..., Coroutine[Any, Any, httpx.Response]]
ADMIN = {"realm_access": {"roles": ["renku-admin"]}}


@pytest.fixture
async def send(
    tmp_path: Path, verifier: TokenVerifier, dev_issuer: DevIssuer
) -> AsyncIterator[Send]:
    """POST a body to a demo-seeded users subgraph, as `user` (None: anonymous)."""
    app = build_app(UsersSettings(data_dir=tmp_path / "users", seed_demo=True), verifier)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://users") as client:

        async def post(
            query: str,
            user: str | None = None,
            claims: dict[str, Any] | None = None,
            **extra: Any,
        ) -> httpx.Response:
            headers = {"content-type": "application/json"}
            if user is not None:
                token = dev_issuer.sign(user, extra_claims=claims)
                headers["authorization"] = f"Bearer {token}"
            return await client.post("/graphql", json={"query": query, **extra}, headers=headers)

        yield post


async def test_a_body_over_the_limit_is_413(send: Send) -> None:
    response = await send("{ __typename }", padding="x" * 5_000_000)

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_too_many_aliases_are_refused_quickly(send: Send) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(300)) + " }"

    body = (await send(query)).json()

    assert body.get("data") is None
    assert "aliases" in body["errors"][0]["message"]


async def test_too_deep_a_query_is_refused(send: Send) -> None:
    query = "{ me " + "{ groups { edges { node " * 10 + "{ slug }" + " } } }" * 10 + " }"

    body = (await send(query, user="alice")).json()

    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_a_hidden_email_is_not_confirmed_by_search(send: Send) -> None:
    query = '{ users(search: "bob@example.org") { totalCount edges { node { username } } } }'

    as_alice = (await send(query, user="alice")).json()
    as_admin = (await send(query, user="carol", claims=ADMIN)).json()

    assert as_alice["data"]["users"] == {"totalCount": 0, "edges": []}
    assert as_admin["data"]["users"]["edges"] == [{"node": {"username": "bob"}}]


async def test_a_huge_search_is_a_user_error(send: Send) -> None:
    query = "query($s: String) { users(search: $s) { totalCount } }"

    body = (await send(query, user="alice", variables={"s": "%" * 1_000_000})).json()

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_deeply_nested_cursor_is_a_user_error() -> None:
    nested = base64.urlsafe_b64encode(b"[" * 100_000 + b"]" * 100_000).decode()
    short_nested = base64.urlsafe_b64encode(b"[" * 600 + b"]" * 600).decode()

    for cursor in (nested, short_nested):
        with pytest.raises(DomainError):
            PageRequest.of(10, cursor)
    with pytest.raises(DomainError):
        decode_cursor(base64.urlsafe_b64encode(b'{"a":' * 5000).decode())


@pytest.mark.parametrize("bad", ["a\x00b", "evil\u202egnp.exe", "zero\u200bwidth", "bell\x07"])
def test_control_and_invisible_characters_are_refused(bad: str) -> None:
    with pytest.raises(DomainError, match="U\\+"):
        check_name(bad)
    with pytest.raises(DomainError, match="U\\+"):
        check_keywords([bad])


def test_names_are_normalised_and_keywords_bounded() -> None:
    assert check_name("  Cafe\u0301 ") == "Caf\u00e9"
    assert check_keywords(["a", " a ", "b"]) == ("a", "b")
    with pytest.raises(DomainError, match="at most 50 keywords"):
        check_keywords([f"k{i}" for i in range(51)])
    with pytest.raises(DomainError):
        check_keywords(["x" * 100])
    with pytest.raises(DomainError):
        check_search("s" * 201)

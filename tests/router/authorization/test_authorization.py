"""Authorization directives through the gateway: removed before planning, answered null."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from graphql import GraphQLResolveInfo, build_ast_schema, graphql, parse

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import ANONYMOUS, Identity, TokenVerifier
from renku_fed.router.authorization import AuthorizationSettings
from renku_fed.router.composition import SubgraphSource, compose
from renku_fed.router.gateway import Gateway
from renku_fed.router.http import create_router_app
from renku_fed.router.request import GraphQLRequest
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph

FIXTURES = Path(__file__).with_name("fixtures") / "authz"
UNAUTHORIZED = {"code": "UNAUTHORIZED_FIELD_OR_TYPE"}

BLOG = {
    "posts": [
        {"__typename": "PublicBlog", "id": "p1", "title": "Hello", "author": {"id": "u1"}},
        {"__typename": "PrivateBlog", "id": "p2", "title": "Draft", "publishAt": "2030"},
    ],
    "feed": [
        {"__typename": "PublicBlog", "id": "p1", "title": "Hello"},
        {"__typename": "Ad", "id": "a1", "text": "Buy"},
        {"__typename": "PrivateBlog", "id": "p2", "title": "Draft", "publishAt": "2030"},
    ],
    "media": [
        {"__typename": "Book", "id": "b1", "title": "Dune", "views": 10},
        {"__typename": "Film", "id": "f1", "title": "Alien", "views": 20},
    ],
    "me": {"id": "u1"},
    "secret": "s3cr3t",
    "flagged": "yes",
    "ssn": "123-45",
    "level": "HIGH",
    "answer": 42,
    "publish": {"id": "p9", "title": "New"},
    "like": 1,
}
USERS = {
    "u1": {"id": "u1", "name": "Ann", "email": "ann@example.org", "balance": 100},
    "u2": {"id": "u2", "name": "Bob", "email": "bob@example.org", "balance": 5},
}
ENTITY_SCALARS = "scalar _Any\ntype _Service { sdl: String }\n"


def evaluate_policies(identity: Identity, policies: set[str]) -> set[str]:
    """A test policy evaluator: a policy passes when the caller has a role of that name."""
    policy_calls.append(set(policies))
    return policies & identity.roles


policy_calls: list[set[str]] = []


class CountingSubgraphs:
    """The blog and accounts subgraphs in process; every request they receive is recorded."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self._schemas = {
            "blog": self._schema("blog", "union _Entity = PublicBlog | PrivateBlog | User"),
            "accounts": self._schema("accounts", "union _Entity = User"),
        }
        self.transport = httpx.MockTransport(self._handle)

    @staticmethod
    def _schema(name: str, entities: str) -> Any:
        sdl = (FIXTURES / f"{name}.graphql").read_text()
        extra = f"""{ENTITY_SCALARS}{entities}
extend type Query {{ _entities(representations: [_Any!]!): [_Entity]! _service: _Service! }}"""
        if "type Query" not in sdl:
            extra = extra.replace("extend type Query", "type Query")
        return build_ast_schema(parse(sdl + extra), assume_valid_sdl=True)

    def queries(self, service: str | None = None) -> list[str]:
        """The operation texts sent (to one service, when named)."""
        return [query for name, query in self.requests if service in (None, name)]

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        service = request.url.host
        body = orjson.loads(request.content)
        self.requests.append((service, body["query"]))
        result = await graphql(
            self._schemas[service],
            body["query"],
            variable_values=body.get("variables"),
            field_resolver=_resolver(service),
        )
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [dict(e.formatted) for e in result.errors]
        return httpx.Response(200, json=payload)


def _resolver(service: str) -> Callable[..., Any]:
    def resolve(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        name = info.field_name
        if info.parent_type.name in ("Query", "Mutation"):
            if name == "_entities":
                return [_entity(service, rep) for rep in args["representations"]]
            if name == "author":
                return {"id": args["id"]}
            return BLOG.get(name)
        return source.get(name) if isinstance(source, dict) else None

    return resolve


def _entity(service: str, representation: dict[str, Any]) -> dict[str, Any] | None:
    if service == "accounts":
        user = USERS.get(representation["id"])
        return None if user is None else {"__typename": "User", **user}
    return {"__typename": representation["__typename"], "id": representation["id"]}


@pytest.fixture(scope="module")
def supergraph() -> Supergraph:
    """The test subgraphs composed by our composer."""
    sources = [
        SubgraphSource(path.stem, f"http://{path.stem}/graphql", path.read_text())
        for path in sorted(FIXTURES.glob("*.graphql"))
    ]
    return Supergraph.parse(compose(sources))


@pytest.fixture
def subgraphs() -> CountingSubgraphs:
    """Fresh subgraphs with an empty request log."""
    policy_calls.clear()
    return CountingSubgraphs()


Run = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
async def gateway_factory(
    supergraph: Supergraph, subgraphs: CountingSubgraphs
) -> AsyncIterator[Callable[..., Gateway]]:
    """Builds gateways over the counting subgraphs with the given authorization settings."""
    gateways: list[Gateway] = []

    def build(**authorization: Any) -> Gateway:
        options = {"policy_evaluator": evaluate_policies, **authorization}
        settings = RouterSettings(authorization=AuthorizationSettings(**options))
        gateway = Gateway(supergraph, settings, subgraphs.transport)
        gateways.append(gateway)
        return gateway

    yield build
    for gateway in gateways:
        await gateway.aclose()


@pytest.fixture
def run(gateway_factory: Callable[..., Gateway]) -> Run:
    """Runs a query on one default gateway as the given identity and returns the body."""
    gateway = gateway_factory()

    async def execute(
        query: str, identity: Identity = ANONYMOUS, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        request = GraphQLRequest(query, variables=variables)
        response = await gateway.execute(request, {}, identity=identity)
        return response.to_dict()

    return execute


def user(scopes: set[str] | None = None, roles: set[str] | None = None) -> Identity:
    """Ann, signed in, with these token scopes and realm roles."""
    return Identity(
        subject="u1", username="ann", scopes=frozenset(scopes or ()), roles=frozenset(roles or ())
    )


def unauthorized(*path: str | int) -> dict[str, Any]:
    """The error of a removed field at `path`."""
    return {"message": "Unauthorized field or type", "path": list(path), "extensions": UNAUTHORIZED}


async def test_anonymous_gets_null_and_an_error_for_authenticated_fields(
    run: Run, subgraphs: CountingSubgraphs
) -> None:
    body = await run("{ answer me { id } }")

    assert body == {"data": {"answer": 42, "me": None}, "errors": [unauthorized("me")]}
    assert len(subgraphs.requests) == 1
    assert "me" not in subgraphs.queries("blog")[0]


async def test_authenticated_caller_gets_the_fields(run: Run) -> None:
    body = await run("{ answer me { id name } }", user())

    assert body == {"data": {"answer": 42, "me": {"id": "u1", "name": "Ann"}}}


async def test_nothing_left_means_no_subgraph_call(run: Run, subgraphs: CountingSubgraphs) -> None:
    body = await run("{ __typename me { id } secret ssn }")

    assert body == {
        "data": {"__typename": "Query", "me": None, "secret": None, "ssn": None},
        "errors": [unauthorized("me"), unauthorized("secret"), unauthorized("ssn")],
    }
    assert subgraphs.requests == []


@pytest.mark.parametrize(
    ("scopes", "allowed"),
    [
        (set(), False),
        ({"read:secret"}, True),
        ({"admin"}, False),
        ({"audit"}, False),
        ({"admin", "audit"}, True),
        ({"admin", "audit", "other"}, True),
    ],
)
async def test_required_scopes_are_any_of_all_of(run: Run, scopes: set[str], allowed: bool) -> None:
    body = await run("{ secret }", user(scopes))

    if allowed:
        assert body == {"data": {"secret": "s3cr3t"}}
    else:
        assert body == {"data": {"secret": None}, "errors": [unauthorized("secret")]}


@pytest.mark.parametrize(
    ("roles", "allowed"),
    [
        (set(), False),
        ({"reviewer"}, True),
        ({"moderator"}, False),
        ({"moderator", "on-duty"}, True),
    ],
)
async def test_policies_are_evaluated_by_the_configured_callable(
    run: Run, roles: set[str], allowed: bool
) -> None:
    body = await run("{ flagged }", user(roles=roles))

    assert body["data"] == {"flagged": "yes" if allowed else None}
    assert ("errors" in body) is not allowed


async def test_policy_callable_is_called_once_with_every_policy_mentioned(run: Run) -> None:
    query = '{ flagged author(id: "u1") { name balance } }'

    body = await run(query, user(roles={"finance"}))

    assert policy_calls == [{"reviewer", "moderator", "on-duty", "finance"}]
    assert body == {
        "data": {"flagged": None, "author": {"name": "Ann", "balance": 100}},
        "errors": [unauthorized("flagged")],
    }


async def test_policy_evaluator_may_be_async(gateway_factory: Callable[..., Gateway]) -> None:
    async def evaluate(identity: Identity, policies: set[str]) -> set[str]:
        return {"reviewer"}

    gateway = gateway_factory(policy_evaluator=evaluate)

    response = await gateway.execute(GraphQLRequest("{ flagged }"), {}, identity=user())

    assert response.to_dict() == {"data": {"flagged": "yes"}}


async def test_unauthorized_non_null_field_nulls_its_parent(
    run: Run, subgraphs: CountingSubgraphs
) -> None:
    body = await run('{ answer author(id: "u1") { name balance } }', user())

    assert body == {
        "data": {"answer": 42, "author": None},
        "errors": [unauthorized("author", "balance")],
    }
    assert all("balance" not in query for query in subgraphs.queries())


async def test_unauthorized_non_null_root_field_nulls_the_data(
    run: Run, subgraphs: CountingSubgraphs
) -> None:
    body = await run("{ answer posts { id } }")

    assert body == {"data": None, "errors": [unauthorized("posts")]}
    assert subgraphs.requests == []


async def test_type_directives_on_scalars_enums_and_objects(
    run: Run, subgraphs: CountingSubgraphs
) -> None:
    query = """{
      level ssn
      feed {
        __typename
        ... on PublicBlog { title }
        ... on PrivateBlog { publishAt }
        ... on Ad { text }
      }
    }"""

    anonymous = await run(query)
    signed_in = await run(query, user({"levels"}))

    assert anonymous == {
        "data": {
            "level": None,
            "ssn": None,
            "feed": [
                {"__typename": "PublicBlog", "title": "Hello"},
                {"__typename": "Ad", "text": "Buy"},
                {"__typename": "PrivateBlog", "publishAt": None},
            ],
        },
        "errors": [
            unauthorized("level"),
            unauthorized("ssn"),
            unauthorized("feed", 2, "publishAt"),
        ],
    }
    assert "publishAt" not in subgraphs.queries()[0]
    assert signed_in["data"]["feed"][2] == {"__typename": "PrivateBlog", "publishAt": "2030"}
    assert signed_in["data"]["level"] == "HIGH"
    assert "errors" not in signed_in


async def test_interface_field_needs_what_every_implementation_needs(
    run: Run, subgraphs: CountingSubgraphs
) -> None:
    query = "{ media { title views ... on Film { filmViews: views } } }"

    without = await run(query, user())
    with_stats = await run(query, user({"stats"}))

    assert without == {
        "data": {
            "media": [
                {"title": "Dune", "views": None},
                {"title": "Alien", "views": None, "filmViews": 20},
            ]
        },
        "errors": [unauthorized("media", 0, "views"), unauthorized("media", 1, "views")],
    }
    assert with_stats == {
        "data": {
            "media": [
                {"title": "Dune", "views": 10},
                {"title": "Alien", "views": 20, "filmViews": 20},
            ]
        }
    }
    assert subgraphs.queries()[0] == "{media{__typename title ...on Film{filmViews:views}}}"


async def test_interface_requires_what_its_implementations_require(run: Run) -> None:
    body = await run("{ posts { id ... on PrivateBlog { publishAt } } }", user())

    assert body == {
        "data": {"posts": [{"id": "p1"}, {"id": "p2", "publishAt": "2030"}]},
    }


async def test_fragments_and_aliases(run: Run, subgraphs: CountingSubgraphs) -> None:
    query = """
    query {
      a: author(id: "u1") { ...Person }
      b: author(id: "u2") { ...Contact }
      me { ...Person }
    }
    fragment Person on User { name email }
    fragment Contact on User { email }
    """

    body = await run(query)

    assert body == {
        "data": {"a": {"name": "Ann", "email": None}, "b": {"email": None}, "me": None},
        "errors": [
            unauthorized("a", "email"),
            unauthorized("b", "email"),
            unauthorized("me"),
        ],
    }
    assert all("email" not in query for query in subgraphs.queries())


async def test_selection_left_empty_keeps_typename(run: Run, subgraphs: CountingSubgraphs) -> None:
    body = await run('{ author(id: "u2") { email } }')

    assert body == {
        "data": {"author": {"email": None}},
        "errors": [unauthorized("author", "email")],
    }
    assert [name for name, _ in subgraphs.requests] == ["blog"]
    assert "__typename" in subgraphs.queries("blog")[0]


async def test_skipped_fields_report_no_error(run: Run) -> None:
    query = "query($show: Boolean!) { answer secret @include(if: $show) }"

    hidden = await run(query, variables={"show": False})
    shown = await run(query, variables={"show": True})

    assert hidden == {"data": {"answer": 42}}
    assert shown == {"data": {"answer": 42, "secret": None}, "errors": [unauthorized("secret")]}


async def test_plans_never_leak_across_callers(run: Run, subgraphs: CountingSubgraphs) -> None:
    query = '{ me { name } author(id: "u1") { email } }'
    sent: list[str] = []

    async def run_as(identity: Identity) -> dict[str, Any]:
        subgraphs.requests.clear()
        body = await run(query, identity)
        sent.append(" ".join(subgraphs.queries()))
        return body

    first = await run_as(user({"read:email"}))
    anonymous = await run_as(ANONYMOUS)
    no_scope = await run_as(user())
    again = await run_as(user({"read:email"}))

    expected = {"data": {"me": {"name": "Ann"}, "author": {"email": "ann@example.org"}}}
    assert first == again == expected
    assert anonymous["data"] == {"me": None, "author": {"email": None}}
    assert no_scope["data"] == {"me": {"name": "Ann"}, "author": {"email": None}}
    assert [("me{" in text, "email" in text) for text in sent] == [
        (True, True),
        (False, False),
        (True, False),
        (True, True),
    ]


async def test_mutation_refused_before_any_subgraph_call(
    run: Run, subgraphs: CountingSubgraphs
) -> None:
    refused = await run('mutation { like(id: "p1") publish(title: "x") { id } }')
    allowed = await run('mutation { like(id: "p1") publish(title: "x") { id } }', user())

    assert refused == {"data": None, "errors": [unauthorized("publish")]}
    assert allowed == {"data": {"like": 1, "publish": {"id": "p9"}}}
    assert len(subgraphs.requests) == 1


async def test_reject_unauthorized_refuses_the_whole_request(
    gateway_factory: Callable[..., Gateway], subgraphs: CountingSubgraphs
) -> None:
    gateway = gateway_factory(reject_unauthorized=True)

    refused = await gateway.execute(GraphQLRequest("{ answer secret }"), {})
    served = await gateway.execute(
        GraphQLRequest("{ answer secret }"), {}, identity=user({"admin", "audit"})
    )

    assert refused.status == 403
    assert refused.to_dict() == {"errors": [unauthorized("secret")]}
    assert served.to_dict() == {"data": {"answer": 42, "secret": "s3cr3t"}}
    assert len(subgraphs.requests) == 1


async def test_errors_can_be_turned_off(gateway_factory: Callable[..., Gateway]) -> None:
    gateway = gateway_factory(emit_errors=False)

    nullable = await gateway.execute(GraphQLRequest("{ answer secret }"), {})
    non_null = await gateway.execute(GraphQLRequest('{ author(id: "u1") { balance } }'), {})

    assert nullable.to_dict() == {"data": {"answer": 42, "secret": None}}
    assert non_null.to_dict() == {"data": {"author": None}}


async def test_disabled_authorization_serves_everything(
    gateway_factory: Callable[..., Gateway],
) -> None:
    gateway = gateway_factory(enabled=False)

    response = await gateway.execute(GraphQLRequest("{ secret me { id } }"), {})

    assert response.to_dict() == {"data": {"secret": "s3cr3t", "me": {"id": "u1"}}}


async def test_the_http_app_judges_the_verified_token(
    supergraph: Supergraph,
    subgraphs: CountingSubgraphs,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
) -> None:
    app = create_router_app(RouterSettings(), supergraph, verifier, transport=subgraphs.transport)
    token = dev_issuer.sign("ann", extra_claims={"scope": "openid read:secret"})
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as client,
    ):
        signed_in = await client.post(
            "/graphql",
            json={"query": "{ secret me { id } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        anonymous = await client.post("/graphql", json={"query": "{ secret me { id } }"})

    assert signed_in.json() == {"data": {"secret": "s3cr3t", "me": {"id": "u1"}}}
    assert anonymous.json()["data"] == {"secret": None, "me": None}


def test_policy_evaluator_setting_is_a_dotted_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "RENKU_FED_ROUTER_AUTHORIZATION_POLICY_EVALUATOR", f"{__name__}:evaluate_policies"
    )

    assert AuthorizationSettings().policy_evaluator is evaluate_policies


def test_unknown_policy_evaluator_fails_at_start_naming_the_setting() -> None:
    with pytest.raises(ValueError, match="policy_evaluator"):
        AuthorizationSettings(policy_evaluator="no_such_module:evaluate")  # type: ignore[arg-type]

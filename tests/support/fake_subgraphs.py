"""Four small in-process federated subgraphs (graphql-core) behind one httpx transport."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
from graphql import GraphQLResolveInfo, GraphQLSchema, build_ast_schema, graphql, parse

SUPERGRAPH_PATH = Path(__file__).with_name("fake_supergraph.graphql")

LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@shareable", "@external", "@requires", "@provides"])\n'
)
SDL = {
    "accounts": LINK
    + """
type Query { me: User, users: [User!]! }
type User @key(fields: "id") { id: ID!, name: String, username: String! @shareable, role: Role }
enum Role { ADMIN MEMBER }
""",
    "products": LINK
    + """
type Query { topProducts(first: Int = 5): [Product!]!, catalog: [CatalogItem!]! }
type Product @key(fields: "upc") { upc: String!, name: String!, price: Int, weight: Int }
type Bundle { id: ID!, products: [Product!]! }
union CatalogItem = Product | Bundle
""",
    "reviews": LINK
    + """
type Review {
  id: ID!, body: String!, author: User! @provides(fields: "username"), product: Product
}
type User @key(fields: "id") { id: ID!, username: String! @external, reviews: [Review!]! }
type Product @key(fields: "upc") { upc: String!, reviews: [Review!]! }
type Mutation { addReview(upc: String!, body: String!): Review! }
""",
    "inventory": LINK
    + """
type Product @key(fields: "upc") {
  upc: String!, weight: Int @external, price: Int @external, inStock: Boolean,
  shippingEstimate: Int @requires(fields: "price weight")
}
""",
}
ENTITY_TYPES = {
    "accounts": ("User",),
    "products": ("Product",),
    "reviews": ("User", "Product"),
    "inventory": ("Product",),
}

USERS = {
    "u1": {"id": "u1", "name": "Ann", "username": "ann", "role": "ADMIN"},
    "u2": {"id": "u2", "name": "Bob", "username": "bob", "role": "GHOST"},
}
PRODUCTS = {
    "1": {"upc": "1", "name": "Table", "price": 100, "weight": 10},
    "2": {"upc": "2", "name": "Chair", "price": 50, "weight": 5},
}
REVIEWS = [
    {"id": "r1", "body": "Sturdy", "upc": "1", "author": "u1"},
    {"id": "r2", "body": "Wobbly", "upc": "1", "author": "u2"},
    {"id": "r3", "body": "Comfy", "upc": "2", "author": "u1"},
]


def _review(review: dict[str, Any]) -> dict[str, Any]:
    author = USERS[review["author"]]
    return {
        "id": review["id"],
        "body": review["body"],
        "author": {"__typename": "User", "id": author["id"], "username": author["username"]},
        "product": {"__typename": "Product", "upc": review["upc"]},
    }


def _entity(service: str, rep: dict[str, Any]) -> dict[str, Any] | None:
    typename = rep["__typename"]
    if service == "accounts":
        user = USERS.get(rep["id"])
        return None if user is None else {"__typename": typename, **user}
    if service == "products":
        product = PRODUCTS.get(rep["upc"])
        return None if product is None else {"__typename": typename, **product}
    if service == "reviews" and typename == "User":
        mine = [_review(r) for r in REVIEWS if r["author"] == rep["id"]]
        return {"__typename": "User", "id": rep["id"], "reviews": mine}
    if service == "reviews":
        theirs = [_review(r) for r in REVIEWS if r["upc"] == rep["upc"]]
        return {"__typename": "Product", "upc": rep["upc"], "reviews": theirs}
    estimate = None
    if rep.get("price") is not None and rep.get("weight") is not None:
        estimate = rep["price"] * rep["weight"] // 10
    return {
        "__typename": "Product",
        "upc": rep["upc"],
        "inStock": rep["upc"] == "1",
        "shippingEstimate": estimate,
    }


def _schema(service: str) -> GraphQLSchema:
    members = " | ".join(ENTITY_TYPES[service])
    extra = f"""
scalar _Any
scalar FieldSet
type _Service {{ sdl: String }}
union _Entity = {members}
extend type Query {{
  _entities(representations: [_Any!]!): [_Entity]!
  _service: _Service!
}}
"""
    sdl = SDL[service]
    if "type Query" not in sdl:
        extra = extra.replace("extend type Query", "type Query")
    return build_ast_schema(parse(sdl + extra), assume_valid_sdl=True)


def _root_resolver(service: str) -> Callable[..., Any]:
    def resolve(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        name = info.field_name
        if info.parent_type.name == "Query" or info.parent_type.name == "Mutation":
            if name == "_entities":
                return [_entity(service, rep) for rep in args["representations"]]
            if name == "_service":
                return {"sdl": SDL[service]}
            if name == "me":
                return USERS["u1"]
            if name == "users":
                return list(USERS.values())
            if name == "catalog":
                bundle = {"__typename": "Bundle", "id": "b1", "products": [PRODUCTS["2"]]}
                return [{"__typename": "Product", **PRODUCTS["1"]}, bundle]
            if name == "topProducts":
                return list(PRODUCTS.values())[: args.get("first", 5)]
            if name == "addReview":
                return _review(
                    {"id": "r9", "body": args["body"], "upc": args["upc"], "author": "u1"}
                )
        if isinstance(source, dict):
            return source.get(name)
        return None

    return resolve


@dataclass
class FakeSubgraphs:
    """The subgraphs as an httpx transport, recording every request they receive."""

    down: set[str] = field(default_factory=set)
    delay: dict[str, float] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, Any], httpx.Headers]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._schemas = {name: _schema(name) for name in SDL}
        self.transport = httpx.MockTransport(self._handle)

    def calls(self, service: str) -> list[dict[str, Any]]:
        """The bodies `service` received, in order."""
        return [body for name, body, _ in self.requests if name == service]

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        service = request.url.host
        if service in self.down:
            raise httpx.ConnectError("connection refused", request=request)
        body = orjson.loads(request.content)
        self.requests.append((service, body, request.headers))
        if service in self.delay:
            await asyncio.sleep(self.delay[service])
        result = await graphql(
            self._schemas[service],
            body["query"],
            variable_values=body.get("variables"),
            operation_name=body.get("operationName"),
            field_resolver=_root_resolver(service),
        )
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [dict(e.formatted) for e in result.errors]
        return httpx.Response(200, json=payload)

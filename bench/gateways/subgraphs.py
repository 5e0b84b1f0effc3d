"""The four benchmark subgraphs: graphql-core over in-memory records, each answer cached by body.

Gateways send the same few requests over and over; after the first, a subgraph answers from a
dictionary keyed by the request body, so that the gateway, not the subgraphs, is what is measured.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema, GraphQLUnionType, build_schema, graphql_sync

from bench.gateways.data import (
    AUTHOR_ID,
    IN_STOCK,
    PRODUCTS,
    REVIEWS,
    USER_REVIEW_IDS,
    USERS,
    Record,
    shipping_estimate,
)
from bench.gateways.schemas import SDLS

Resolver = Callable[..., Any]
EntityResolver = Callable[[Record], Record | None]
MAX_CACHED = 10_000

_FEDERATION_TYPES = """
scalar _Any
type _Service { sdl: String }
union _Entity = %s
%s Query { _entities(representations: [_Any!]!): [_Entity]! _service: _Service! }
"""


def _typed(typename: str, record: Record) -> Record:
    return {"__typename": typename, **record}


def _reviews_graph() -> tuple[dict[str, Record], dict[str, Record]]:
    """Reviews and products as the reviews subgraph knows them, linked to each other."""
    products = {upc: _typed("Product", {"upc": upc, "reviews": []}) for upc in IN_STOCK}
    reviews = {
        r["id"]: _typed("Review", {**r, "product": products[r["product_upc"]]}) for r in REVIEWS
    }
    author = _typed(
        "User",
        {
            "id": AUTHOR_ID,
            "username": USERS[0]["username"],
            "reviews": [reviews[i] for i in USER_REVIEW_IDS],
        },
    )
    for review in reviews.values():
        review["author"] = author
        review["product"]["reviews"].append(review)
    return reviews, products


def _entity_resolvers(name: str) -> dict[str, EntityResolver]:
    """How each subgraph turns a representation into an entity."""
    users = {u["id"]: _typed("User", u) for u in USERS}
    if name == "accounts":
        return {"User": lambda rep: users.get(rep["id"])}
    if name == "products":
        products = {p["upc"]: _typed("Product", p) for p in PRODUCTS}
        return {"Product": lambda rep: products.get(rep["upc"])}
    if name == "inventory":
        return {
            "Product": lambda rep: _typed(
                "Product",
                {
                    "upc": rep["upc"],
                    "inStock": IN_STOCK.get(rep["upc"]),
                    "shippingEstimate": shipping_estimate(rep.get("price"), rep.get("weight")),
                },
            )
        }
    reviews, reviewed = _reviews_graph()
    return {
        "Review": lambda rep: reviews.get(rep["id"]),
        "User": lambda rep: _typed(
            "User", {"id": rep["id"], "reviews": [reviews[i] for i in USER_REVIEW_IDS]}
        ),
        "Product": lambda rep: reviewed.get(rep["upc"]),
    }


def _root_resolvers(name: str) -> dict[str, Resolver]:
    """The subgraph's own Query fields."""
    users = [_typed("User", u) for u in USERS]
    if name == "accounts":
        return {
            "me": lambda _root, _info: users[0],
            "user": lambda _root, _info, id: next((u for u in users if u["id"] == id), None),
            "users": lambda _root, _info: users,
        }
    if name == "products":
        products = [_typed("Product", p) for p in PRODUCTS]
        return {"topProducts": lambda _root, _info, first=5: products[:first]}
    return {}


def build_subgraph_schema(name: str) -> GraphQLSchema:
    """An executable schema for subgraph `name`, with `_entities` and `_service`."""
    sdl = SDLS[name]
    body = sdl.split("\n", 1)[1]
    entities = _entity_resolvers(name)
    query_keyword = "extend type" if "type Query" in body else "type"
    schema = build_schema(
        body + _FEDERATION_TYPES % (" | ".join(entities), query_keyword), assume_valid_sdl=True
    )
    query = schema.query_type
    assert query is not None
    for field, resolve in _root_resolvers(name).items():
        query.fields[field].resolve = resolve
    query.fields["_service"].resolve = lambda _root, _info: {"sdl": sdl}
    query.fields["_entities"].resolve = lambda _root, _info, representations: [
        entities[rep["__typename"]](rep) for rep in representations
    ]
    entity = schema.type_map["_Entity"]
    assert isinstance(entity, GraphQLUnionType)
    entity.resolve_type = lambda value, _info, _type: value["__typename"]
    for type_name in entities:
        assert isinstance(schema.type_map[type_name], GraphQLObjectType)
    return schema


class CachedExecutor:
    """Executes GraphQL request bodies against one schema, remembering each answer's bytes."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self._schema = schema
        self._answers: dict[bytes, bytes] = {}

    def __call__(self, body: bytes) -> bytes:
        """The JSON answer to a POSTed GraphQL request body."""
        answer = self._answers.get(body)
        if answer is None:
            answer = self._execute(body)
            if len(self._answers) < MAX_CACHED:
                self._answers[body] = answer
        return answer

    def _execute(self, body: bytes) -> bytes:
        request = json.loads(body)
        result = graphql_sync(
            self._schema,
            request["query"],
            variable_values=request.get("variables"),
            operation_name=request.get("operationName"),
        )
        return json.dumps(result.formatted, separators=(",", ":")).encode()

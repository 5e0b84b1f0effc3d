"""The benchmark query's correct answer, computed without federation from the same records."""

from __future__ import annotations

from typing import Any

from graphql import build_schema, graphql_sync

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
from bench.gateways.schemas import API_SDL, QUERY


def _graph() -> tuple[list[Record], list[Record]]:
    """Users and products with every field the API schema serves, linked to each other."""
    users = {u["id"]: dict(u) for u in USERS}
    products = {
        p["upc"]: {
            **p,
            "inStock": IN_STOCK[p["upc"]],
            "shippingEstimate": shipping_estimate(p["price"], p["weight"]),
        }
        for p in PRODUCTS
    }
    reviews = {
        r["id"]: {"id": r["id"], "body": r["body"], "product": products[r["product_upc"]]}
        for r in REVIEWS
    }
    for review in reviews.values():
        review["author"] = users[AUTHOR_ID]
    for user in users.values():
        user["reviews"] = [reviews[i] for i in USER_REVIEW_IDS]
    for upc, product in products.items():
        product["reviews"] = [r for r in reviews.values() if r["product"]["upc"] == upc]
    return list(users.values()), list(products.values())


def expected_data() -> dict[str, Any]:
    """The `data` every gateway must answer the benchmark query with."""
    schema = build_schema(API_SDL)
    users, products = _graph()
    query = schema.query_type
    assert query is not None
    query.fields["users"].resolve = lambda _root, _info: users
    query.fields["topProducts"].resolve = lambda _root, _info, first=5: products[:first]
    result = graphql_sync(schema, QUERY)
    if result.errors or result.data is None:
        raise RuntimeError(f"the expected answer failed to compute: {result.errors}")
    return result.data

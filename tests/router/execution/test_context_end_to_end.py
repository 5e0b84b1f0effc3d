"""`@fromContext` end to end: two Strawberry subgraphs under uvicorn, composed by our composer,
queried through the router: each product's price gets the currency of the store it is listed in.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import pytest
import strawberry
from graphql import parse
from strawberry.asgi import GraphQL
from strawberry.federation.schema_directives import Context, FromContext
from strawberry.types.unset import UNSET

from renku_fed.router.composition import SubgraphSource, compose
from renku_fed.router.gateway import Gateway
from renku_fed.router.planning import QueryPlanner, print_plan
from renku_fed.router.request import GraphQLRequest
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph
from tests.support.doubles.server import LoopbackServer

PRICES = {"p1": 10, "p2": 25}
NAMES = {"p1": "Lamp", "p2": "Desk"}
STORES = {"s1": ("CHF", ["p1", "p2"]), "s2": ("EUR", ["p1"])}


@strawberry.federation.type(keys=["id"])
class Product:
    """A product of the shop subgraph; its price is written in the listing store's currency."""

    id: strawberry.ID

    @strawberry.field
    def price(
        self,
        currency: Annotated[
            str | None,
            strawberry.argument(directives=[FromContext(field="$store { currency }")]),
        ] = UNSET,
    ) -> str:
        return f"{PRICES[self.id]} {currency or 'no currency'}"


@strawberry.federation.type(keys=["id"], directives=[Context(name="store")])
class Store:
    """A store with its currency and the products it lists."""

    id: strawberry.ID
    currency: str

    @strawberry.field
    def products(self) -> list[Product]:
        return [Product(id=strawberry.ID(p)) for p in STORES[self.id][1]]


@strawberry.type
class ShopQuery:
    """The shop's stores."""

    @strawberry.field
    def stores(self) -> list[Store]:
        return [Store(id=strawberry.ID(s), currency=c) for s, (c, _) in STORES.items()]


@strawberry.federation.type(keys=["id"], name="Product")
class CatalogProduct:
    """A product as the catalog subgraph names it."""

    id: strawberry.ID

    @strawberry.field
    def name(self) -> str:
        return NAMES[self.id]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> CatalogProduct:
        return cls(id=id)


@strawberry.type
class CatalogQuery:
    """The catalog has no root field of its own worth asking."""

    @strawberry.field
    def catalog_size(self) -> int:
        return len(NAMES)


@pytest.fixture(scope="module")
def supergraph() -> Iterator[Supergraph]:
    """The two subgraphs served on loopback ports and composed with those URLs."""
    shop = strawberry.federation.Schema(query=ShopQuery, types=[Product, Store])
    catalog = strawberry.federation.Schema(query=CatalogQuery, types=[CatalogProduct])
    with (
        LoopbackServer(GraphQL(shop)) as shop_server,
        LoopbackServer(GraphQL(catalog)) as catalog_server,
    ):
        sdl = compose(
            [
                SubgraphSource("shop", f"{shop_server.url}/graphql", shop.as_str()),
                SubgraphSource("catalog", f"{catalog_server.url}/graphql", catalog.as_str()),
            ]
        )
        yield Supergraph.parse(sdl)


async def _ask(supergraph: Supergraph, query: str) -> dict[str, Any]:
    gateway = Gateway(supergraph, RouterSettings())
    try:
        return (await gateway.execute(GraphQLRequest(query), {})).to_dict()
    finally:
        await gateway.aclose()


async def test_each_listing_gets_its_stores_currency(supergraph: Supergraph) -> None:
    body = await _ask(supergraph, "{ stores { products { name price } } }")

    assert body == {
        "data": {
            "stores": [
                {
                    "products": [
                        {"name": "Lamp", "price": "10 CHF"},
                        {"name": "Desk", "price": "25 CHF"},
                    ]
                },
                {"products": [{"name": "Lamp", "price": "10 EUR"}]},
            ]
        }
    }


def test_the_context_is_fetched_on_the_store_and_sent_as_a_variable(
    supergraph: Supergraph,
) -> None:
    plan = QueryPlanner(supergraph).plan(parse("{ stores { products { price } } }"), None)

    printed = print_plan(plan)
    assert "currency" in printed.split("Flatten")[0]
    assert "price(currency: $contextualArgument_1_0)" in printed

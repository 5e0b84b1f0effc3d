"""The static cost estimate: each rule of router.limits.cost on a composed supergraph."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse

from renku_fed.router.composition import SubgraphSource, compose
from renku_fed.router.limits.cost import CostEstimator
from renku_fed.router.limits.cost_directives import ListSize, read_cost_directives
from renku_fed.router.limits.shape import measure
from renku_fed.router.supergraph import Supergraph

SHOP = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9",
                    import: ["@key", "@cost", "@listSize"])
type Query {
  item(id: ID!): Item
  items(first: Int, after: String): ItemPage
    @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
  catalog(first: Int): ItemPage
  search(filter: Filter @cost(weight: 2)): [Item!]! @listSize(assumedSize: 4)
  unsized: [Item!]!
}
type ItemPage { edges: [Item!]!, nodes: [Item!]!, total: Int }
type Item @key(fields: "id") @cost(weight: 5) {
  id: ID!, price: Int @cost(weight: 4), kind: Kind, related: [Item!]!
}
enum Kind @cost(weight: 2) { BOOK FILM }
input Filter { text: String @cost(weight: 8), kinds: [Kind!] }
type Mutation { buy(id: ID!): Item }
"""


@pytest.fixture(scope="module")
def shop() -> Supergraph:
    """The shop subgraph composed by our composer, loaded as the router loads it."""
    return Supergraph.parse(compose([SubgraphSource("shop", "http://shop/graphql", SHOP)]))


@pytest.fixture(scope="module")
def estimator(shop: Supergraph) -> CostEstimator:
    """An estimator with ten items assumed for unsized lists."""
    directives = read_cost_directives(parse(shop.sdl))
    return CostEstimator(shop.api_schema, directives, default_list_size=10)


def _cost(estimator: CostEstimator, query: str, variables: dict[str, Any] | None = None) -> int:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return estimator.estimate(document, operation, variables or {})


@pytest.mark.parametrize(
    ("query", "cost"),
    [
        # An object takes its type's @cost; scalars cost 0.
        ('{ item(id: "1") { id } }', 5),
        # A field's @cost and an enum type's @cost add to the object.
        ('{ item(id: "1") { price kind } }', 5 + 4 + 2),
        # @listSize(sizedFields:) gives `first` to `edges`, not to `nodes` (default 10).
        ("{ items(first: 7) { total edges { id } } }", 1 + 7 * 5),
        ("{ items(first: 7) { nodes { id } } }", 1 + 10 * 5),
        # A connection without @listSize: `first` sizes both `edges` and `nodes`.
        ("{ catalog(first: 2) { edges { id } nodes { id } } }", 1 + 2 * 5 + 2 * 5),
        # assumedSize, plus the argument's @cost instead of the input object's 1, plus fields.
        ('{ search(filter: {text: "x", kinds: [BOOK]}) { id } }', 4 * 5 + 2 + 8),
        # Lists nest multiplicatively.
        ("{ unsized { related { id } } }", 10 * (5 + 10 * 5)),
        # Each spread counts; __typename is free.
        ('{ __typename item(id: "1") { ...F ...F } } fragment F on Item { price }', 5 + 4 + 4),
        ('mutation { buy(id: "1") { id } }', 10 + 5),
        # Introspection is answered from the router's schema: it costs nothing.
        ('{ __schema { types { name fields { name } } } __type(name: "Item") { name } }', 0),
        ('{ __schema { types { name } } item(id: "1") { id } }', 5),
    ],
)
def test_cost_rules(estimator: CostEstimator, query: str, cost: int) -> None:
    assert _cost(estimator, query) == cost


def test_variables_size_lists_and_skip_selections(estimator: CostEstimator) -> None:
    sized = "query($n: Int) { items(first: $n) { edges { id } } }"
    skipped = 'query($s: Boolean!) { item(id: "1") { price @skip(if: $s) } }'

    assert _cost(estimator, sized, {"n": 3}) == 1 + 3 * 5
    assert _cost(estimator, sized, {"n": None}) == 1 + 10 * 5
    assert _cost(estimator, skipped, {"s": True}) == 5
    assert _cost(estimator, skipped, {"s": False}) == 5 + 4


def test_directives_are_read_under_the_names_the_link_gives() -> None:
    renamed = """
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.9",
                        import: ["@key", {name: "@cost", as: "@weight"}])
    type Query { x: Int @weight(weight: 3), ys: [Int] @federation__listSize(assumedSize: 2) }
    """
    supergraph = compose([SubgraphSource("a", "http://a/graphql", renamed)])

    directives = read_cost_directives(parse(supergraph))

    assert directives.field_weights == {("Query", "x"): 3}
    assert directives.list_sizes == {("Query", "ys"): ListSize(assumed_size=2)}


def test_fragments_are_walked_once_however_often_spread(estimator: CostEstimator) -> None:
    fragments = "".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }} " for i in range(40))
    query = "{ ...F0 } " + fragments + 'fragment F40 on Query { a: item(id: "1") { id } }'
    document = parse(query)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)

    shape = measure(document, operation)

    assert (shape.depth, shape.aliases, shape.root_fields) == (2, 2**40, 2**40)
    assert _cost(estimator, query) == 5 * 2**40

"""Composition: subgraph SDLs in, supergraph SDL out, as `@apollo/composition` 2.x writes it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from renku_fed.router.composition.api_validation import validate_supergraph
from renku_fed.router.composition.contexts import apply_contexts, validate_contexts
from renku_fed.router.composition.errors import CompositionError, CompositionFailed
from renku_fed.router.composition.merge_context import MergeContext
from renku_fed.router.composition.merge_types import TypeMerger
from renku_fed.router.composition.printer import print_supergraph
from renku_fed.router.composition.satisfiability import check_satisfiability
from renku_fed.router.composition.sources import SubgraphSource
from renku_fed.router.composition.specs import COST_NAMES, join_version
from renku_fed.router.composition.subgraph import Subgraph
from renku_fed.router.composition.subgraph_parser import parse_subgraph
from renku_fed.router.composition.supergraph import Graph, Supergraph
from renku_fed.router.composition.validation import validate_across_subgraphs, validate_subgraph

ROOT_ORDER = ("query", "mutation", "subscription")


def graph_enum_value(name: str, taken: set[str]) -> str:
    """The `join__Graph` value of a subgraph: its name uppercased, made a valid GraphQL name."""
    value = re.sub(r"[^A-Za-z0-9_]", "_", name).upper()
    if not re.match(r"[A-Z_]", value):
        value = "_" + value
    unique, suffix = value, 1
    while unique in taken:
        unique, suffix = f"{value}_{suffix}", suffix + 1
    taken.add(unique)
    return unique


def parse_all(sources: Sequence[SubgraphSource]) -> list[Subgraph]:
    """Parse every subgraph, sorted by name as the supergraph orders them; report all errors."""
    errors: list[CompositionError] = []
    names = [source.name for source in sources]
    for name in sorted({n for n in names if names.count(n) > 1}):
        errors.append(
            CompositionError("INVALID_SUBGRAPH_NAME", f'A subgraph named "{name}" is given twice')
        )
    subgraphs = []
    for source in sorted(sources, key=lambda source: source.name):
        try:
            subgraphs.append(parse_subgraph(source))
        except CompositionFailed as failure:
            errors.extend(failure.errors)
    if errors:
        raise CompositionFailed(errors)
    return subgraphs


def compose(subgraphs: Sequence[SubgraphSource]) -> str:
    """Compose subgraphs into a supergraph SDL; raises CompositionFailed listing every error."""
    parsed = parse_all(subgraphs)
    taken: set[str] = set()
    graphs = [Graph(graph_enum_value(s.name, taken), s.name, s.url) for s in parsed]
    context = MergeContext(parsed, {graph.name: graph.enum_value for graph in graphs})
    for subgraph in parsed:
        validate_subgraph(context, subgraph)
        validate_contexts(context, subgraph)
    validate_across_subgraphs(context)
    if context.errors:
        raise CompositionFailed(context.errors)
    types = TypeMerger(context).merge()
    apply_contexts(context, types)
    validate_supergraph(context, types)
    if not context.errors:
        check_satisfiability(context, types)
    if context.errors:
        raise CompositionFailed(context.errors)
    composed = {name: d for subgraph in parsed for name, d in subgraph.composed.items()}
    cost_names = {
        original: next((s.cost_names[original] for s in parsed if original in s.cost_names), name)
        for original, name in COST_NAMES.items()
    }
    supergraph = Supergraph(
        graphs=graphs,
        join_version=join_version(max(subgraph.version for subgraph in parsed)),
        types=types,
        roots=[
            (kind, name)
            for kind, name in zip(ROOT_ORDER, ("Query", "Mutation", "Subscription"), strict=True)
            if name in types
        ],
        composed=composed,
        cost_names=cost_names,
    )
    return print_supergraph(supergraph)

"""Checks Apollo makes on each subgraph (field sets, externals) and on the merged schema."""

from __future__ import annotations

from router.composition.merge_context import MergeContext
from router.composition.subgraph import Subgraph
from router.composition.supergraph import MergedType


def validate_subgraph(context: MergeContext, subgraph: Subgraph) -> None:
    """Record the errors of one subgraph's federation directives."""


def validate_supergraph(context: MergeContext, types: dict[str, MergedType]) -> None:
    """Record the errors of the merged schema."""

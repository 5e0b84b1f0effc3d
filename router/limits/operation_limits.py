"""The limits on one operation: its shape once per document, its cost once or per request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, parse

from renku_fed.router.errors import ErrorCode
from renku_fed.router.limits.cost import CostEstimator
from renku_fed.router.limits.cost_directives import read_cost_directives
from renku_fed.router.limits.errors import LimitExceeded
from renku_fed.router.limits.settings import LimitSettings
from renku_fed.router.limits.shape import measure
from renku_fed.router.supergraph import Supergraph

_TOO_MANY_TOKENS = "Syntax Error: Document contains more than"


@dataclass(frozen=True, slots=True)
class OperationAnalysis:
    """What is known of an operation before its variables: limits exceeded, cost if fixed."""

    document: DocumentNode
    definition: OperationDefinitionNode
    exceeded: tuple[LimitExceeded, ...]
    cost: int | None


class OperationLimits:
    """Checks operations against the limit settings over one supergraph."""

    def __init__(self, settings: LimitSettings, supergraph: Supergraph, cache_size: int) -> None:
        self._settings = settings
        self._analyses: LRUCache[tuple[str, str | None], OperationAnalysis] = LRUCache(cache_size)
        directives = read_cost_directives(parse(supergraph.sdl, no_location=True))
        self._cost = CostEstimator(supergraph.api_schema, directives, settings.default_list_size)

    def parse(self, query: str) -> DocumentNode:
        """Parse, stopping at the first token (or comment) beyond `max_tokens`."""
        limit = self._settings.max_tokens or None
        return parse(query, max_lexical_tokens=limit, max_comments=limit)

    def token_error(self, error: GraphQLError) -> LimitExceeded | None:
        """The MAX_TOKENS_EXCEEDED error, when a parse error is the token limit's."""
        if not error.message.startswith(_TOO_MANY_TOKENS):
            return None
        maximum = self._settings.max_tokens
        return LimitExceeded(
            ErrorCode.MAX_TOKENS_EXCEEDED,
            "max_tokens",
            maximum,
            f"The document has more than {maximum} tokens or comments; max_tokens is {maximum}.",
        )

    def analyse(
        self, query: str, document: DocumentNode, definition: OperationDefinitionNode
    ) -> OperationAnalysis:
        """The shape limits exceeded, and the cost when no variable can change it (cached)."""
        key = (query, definition.name.value if definition.name else None)
        analysis = self._analyses.get(key)
        if analysis is None:
            analysis = self._analyses[key] = self._analyse(document, definition)
        return analysis

    def _analyse(
        self, document: DocumentNode, definition: OperationDefinitionNode
    ) -> OperationAnalysis:
        settings = self._settings
        shape = measure(document, definition)
        measures = (
            (ErrorCode.MAX_DEPTH_EXCEEDED, "max_depth", settings.max_depth, shape.depth, "depth"),
            (
                ErrorCode.MAX_ALIASES_EXCEEDED,
                "max_aliases",
                settings.max_aliases,
                shape.aliases,
                "number of aliases",
            ),
            (
                ErrorCode.MAX_ROOT_FIELDS_EXCEEDED,
                "max_root_fields",
                settings.max_root_fields,
                shape.root_fields,
                "number of root fields",
            ),
            (
                ErrorCode.MAX_FIELDS_EXCEEDED,
                "max_fields",
                settings.max_fields,
                shape.fields,
                "number of fields, fragments expanded,",
            ),
        )
        exceeded = [
            LimitExceeded(
                code,
                limit,
                maximum,
                f"The operation's {what} is {measured}; {limit} is {maximum}.",
                measured,
            )
            for code, limit, maximum, measured, what in measures
            if maximum and measured > maximum
        ]
        cost = None
        if not definition.variable_definitions and not exceeded:
            cost = self._estimate(document, definition, {})
        return OperationAnalysis(document, definition, tuple(exceeded), cost)

    def check(
        self, analysis: OperationAnalysis, variables: Mapping[str, Any]
    ) -> list[LimitExceeded]:
        """Every limit the operation goes beyond with these coerced variables."""
        if analysis.exceeded:
            return list(analysis.exceeded)
        cost = analysis.cost
        if cost is None:
            cost = self._estimate(analysis.document, analysis.definition, variables)
        maximum = self._settings.max_cost
        if not maximum or cost <= maximum:
            return []
        return [
            LimitExceeded(
                ErrorCode.COST_ESTIMATED_TOO_EXPENSIVE,
                "max_cost",
                maximum,
                f"The operation's estimated cost is {cost}; max_cost is {maximum}.",
                cost,
            )
        ]

    def _estimate(
        self,
        document: DocumentNode,
        definition: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> int:
        if not self._settings.max_cost:
            return 0
        return self._cost.estimate(document, definition, variables)

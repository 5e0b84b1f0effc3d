"""The GraphQL shape of search: a connection of a union of results, with totals and facets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import strawberry

from renku_fed.subgraphs.common.pagination import Connection, Edge
from renku_fed.subgraphs.kg import models
from renku_fed.subgraphs.kg.types import Dataset, Person, Project, Workflow

EntityType = strawberry.enum(models.EntityType, description="What a search result is.")
SearchSort = strawberry.enum(models.SearchSort, description="How search results are ordered.")


@strawberry.type(description="A namespace (a user's or a group's) holding projects.")
class SearchNamespace:
    """A namespace found by search."""

    slug: str


SearchResult = Annotated[
    Project | Dataset | Workflow | Person | SearchNamespace,
    strawberry.union("SearchResult", description="One search result."),
]


def result_of(hit: models.SearchHit) -> SearchResult:
    """The GraphQL result for a hit."""
    if hit.dataset is not None:
        return Dataset.from_model(hit.dataset)
    if hit.workflow is not None:
        return Workflow.from_model(hit.workflow)
    if hit.person is not None:
        return Person.from_model(hit.person)
    if hit.type is models.EntityType.PROJECT:
        return Project(id=strawberry.ID(hit.id))
    return SearchNamespace(slug=hit.id)


@strawberry.type(description="How many results are of one type.")
class TypeCount:
    """A facet: results of one type."""

    type: EntityType  # type: ignore[valid-type]
    count: int


@strawberry.type(description="How many results carry one keyword.")
class KeywordCount:
    """A facet: results with one keyword."""

    keyword: str
    count: int


@strawberry.type(description="An edge of a search connection.")
class SearchResultEdge(Edge[SearchResult]):
    """A search result and its cursor."""


@strawberry.type(description="A page of search results, the whole result's size and facets.")
class SearchResultConnection(Connection[SearchResult]):
    """Relay connection of search results, in the order asked for."""

    edges: Sequence[SearchResultEdge]
    by_type: list[TypeCount] = strawberry.field(
        default_factory=list, description="How many results are of each type."
    )
    by_keyword: list[KeywordCount] = strawberry.field(
        default_factory=list, description="The keywords most results carry, with their counts."
    )

    @classmethod
    def from_results(
        cls, results: models.SearchResults, after: str | None
    ) -> SearchResultConnection:
        """The connection of a search's results."""
        page = cls.from_page(results.page, result_of, after)
        page.by_type = [TypeCount(type=t, count=n) for t, n in results.by_type.items()]
        page.by_keyword = [KeywordCount(keyword=k, count=n) for k, n in results.by_keyword.items()]
        return page

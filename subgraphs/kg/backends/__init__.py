"""What the kg use cases call (`KgBackend`), the `TripleStore` it runs on, and their errors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from pyoxigraph import Literal, NamedNode, Triple

from renku_fed.subgraphs.kg.backends.vocabulary import Term
from renku_fed.subgraphs.kg.models import (
    Activity,
    Dataset,
    DatasetSort,
    Lineage,
    Page,
    ProjectAccess,
    ProjectMetadata,
    SearchQuery,
    SearchResults,
    Viewer,
    Workflow,
)

Row = dict[str, NamedNode | Literal]


class StoreUnavailable(Exception):
    """The triple store could not be reached or refused the request; retrying may help."""


class TripleStore(Protocol):
    """A quad store answering SPARQL 1.1, one named graph per project.

    Queries see the union of all graphs as their default graph. `bindings` replace variables
    by terms in the query text (`vocabulary.render`), so every store runs the same query.
    Every method blocks; it raises `StoreUnavailable` when the store cannot be reached.
    """

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        """Rows of a SELECT query."""
        ...

    def update(self, update: str, bindings: Mapping[str, Term] | None = None) -> None:
        """Run a SPARQL 1.1 Update."""
        ...

    def replace_graph(self, graph: NamedNode, triples: Iterable[Triple]) -> None:
        """Replace the whole content of one named graph (a bulk load)."""
        ...

    def close(self) -> None:
        """Flush and release the store."""
        ...


class KgBackend(Protocol):
    """The knowledge graph: what ingestion writes and what a viewer may read.

    `viewer` is the caller (subject and group roles), None when anonymous; a project is
    readable when it is public, the viewer is a member, or it lies in the namespace of one of
    the viewer's groups. Every method blocks: call it in a worker thread.
    """

    def set_access(self, access: ProjectAccess) -> None:
        """Record a project's visibility, members and names (the access-control graph)."""
        ...

    def delete_project(self, project_id: str) -> None:
        """Forget a project: its access entry and its named graph."""
        ...

    def replace_metadata(self, project_id: str, metadata: ProjectMetadata) -> None:
        """Replace a project's named graph with what its repository says."""
        ...

    def clear(self) -> None:
        """Drop every graph the knowledge graph wrote."""
        ...

    def project_ids(self) -> list[str]:
        """The ids of every project in the access-control graph."""
        ...

    def close(self) -> None:
        """Release the underlying store."""
        ...

    def dataset(self, dataset_id: str, viewer: Viewer | None) -> Dataset | None:
        """One dataset, when the viewer may read its project."""
        ...

    def datasets(self, dataset_ids: list[str], viewer: Viewer | None) -> list[Dataset]:
        """The readable datasets among `dataset_ids`, in that order."""
        ...

    def project_datasets(
        self, project_id: str, viewer: Viewer | None, sort: DatasetSort, first: int, offset: int
    ) -> Page[Dataset]:
        """A page of a project's datasets, empty when the viewer may not read the project."""
        ...

    def dataset_used_in(self, dataset_id: str, viewer: Viewer | None) -> list[str]:
        """Ids of other readable projects holding a copy (`sameAs`) of the dataset."""
        ...

    def dataset_versions(self, dataset_id: str, viewer: Viewer | None) -> list[Dataset]:
        """Readable datasets this one derives from or that derive from it, oldest first."""
        ...

    def project_workflows(self, project_id: str, viewer: Viewer | None) -> list[Workflow]:
        """A project's workflows by name, empty when the viewer may not read the project."""
        ...

    def project_activities(self, project_id: str, viewer: Viewer | None) -> list[Activity]:
        """A project's activities, oldest first, when the viewer may read the project."""
        ...

    def user_activities(self, user_id: str, viewer: Viewer | None) -> list[Activity]:
        """Activities a user was the agent of, in projects the viewer may read."""
        ...

    def lineage(self, project_id: str, path: str, viewer: Viewer | None) -> Lineage | None:
        """Everything upstream and downstream of a file; None when the file is not known."""
        ...

    def search(self, query: SearchQuery, viewer: Viewer | None) -> SearchResults:
        """Entities matching a search that the viewer may read, with totals and facets."""
        ...

"""Every knowledge-graph query, run on the embedded store and on Virtuoso with the same answers."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from renku_fed.subgraphs.common.demo import BOB, CLIMATE, FLIGHTS, SECRET_NOTES
from renku_fed.subgraphs.kg.backends.sparql import KnowledgeGraph
from renku_fed.subgraphs.kg.demo import (
    CLEAN_WORKFLOW,
    CLEANING_RUN,
    FLIGHT_DELAYS,
    FLIGHTS_METADATA,
    demo_access,
)
from renku_fed.subgraphs.kg.models import (
    ActivityRecord,
    DatasetRecord,
    DatasetSort,
    EntityType,
    LineageNodeType,
    Person,
    ProjectMetadata,
    Role,
    SearchQuery,
    SearchSort,
    Viewer,
    Visibility,
)
from tests.subgraphs.kg.conftest import ALICE_ID, SECRET_DATASET

ALICE, BOB_VIEWER = Viewer(ALICE_ID), Viewer(BOB.id)


def names(
    graph: KnowledgeGraph, text: str, viewer: Viewer | None = None, **options: object
) -> list:
    results = graph.search(SearchQuery(text=text, **options), viewer)  # type: ignore[arg-type]
    return [(hit.type.value, hit.name) for hit in results.page.items]


def test_dataset_reads_back_every_field(graph: KnowledgeGraph) -> None:
    found = graph.dataset(FLIGHT_DELAYS.id, None)
    assert found is not None
    assert (found.name, found.title, found.project_id) == (
        "flight-delays",
        "Flight delays 2023",
        FLIGHTS.id,
    )
    assert found.keywords == ["aviation", "delays"]
    assert found.files == ["data/clean.csv", "data/raw.csv"]
    assert found.creators == [FLIGHT_DELAYS.creators[0]]
    assert found.date_created == datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    assert graph.dataset("no-such-dataset", ALICE) is None


def test_private_datasets_are_for_members_only(graph: KnowledgeGraph) -> None:
    assert graph.dataset(SECRET_DATASET.id, None) is None
    assert graph.dataset(SECRET_DATASET.id, BOB_VIEWER) is None
    assert graph.dataset(SECRET_DATASET.id, ALICE) is not None
    page = graph.project_datasets(SECRET_NOTES.id, None, DatasetSort.NAME, 10, 0)
    assert (page.items, page.total) == ([], 0)
    assert [a.command for a in graph.project_activities(SECRET_NOTES.id, BOB_VIEWER)] == []
    assert [a.command for a in graph.user_activities(ALICE_ID, None)] == ["python clean.py"]
    mine = graph.user_activities(ALICE_ID, ALICE)
    assert sorted(a.command for a in mine) == ["python clean.py", "python leak.py"]


def test_project_datasets_page_by_sort(graph: KnowledgeGraph) -> None:
    extra = [
        DatasetRecord(id=f"d{n}", name=f"set-{n}", date_created=datetime(2024, 1, n, tzinfo=UTC))
        for n in (1, 2, 3)
    ]
    graph.replace_metadata(CLIMATE.id, ProjectMetadata(datasets=tuple(extra)))
    first = graph.project_datasets(CLIMATE.id, None, DatasetSort.NAME, 2, 0)
    assert [d.name for d in first.items] == ["set-1", "set-2"]
    assert (first.total, first.has_next, len(first.cursors)) == (3, True, 2)
    rest = graph.project_datasets(CLIMATE.id, None, DatasetSort.NAME, 2, 2)
    assert ([d.name for d in rest.items], rest.has_next) == (["set-3"], False)
    newest = graph.project_datasets(CLIMATE.id, None, DatasetSort.DATE_CREATED, 5, 0)
    assert [d.name for d in newest.items] == ["set-3", "set-2", "set-1"]


def test_versions_and_used_in(graph: KnowledgeGraph) -> None:
    copy = DatasetRecord(
        id="d-copy",
        name="flight-delays",
        same_as=f"https://renku.example/datasets/{FLIGHT_DELAYS.id}",
        derived_from=FLIGHT_DELAYS.id,
        date_created=datetime(2025, 1, 1, tzinfo=UTC),
    )
    graph.replace_metadata(CLIMATE.id, ProjectMetadata(datasets=(copy,)))
    assert graph.dataset_used_in(FLIGHT_DELAYS.id, None) == [CLIMATE.id]
    assert [d.id for d in graph.dataset_versions(FLIGHT_DELAYS.id, None)] == ["d-copy"]
    assert [d.id for d in graph.dataset_versions("d-copy", None)] == [FLIGHT_DELAYS.id]
    graph.set_access(dataclasses.replace(demo_access(CLIMATE), visibility=Visibility.PRIVATE))
    assert graph.dataset_used_in(FLIGHT_DELAYS.id, None) == []


def test_workflows_and_activities(graph: KnowledgeGraph) -> None:
    (workflow,) = graph.project_workflows(FLIGHTS.id, None)
    assert (workflow.name, workflow.command, workflow.inputs, workflow.outputs) == (
        "clean.py",
        "python clean.py",
        ["data/raw.csv"],
        ["data/clean.csv"],
    )
    (run,) = graph.project_activities(FLIGHTS.id, None)
    assert (run.workflow_id, run.used, run.generated) == (
        CLEAN_WORKFLOW.id,
        ["data/raw.csv"],
        ["data/clean.csv"],
    )
    assert run.agent == CLEANING_RUN.agent
    assert run.ended_at == datetime(2024, 3, 2, 14, 6, tzinfo=UTC)


def test_lineage_reaches_upstream_and_downstream(graph: KnowledgeGraph) -> None:
    plot = ActivityRecord(
        id="a-plot",
        workflow_id=None,
        command="python plot.py",
        used=("data/clean.csv", "style.mplrc"),
        generated=("figures/delays.png",),
        started_at=datetime(2024, 3, 3, tzinfo=UTC),
    )
    metadata = dataclasses.replace(FLIGHTS_METADATA, activities=(CLEANING_RUN, plot))
    graph.replace_metadata(FLIGHTS.id, metadata)
    for path in ("data/raw.csv", "data/clean.csv", "figures/delays.png"):
        found = graph.lineage(FLIGHTS.id, path, None)
        assert found is not None
        files = {n.location for n in found.nodes if n.type is LineageNodeType.FILE}
        runs = {n.label for n in found.nodes if n.type is LineageNodeType.ACTIVITY}
        assert runs == {"python clean.py", "python plot.py"}
        assert files == {"data/raw.csv", "data/clean.csv", "style.mplrc", "figures/delays.png"}
        assert len(found.edges) == 5
    edges = graph.lineage(FLIGHTS.id, "data/clean.csv", None)
    assert edges is not None
    ids = {n.location or n.label: n.id for n in edges.nodes}
    assert (ids["data/raw.csv"], ids["python clean.py"]) in {
        (e.source, e.target) for e in edges.edges
    }
    assert graph.lineage(FLIGHTS.id, "nowhere.csv", None) is None
    assert graph.lineage(SECRET_NOTES.id, "notes.md", None) is None
    assert graph.lineage(SECRET_NOTES.id, "notes.md", ALICE) is not None


def test_search_finds_projects_datasets_and_workflows(graph: KnowledgeGraph) -> None:
    assert names(graph, "flight", ALICE) == [
        ("DATASET", "flight-delays"),
        ("PROJECT", "flights"),
        ("WORKFLOW", "clean.py"),
    ]
    assert names(graph, "FLIG") == names(graph, "flig")
    assert ("WORKFLOW", "clean.py") in names(graph, "clean")


def test_search_is_accent_insensitive_and_ranks_names_first(graph: KnowledgeGraph) -> None:
    person = Person(name="José Müller", email="jm@example.org")
    dataset = DatasetRecord(
        id="d-jose", name="zurich-weather", description="by Jose", creators=(person,)
    )
    graph.replace_metadata(CLIMATE.id, ProjectMetadata(datasets=(dataset,)))
    assert names(graph, "muller") == [("PERSON", "jose muller"), ("DATASET", "zurich-weather")]
    assert names(graph, "jose", types=frozenset({EntityType.DATASET})) == [
        ("DATASET", "zurich-weather")
    ]
    assert names(graph, "zürich wea") == [("DATASET", "zurich-weather")]
    ranked = graph.search(SearchQuery(text="climate"), None).page.items
    assert [(h.type.value, h.name) for h in ranked][:1] == [("PROJECT", "climate")]


def test_search_respects_access_and_filters(graph: KnowledgeGraph) -> None:
    assert names(graph, "secret") == []
    assert names(graph, "aviation", BOB_VIEWER) == [
        ("DATASET", "flight-delays"),
        ("PROJECT", "flights"),
    ]
    assert ("DATASET", "aviation-secrets") in names(graph, "aviation", ALICE)
    kinds = frozenset({EntityType.DATASET, EntityType.PROJECT})
    private = names(graph, "", ALICE, visibilities=(Visibility.PRIVATE,), types=kinds)
    assert private == [("DATASET", "aviation-secrets"), ("PROJECT", "secret-notes")]
    assert names(graph, "", None, roles=(Role.OWNER,)) == []
    owned = names(graph, "", BOB_VIEWER, roles=(Role.OWNER,), types=frozenset({EntityType.PROJECT}))
    assert owned == [("PROJECT", "climate")]
    in_bob = names(graph, "", None, namespaces=("bob",), types=frozenset({EntityType.PROJECT}))
    assert in_bob == [("PROJECT", "climate")]
    assert names(graph, "", None, keywords=("AVIATION",)) == [
        ("DATASET", "flight-delays"),
        ("PROJECT", "flights"),
    ]
    by_alice = names(graph, "", None, creators=("alice liddell",))
    assert by_alice == [("WORKFLOW", "clean.py"), ("DATASET", "flight-delays")]
    since = datetime(2024, 3, 1, tzinfo=UTC)
    assert names(graph, "", None, since=since) == [("DATASET", "flight-delays")]
    assert names(graph, "", None, until=since, types=frozenset({EntityType.DATASET})) == []


def test_search_pages_totals_and_facets(graph: KnowledgeGraph) -> None:
    everything = graph.search(SearchQuery(sort=SearchSort.NAME, first=3), None)
    assert everything.page.total == 7
    assert everything.by_type == {
        EntityType.DATASET: 1,
        EntityType.GROUP: 2,
        EntityType.PERSON: 1,
        EntityType.PROJECT: 2,
        EntityType.WORKFLOW: 1,
    }
    assert names(graph, "", ALICE, sort=SearchSort.NAME)[-1] == ("PROJECT", "secret-notes")
    assert everything.by_keyword["aviation"] == 2
    assert everything.page.has_next
    rest = graph.search(SearchQuery(sort=SearchSort.NAME, first=10, offset=3), None)
    seen = [h.name for h in everything.page.items] + [h.name for h in rest.page.items]
    assert len(seen) == len(set(seen)) == 7 and not rest.page.has_next
    assert seen[:3] == ["alice", "alice liddell", "bob"]


def test_visibility_change_and_deletion_reach_every_field(graph: KnowledgeGraph) -> None:
    graph.set_access(dataclasses.replace(demo_access(FLIGHTS), visibility=Visibility.PRIVATE))
    assert names(graph, "flight") == []
    assert graph.dataset(FLIGHT_DELAYS.id, None) is None
    assert graph.user_activities(ALICE_ID, None) == []
    assert graph.lineage(FLIGHTS.id, "data/raw.csv", None) is None
    assert graph.dataset(FLIGHT_DELAYS.id, BOB_VIEWER) is not None
    member_gone = dataclasses.replace(
        demo_access(FLIGHTS),
        visibility=Visibility.PRIVATE,
        members=((ALICE_ID, Role.OWNER),),
    )
    graph.set_access(member_gone)
    assert graph.dataset(FLIGHT_DELAYS.id, BOB_VIEWER) is None
    graph.delete_project(FLIGHTS.id)
    assert graph.dataset(FLIGHT_DELAYS.id, ALICE) is None
    assert FLIGHTS.id not in graph.project_ids()


def test_clear_then_rebuild_gives_the_same_answers(graph: KnowledgeGraph) -> None:
    before = graph.search(SearchQuery(text="flight"), ALICE)
    graph.clear()
    assert graph.project_ids() == [] and names(graph, "flight", ALICE) == []
    from tests.subgraphs.kg.conftest import seed

    seed(graph)
    assert graph.search(SearchQuery(text="flight"), ALICE) == before


def test_hostile_text_is_only_ever_a_literal(graph: KnowledgeGraph) -> None:
    assert names(graph, '"} } DROP ALL #') == []
    assert names(graph, "", None, namespaces=('x") } DROP ALL #',)) == []
    assert graph.dataset("x> } DROP ALL #", None) is None
    assert graph.project_ids()


def test_a_group_member_reads_the_groups_private_project(graph: KnowledgeGraph) -> None:
    in_lab = dataclasses.replace(
        demo_access(FLIGHTS),
        namespace="lab",
        visibility=Visibility.PRIVATE,
        members=((ALICE_ID, Role.OWNER),),
    )
    graph.set_access(in_lab)
    member = Viewer(BOB.id, {"lab": Role.VIEWER})
    outsiders = [BOB_VIEWER, Viewer(BOB.id, {"lab-2": Role.OWNER, 'lab") } #': Role.OWNER})]
    assert graph.dataset(FLIGHT_DELAYS.id, member) is not None
    assert graph.lineage(FLIGHTS.id, "data/raw.csv", member) is not None
    assert ("DATASET", "flight-delays") in names(graph, "flight", member)
    assert [a.project_id for a in graph.user_activities(ALICE_ID, member)] == [FLIGHTS.id]
    owned = names(graph, "", member, roles=(Role.VIEWER,), types=frozenset({EntityType.PROJECT}))
    assert ("PROJECT", "flights") in owned
    for outsider in outsiders:
        assert graph.dataset(FLIGHT_DELAYS.id, outsider) is None
        assert graph.lineage(FLIGHTS.id, "data/raw.csv", outsider) is None
        assert names(graph, "flight", outsider) == []

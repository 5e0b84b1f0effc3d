"""`python -m bench.kg [--scale 1.0] [--store embedded|virtuoso|both]`: generate, ingest, time.

At scale 1: 10,000 projects, 50,000 datasets, 200,000 activities (issue 13). Prints one JSON
line per store: ingestion rate (projects' graphs written per second), search p50/p95 and
lineage p50/p95 in milliseconds; with both stores, a last line of Virtuoso's figures
divided by the embedded store's.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from renku_fed.subgraphs.kg.backends import TripleStore
from renku_fed.subgraphs.kg.backends.embedded import EmbeddedTripleStore
from renku_fed.subgraphs.kg.backends.endpoint import Endpoint, EndpointTripleStore
from renku_fed.subgraphs.kg.backends.search_index import SearchIndex
from renku_fed.subgraphs.kg.backends.sparql import KnowledgeGraph
from renku_fed.subgraphs.kg.models import (
    ActivityRecord,
    DatasetRecord,
    Person,
    ProjectAccess,
    ProjectMetadata,
    Role,
    SearchQuery,
    Viewer,
    Visibility,
)

WORDS = [
    "flight",
    "climate",
    "ocean",
    "genome",
    "protein",
    "weather",
    "traffic",
    "energy",
    "solar",
    "river",
    "forest",
    "soil",
    "market",
    "election",
    "health",
    "vaccine",
    "galaxy",
    "neuron",
    "speech",
    "image",
    "graph",
    "census",
    "crop",
    "water",
]
START = datetime(2024, 1, 1, tzinfo=UTC)


def _project(
    n: int, rng: random.Random, datasets: int, runs: int
) -> tuple[ProjectAccess, ProjectMetadata]:
    owner = f"user-{n % 500}"
    topic = rng.sample(WORDS, 3)
    access = ProjectAccess(
        id=f"p{n}",
        namespace=f"ns{n % 300}",
        slug=f"{topic[0]}-{n}",
        visibility=Visibility.PRIVATE if n % 5 == 0 else Visibility.PUBLIC,
        members=((owner, Role.OWNER), (f"user-{(n + 1) % 500}", Role.VIEWER)),
        description=f"Study of {topic[0]} and {topic[1]} with {topic[2]} data.",
        keywords=tuple(topic[:2]),
        date_created=START + timedelta(hours=n),
    )
    creator = Person(name=f"Person {owner}", user_id=owner)
    records = tuple(
        DatasetRecord(
            id=f"p{n}-d{k}",
            name=f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{k}",
            title=f"{topic[0].title()} measurements {k}",
            description=f"Raw and cleaned {topic[1]} records.",
            keywords=(topic[0], rng.choice(WORDS)),
            creators=(creator,),
            files=(f"data/raw-{k}.csv", f"data/clean-{k}.csv"),
            date_created=START + timedelta(hours=n, minutes=k),
        )
        for k in range(datasets)
    )
    activities = tuple(
        ActivityRecord(
            id=f"p{n}-a{k}",
            workflow_id=None,
            command=f"python step{k}.py",
            used=(f"data/step-{k}.csv",),
            generated=(f"data/step-{k + 1}.csv",),
            started_at=START + timedelta(hours=n, minutes=k),
            agent=creator,
        )
        for k in range(runs)
    )
    return access, ProjectMetadata(datasets=records, activities=activities)


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1),
    }


def _time(calls: list[Callable[[], object]]) -> list[float]:
    samples = []
    for call in calls:
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return samples


def run(
    store: TripleStore, index: Path, projects: int, datasets: int, runs: int, seed: int = 7
) -> dict[str, object]:
    """Ingest the generated platform into `store` (search index at `index`), then time."""
    graph = KnowledgeGraph(store, SearchIndex(index))
    rng = random.Random(seed)
    began = time.perf_counter()
    for n in range(projects):
        access, metadata = _project(n, rng, datasets, runs)
        graph.set_access(access)
        graph.replace_metadata(access.id, metadata)
    ingest = time.perf_counter() - began
    queries = [
        " ".join(rng.sample(WORDS, rng.choice((1, 2))))[: rng.choice((4, 6, 20))] for _ in range(60)
    ]
    viewers = [None, Viewer("user-3"), Viewer("user-42", {"ns7": Role.VIEWER})]
    search = _time(
        [partial(graph.search, SearchQuery(text=q), viewers[i % 3]) for i, q in enumerate(queries)]
    )
    lineage = _time(
        [
            partial(graph.lineage, f"p{n}", f"data/step-{runs // 2}.csv", None)
            for n in rng.sample(range(1, projects), 40)
            if n % 5
        ]
    )
    return {
        "projects": projects,
        "datasets": projects * datasets,
        "activities": projects * runs,
        "ingest_seconds": round(ingest, 1),
        "events_per_second": round(projects / ingest, 1),
        "search": _percentiles(search),
        "lineage": _percentiles(lineage),
    }


@contextmanager
def _virtuoso(folder: Path) -> Iterator[TripleStore]:
    from tests.support.services.virtuoso import start_virtuoso

    executable = shutil.which("virtuoso-t")
    if executable is None:
        raise SystemExit("virtuoso-t is not installed: bash tests/support/services/install.sh")
    with start_virtuoso(executable, folder) as server:
        yield EndpointTripleStore(
            Endpoint(
                server.query_url,
                server.update_url,
                server.graph_store_url,
                "graph-uri",
                server.user,
                server.password,
            )
        )


def main() -> None:
    """Run the benchmark on the chosen stores and print one JSON line each."""
    parser = argparse.ArgumentParser(prog="python -m bench.kg")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--store", choices=("embedded", "virtuoso", "both"), default="both")
    args = parser.parse_args()
    projects = max(10, int(10_000 * args.scale))
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-kg-") as tmp:
        if args.store in ("embedded", "both"):
            store: TripleStore = EmbeddedTripleStore(Path(tmp) / "store")
            results["embedded"] = run(store, Path(tmp) / "embedded-search.sqlite3", projects, 5, 20)
            print(json.dumps({"store": "embedded", **results["embedded"]}), flush=True)
        if args.store in ("virtuoso", "both"):
            folder = Path(tmp) / "virtuoso"
            folder.mkdir()
            with _virtuoso(folder) as store:
                results["virtuoso"] = run(
                    store, Path(tmp) / "virtuoso-search.sqlite3", projects, 5, 20
                )
            print(json.dumps({"store": "virtuoso", **results["virtuoso"]}), flush=True)
    if len(results) == 2:
        print(json.dumps({"virtuoso_over_embedded": _ratios(results)}), flush=True)


def _ratios(results: dict[str, dict[str, object]]) -> dict[str, float]:
    """Virtuoso's figures divided by the embedded store's, from this run."""
    embedded, virtuoso = results["embedded"], results["virtuoso"]
    ratios = {
        "events_per_second": _ratio(virtuoso["events_per_second"], embedded["events_per_second"])
    }
    for part in ("search", "lineage"):
        ours, theirs = embedded[part], virtuoso[part]
        assert isinstance(ours, dict) and isinstance(theirs, dict)
        for key in ("p50_ms", "p95_ms"):
            ratios[f"{part}_{key}"] = _ratio(theirs[key], ours[key])
    return ratios


def _ratio(numerator: object, denominator: object) -> float:
    assert isinstance(numerator, float) and isinstance(denominator, float)
    return round(numerator / denominator, 2) if denominator else float("inf")


if __name__ == "__main__":
    main()

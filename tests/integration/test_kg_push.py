"""A user's own `git push` of `.renku/` metadata to an embedded repository reaches the graph.

No mutation and no `reindexProject`: the repository's post-receive hook turns the push into an
event, which the projects service delivers to the kg like any other.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.common.demo import FLIGHTS
from renku_fed.subgraphs.kg.metadata import dataset_document, encode, path_of
from renku_fed.subgraphs.kg.models import DatasetRecord
from tests.integration.test_kg_ingestion import PROJECT, SEARCH, found
from tests.support.inprocess import inprocess_platform

BIRDS = DatasetRecord(
    id="pushed-birds", name="bird-counts", title="Ornithology counts", files=("data/birds.csv",)
)


def push_dataset(repository: str, work: Path) -> None:
    """Clone, commit a dataset's `.renku/` file as alice, and push it to `main`."""
    subprocess.run(["git", "clone", "--quiet", repository, str(work)], check=True)
    target = work / path_of("datasets", BIRDS.id)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(encode(dataset_document(BIRDS)))
    identity = ["-c", "user.name=Alice Demo", "-c", "user.email=alice@example.org"]
    for step in (
        ["add", ".renku"],
        ["commit", "--quiet", "-m", "Bird counts"],
        ["push", "--quiet"],
    ):
        subprocess.run(["git", "-C", str(work), *identity, *step], check=True)


async def test_a_pushed_dataset_is_searchable_without_reindexing(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    alice = dev_issuer.sign("alice")
    async with inprocess_platform(tmp_path, verifier) as platform:
        await platform.settle()
        assert found(await platform.query(SEARCH, alice, {"q": "ornithology"})) == set()
        flights = (await platform.query(PROJECT, alice, {"id": FLIGHTS.id}))["data"]["project"]

        push_dataset(flights["repositories"][0], tmp_path / "work")
        await platform.settle()

        assert found(await platform.query(SEARCH, alice, {"q": "ornithology"})) == {
            ("Dataset", "bird-counts")
        }
        status = (await platform.query(PROJECT, alice, {"id": FLIGHTS.id}))["data"]["project"]
        assert status["indexingStatus"]["status"] == "DONE"

"""The knowledge graph derived from the repositories, through the router (issue 13's scenario).

Recording a run commits `.renku/` metadata as alice; lineage and search follow within one
ingestion cycle; a project made private leaves every anonymous view of the graph; a graph
wiped and rebuilt by `reindexAll` answers as before.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.common.demo import FLIGHTS
from tests.support.inprocess import InProcessPlatform, inprocess_platform

RECORD = """mutation($input: RecordActivityInput!) { recordActivity(input: $input) {
  activityId workflowId commit errors { code message field } } }"""
PROJECT = """query($id: ID!) { project(id: $id) { slug etag repositories
  indexingStatus { status message progress }
  lineage(path: "data/clean.csv") { nodes { label type location } edges { source target } } } }"""
SEARCH = """query($q: String) { search(query: $q, first: 50) { totalCount edges { node {
  __typename ... on Project { id } ... on Dataset { id name project { id } }
  ... on Workflow { name command project { id } } ... on Person { name } } } } }"""
EXPOSURE = """query($dataset: ID!, $user: ID!) {
  dataset(id: $dataset) { name }
  user(id: $user) { activity { command project { id } } } }"""
MAKE_PRIVATE = """mutation($id: ID!, $etag: String!) {
  updateProject(id: $id, ifMatch: $etag, input: { visibility: PRIVATE }) {
    project { visibility } errors { code message } } }"""
REINDEX_ALL = "mutation { reindexAll { queued errors { code message } } }"


def found(body: dict[str, Any]) -> set[tuple[str, str]]:
    """(type, name or id) of every search hit."""
    assert "errors" not in body, body
    names = set()
    for edge in body["data"]["search"]["edges"]:
        node = edge["node"]
        names.add((node["__typename"], node.get("name") or node.get("id") or ""))
    return names


def git_log(repository: str) -> list[str]:
    """`author|subject|files` of the latest commit of a file:// repository."""
    path = unquote(urlparse(repository).path)
    shown = subprocess.run(
        ["git", f"--git-dir={path}", "log", "-1", "--name-only", "--format=%an <%ae>|%s"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [line for line in shown.stdout.splitlines() if line]


async def answers(platform: InProcessPlatform, alice: str, dataset_id: str) -> dict[str, Any]:
    """What alice and anonymous callers see of flights' graph."""
    anonymous = await platform.query(
        EXPOSURE, variables={"dataset": dataset_id, "user": dev_subject("alice")}
    )
    return {
        "alice": sorted(found(await platform.query(SEARCH, alice, {"q": "flight"}))),
        "anonymous": sorted(found(await platform.query(SEARCH, None, {"q": "flight"}))),
        "exposure": anonymous["data"],
        "lineage": (await platform.query(PROJECT, alice, {"id": FLIGHTS.id}))["data"]["project"][
            "lineage"
        ],
    }


async def test_recorded_run_reaches_lineage_search_and_access(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    alice = dev_issuer.sign("alice")
    async with inprocess_platform(tmp_path, verifier) as platform:
        run = {
            "projectId": FLIGHTS.id,
            "command": "python clean.py",
            "inputs": ["data/raw.csv"],
            "outputs": ["data/clean.csv"],
            "startedAt": "2025-01-02T10:00:00+00:00",
            "endedAt": "2025-01-02T10:01:00+00:00",
        }
        recorded = (await platform.query(RECORD, alice, {"input": run}))["data"]["recordActivity"]
        assert recorded["errors"] == [] and recorded["commit"]
        refused = await platform.query(RECORD, dev_issuer.sign("bob"), {"input": run})
        assert refused["data"]["recordActivity"]["errors"][0]["code"] == "FORBIDDEN"
        await platform.settle()

        flights = (await platform.query(PROJECT, alice, {"id": FLIGHTS.id}))["data"]["project"]
        author, *files = git_log(flights["repositories"][0])
        assert author == "Alice Demo <alice@example.org>|renku run: python clean.py"
        assert all(f.startswith(".renku/") for f in files) and len(files) == 2
        assert flights["indexingStatus"] == {"status": "DONE", "message": None, "progress": 1.0}
        locations = {n["location"] for n in flights["lineage"]["nodes"]}
        assert {"data/raw.csv", "data/clean.csv"} <= locations
        assert len(flights["lineage"]["edges"]) >= 2

        hits = found(await platform.query(SEARCH, alice, {"q": "flight"}))
        assert {
            ("Project", FLIGHTS.id),
            ("Dataset", "flight-delays"),
            ("Workflow", "clean.py"),
        } <= hits
        secret = found(await platform.query(SEARCH, None, {"q": "secret notes"}))
        assert secret == set()

        dataset_id = next(
            e["node"]["id"]
            for e in (await platform.query(SEARCH, alice, {"q": "flight"}))["data"]["search"][
                "edges"
            ]
            if e["node"]["__typename"] == "Dataset"
        )
        before = await answers(platform, alice, dataset_id)
        assert before["exposure"]["dataset"] == {"name": "flight-delays"}
        assert before["anonymous"]

        etag = flights["etag"]
        made = await platform.query(MAKE_PRIVATE, alice, {"id": FLIGHTS.id, "etag": etag})
        assert made["data"]["updateProject"]["errors"] == []
        await platform.settle()
        private = await answers(platform, alice, dataset_id)
        assert private["anonymous"] == []
        assert private["exposure"]["dataset"] is None
        assert all(
            a["project"]["id"] != FLIGHTS.id for a in private["exposure"]["user"]["activity"]
        )
        assert private["alice"] == before["alice"] and private["lineage"] == before["lineage"]

        ingester = platform.apps["kg"].state.ingester
        ingester.graph.clear()
        assert found(await platform.query(SEARCH, alice, {"q": "flight"})) == set()
        admin = dev_issuer.sign("admin", extra_claims={"realm_access": {"roles": ["renku-admin"]}})
        reindexed = (await platform.query(REINDEX_ALL, admin))["data"]["reindexAll"]
        assert reindexed["errors"] == [] and reindexed["queued"] > 1
        denied = (await platform.query(REINDEX_ALL, alice))["data"]["reindexAll"]
        assert denied["errors"][0]["code"] == "FORBIDDEN"
        await platform.settle()
        assert await answers(platform, alice, dataset_id) == private

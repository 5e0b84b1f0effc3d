"""Group roles in the knowledge graph, through the router: a group's members read the datasets
of its private projects (search, `dataset`, `Project.datasets`) until they are removed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from tests.integration.test_group_access import CREATE_GROUP, CREATE_PROJECT, REMOVE, SET
from tests.support.inprocess import InProcessPlatform, inprocess_platform

RECORD = """mutation($input: RecordDatasetInput!) { recordDataset(input: $input) {
  datasetId errors { code message } } }"""
READ = """query($id: ID!, $dataset: ID!) {
  search(query: "glacier") { totalCount }
  dataset(id: $dataset) { name }
  project(id: $id) { datasets { edges { node { name } } } } }"""


async def _read(
    platform: InProcessPlatform, token: str, project_id: str, dataset_id: str
) -> dict[str, Any]:
    body = await platform.query(READ, token, {"id": project_id, "dataset": dataset_id})
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def test_a_group_member_reads_the_groups_private_datasets_until_removed(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    alice, bob = dev_issuer.sign("alice"), dev_issuer.sign("bob")
    async with inprocess_platform(tmp_path, verifier) as platform:
        assert (await platform.query(CREATE_GROUP, alice))["data"]["createGroup"]["errors"] == []
        created = (await platform.query(CREATE_PROJECT, alice))["data"]["createProject"]
        project_id = created["project"]["id"]
        await platform.settle()
        dataset = {"projectId": project_id, "name": "glacier-melt", "files": ["data/melt.csv"]}
        recorded = (await platform.query(RECORD, alice, {"input": dataset}))["data"]
        assert recorded["recordDataset"]["errors"] == []
        dataset_id = recorded["recordDataset"]["datasetId"]
        await platform.settle()

        owner = await _read(platform, alice, project_id, dataset_id)
        assert owner["search"]["totalCount"] == 1 and owner["dataset"]["name"] == "glacier-melt"
        outsider = await _read(platform, bob, project_id, dataset_id)
        assert outsider["search"]["totalCount"] == 0 and outsider["dataset"] is None

        await platform.query(SET, alice, {"role": "VIEWER"})
        member = await _read(platform, bob, project_id, dataset_id)
        assert member == owner

        assert (await platform.query(REMOVE, alice))["data"]["removeGroupMember"]["errors"] == []
        removed = await _read(platform, bob, project_id, dataset_id)
        assert removed["search"]["totalCount"] == 0 and removed["dataset"] is None
        assert removed["project"] is None or removed["project"]["datasets"]["edges"] == []

"""The SDK against the real router and subgraphs, in-process: records, then reads lineage back."""

from __future__ import annotations

from pathlib import Path

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.sdk import AsyncClient, RecordedActivity
from tests.support.inprocess import ROUTER_URL, inprocess_platform


async def test_recorded_runs_and_datasets_come_back_through_the_graph(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    alice = dev_issuer.sign("alice")
    async with inprocess_platform(tmp_path, verifier) as platform:
        client = AsyncClient(ROUTER_URL, alice, transport=platform.transport)
        assert "alice/flights" in [p.path async for p in client.projects.list(namespace="alice")]
        created = await client.projects.create("sdk recording", description="by the SDK")
        await platform.settle()  # the kg learns of new projects from projects' events
        recorded = await client.kg.record_activity(
            created, "python train.py", inputs=["data/features.csv"], outputs=["models/m.pkl"]
        )
        assert isinstance(recorded, RecordedActivity) and recorded.commit
        dataset = await client.kg.record_dataset(
            created.path, "features", title="Features", files=["data/features.csv"]
        )
        assert dataset.dataset_id and dataset.commit
        await platform.settle()

        lineage = await client.kg.lineage(created, "models/m.pkl")
        files = {node.location for node in lineage.nodes if node.type == "FILE"}
        assert files == {"data/features.csv", "models/m.pkl"}
        assert [n.label for n in lineage.nodes if n.type == "ACTIVITY"] == ["python train.py"]
        assert len(lineage.edges) == 2
        await client.aclose()

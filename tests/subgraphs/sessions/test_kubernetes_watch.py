"""The Kubernetes backend follows its resources by a watch, and lists again when it expires."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.demo import ALICE
from renku_fed.subgraphs.sessions.backends import kubernetes as kubernetes_backend
from renku_fed.subgraphs.sessions.backends.kubernetes_api import Gone, KubernetesApi, api_client
from renku_fed.subgraphs.sessions.backends.kubernetes_resources import amalthea_session
from renku_fed.subgraphs.sessions.demo import JUPYTER
from renku_fed.subgraphs.sessions.models import SessionState
from tests.subgraphs.sessions.test_kubernetes import NS, PLACEMENT, PROJECT, a_session, backend_on
from tests.support.kubernetes import KubernetesDouble, kubernetes_double

SELECTOR = {"renku.io/managed-by": "renku-fed"}


@pytest.fixture
def kube() -> Iterator[KubernetesDouble]:
    """The Kubernetes API double, for these tests alone."""
    with kubernetes_double() as double:
        yield double


async def test_a_watch_streams_changes_after_a_version_and_refuses_an_expired_one(
    kube: KubernetesDouble,
) -> None:
    api = KubernetesApi(api_client(kube.url), NS)
    _, version = await api.list_sessions(SELECTOR)
    events = api.watch_sessions(SELECTOR, version, 2)
    body = amalthea_session(a_session(), PROJECT, JUPYTER, [], PLACEMENT)
    name = body["metadata"]["name"]
    created = await api.create_session(body)
    await api.patch_session(name, {"spec": {"hibernated": True}})
    await api.delete_session(name)
    seen = [(kind, obj["metadata"]["resourceVersion"]) async for kind, obj in events]
    assert created is not None
    first = int(created["metadata"]["resourceVersion"])
    assert seen == [
        ("ADDED", str(first)),
        ("MODIFIED", str(first + 1)),
        ("DELETED", str(first + 2)),
    ]
    kube.compact()
    with pytest.raises(Gone):
        async for _ in api.watch_sessions(SELECTOR, version, 2):
            pass
    api.close()


async def wait_for(
    backend: kubernetes_backend.KubernetesSessionBackend, session_id: str, state: SessionState
) -> None:
    deadline = asyncio.get_running_loop().time() + 10
    while (found := backend.store.session(session_id)) is None or found.state is not state:
        assert asyncio.get_running_loop().time() < deadline, found
        await asyncio.sleep(0.05)


async def test_the_backend_follows_a_status_by_the_watch_and_lists_again_when_it_expires(
    kube: KubernetesDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kubernetes_backend, "WATCH_SECONDS", 1)
    kube.operator = False
    backend = backend_on(kube, tmp_path)
    await backend.start()
    alice = Identity(subject=ALICE.id, username="alice", token="alice-token")
    record = a_session(last_interaction=datetime.now(UTC))
    backend.store.save_session(record)
    await backend.launch(record, PROJECT, JUPYTER, [], alice)
    name = f"renku-{record.id}"
    lists = sum(1 for method, _, query in kube.requests if method == "GET" and "watch" not in query)
    kube.set_status(NS, name, {"state": "Running"})
    await wait_for(backend, record.id, SessionState.RUNNING)
    assert lists == sum(
        1 for method, _, query in kube.requests if method == "GET" and "watch" not in query
    ), "followed by the watch, not by listing"
    # A change the watch misses, and the events before it forgotten: its next start is 410.
    with kube.lock:
        kube.objects[("amaltheasessions", NS, name)]["status"] = {"state": "Failed", "error": "x"}
        kube.version += 1
        kube.compact()
    await wait_for(backend, record.id, SessionState.FAILED)
    await backend.close()

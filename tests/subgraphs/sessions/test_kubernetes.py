"""The Kubernetes backend: AmaltheaSession resources valid by the CRD, its API calls, its states."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.demo import ALICE, FLIGHTS
from renku_fed.subgraphs.common.errors import DomainError
from renku_fed.subgraphs.sessions.backends.kubernetes import KubernetesSessionBackend
from renku_fed.subgraphs.sessions.backends.kubernetes_api import (
    AlreadyExists,
    KubernetesApi,
    api_client,
)
from renku_fed.subgraphs.sessions.backends.kubernetes_resources import (
    Placement,
    amalthea_session,
    observed_state,
    session_secret,
)
from renku_fed.subgraphs.sessions.backends.project_directory import GraphProjectDirectory
from renku_fed.subgraphs.sessions.backends.sqlite_store import SqliteStore
from renku_fed.subgraphs.sessions.demo import JUPYTER, SMALL, demo_launchers
from renku_fed.subgraphs.sessions.models import (
    EnvVar,
    ProjectInfo,
    Resources,
    Session,
    SessionState,
)
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from tests.support.kubernetes import KubernetesDouble, crd_validator, kubernetes_double

NS = "renku-sessions"
REMOTE = "https://gitlab.example.org/alice/flights.git"
PROJECT = ProjectInfo(FLIGHTS.id, "alice", "flights", (REMOTE,), can_write=True)
PLACEMENT = Placement(NS, "https://renku.example.org", "alpine/git", "amalthea-volume", "fast")


def a_session(session_id: str = "01jsession0000000000000000", **changes: Any) -> Session:
    now = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    fields: dict[str, Any] = {
        "id": session_id, "name": "flights-1", "project_id": FLIGHTS.id, "owner_id": ALICE.id,
        "launcher_id": demo_launchers()[0].id, "image": JUPYTER.container_image,
        "state": SessionState.STARTING, "resources": Resources(1.5, 2, 1, 5),
        "resource_class_id": SMALL.id, "started_at": now, "last_interaction": now,
        "idle_threshold_seconds": 600, "hibernation_threshold_seconds": 7200,
    }  # fmt: skip
    return Session(**{**fields, **changes})


def test_a_session_is_an_amaltheasession_valid_by_the_crd_with_its_secrets_kept_apart() -> None:
    session = a_session()
    resource = amalthea_session(session, PROJECT, JUPYTER, [EnvVar("MODE", "x")], PLACEMENT)
    secret = session_secret(session, "jupyter-secret", "alice-token", "creds-line")

    assert [e.message for e in crd_validator().iter_errors(resource)] == []
    spec, labels = resource["spec"], resource["metadata"]["labels"]
    assert labels["renku.io/user-id"] == ALICE.id
    assert labels["renku.io/project-id"] == FLIGHTS.id
    assert labels["renku.io/launcher-id"] == session.launcher_id
    main = spec["session"]
    assert main["image"] == JUPYTER.container_image and main["port"] == JUPYTER.port
    assert main["workingDir"] == JUPYTER.working_directory
    assert main["urlPath"] == f"/sessions/{session.id}/"
    assert main["resources"] == {
        "requests": {"cpu": "1.5", "memory": "2Gi"},
        "limits": {"memory": "2Gi", "nvidia.com/gpu": "1"},
    }
    assert main["storage"] == {
        "size": "5Gi",
        "mountPath": JUPYTER.mount_directory,
        "className": "fast",
    }
    assert main["runAsUser"] == 1000 and spec["hibernated"] is False
    assert spec["culling"] == {
        "maxIdleDuration": "600s",
        "maxHibernatedDuration": "7200s",
        "lastInteraction": "2025-01-02T03:04:05Z",
    }
    assert spec["authentication"] == {
        "enabled": True, "type": "token",
        "secretRef": {"name": f"renku-{session.id}-secrets", "key": "auth"},
    }  # fmt: skip
    clone = spec["initContainers"][0]
    assert clone["securityContext"]["runAsNonRoot"] is True
    assert clone["securityContext"]["allowPrivilegeEscalation"] is False
    assert {"name": "REMOTE", "value": REMOTE} in clone["env"]
    assert "credential.helper" in clone["command"][-1]
    text = json.dumps(resource)
    for value in ("jupyter-secret", "alice-token", "creds-line"):
        assert value not in text
        assert value in json.dumps(secret["stringData"])


@pytest.mark.parametrize(
    ("status", "hibernated", "expected"),
    [
        ({}, False, (SessionState.STARTING, None)),
        ({"state": "NotReady"}, False, (SessionState.STARTING, None)),
        ({"state": "Running"}, False, (SessionState.RUNNING, None)),
        ({"state": "RunningDegraded"}, False, (SessionState.RUNNING, None)),
        ({"state": "Running"}, True, (SessionState.STOPPING, None)),
        ({"state": "Hibernated"}, True, (SessionState.HIBERNATED, None)),
        ({"state": "Failed", "error": "OOMKilled"}, False, (SessionState.FAILED, "OOMKilled")),
        ({"state": "Succeeded"}, False, (SessionState.SUCCEEDED, None)),
    ],
)
def test_states_follow_the_resources_status(
    status: dict[str, Any], hibernated: bool, expected: tuple[SessionState, str | None]
) -> None:
    assert observed_state({"spec": {"hibernated": hibernated}, "status": status}) == expected


@pytest.fixture
def kube() -> Any:
    with kubernetes_double(operator=False) as double:
        yield double


async def test_the_api_calls_answer_as_kubernetes_documents_them(kube: KubernetesDouble) -> None:
    api = KubernetesApi(api_client(kube.url), NS)
    body = amalthea_session(a_session(), PROJECT, JUPYTER, [], PLACEMENT)
    created = await api.create_session(body)
    assert created is not None and created["metadata"]["uid"]
    with pytest.raises(AlreadyExists):
        await api.create_session(body)
    assert await api.session("renku-missing") is None
    assert await api.patch_session("renku-missing", {"spec": {"hibernated": True}}) is None
    other = amalthea_session(
        a_session("01jother00000000000000000"), PROJECT, JUPYTER, [], PLACEMENT
    )
    other["metadata"]["labels"]["renku.io/user-id"] = "bob"
    await api.create_session(other)
    mine = await api.sessions({"renku.io/user-id": ALICE.id})
    assert [item["metadata"]["name"] for item in mine] == [body["metadata"]["name"]]
    typo = {**body, "metadata": {"name": "renku-typo"}, "spec": {**body["spec"], "hibernate": 1}}
    with pytest.raises(DomainError, match="refused"):
        await api.create_session(typo)
    secret = session_secret(a_session(), "s1", "t1", "")
    await api.put_secret(secret)
    await api.put_secret(session_secret(a_session(), "s2", "t2", ""))
    stored = kube.secret(NS, secret["metadata"]["name"])
    assert stored is not None and stored["data"]["token"] == "t2"
    await api.delete_session(body["metadata"]["name"])
    await api.delete_session(body["metadata"]["name"])
    assert await api.session(body["metadata"]["name"]) is None
    assert await api.logs("renku-missing-0", 10) == ""
    methods = {method for method, _, _ in kube.requests}
    assert methods == {"POST", "GET", "PATCH", "DELETE"}
    api.close()


def backend_on(kube: KubernetesDouble, tmp_path: Path) -> KubernetesSessionBackend:
    settings = SessionsSettings(
        data_dir=tmp_path, backend="kubernetes", kubernetes_api_url=kube.url,
        kubernetes_namespace=NS, reconcile_interval_seconds=3600,
    )  # fmt: skip
    api = KubernetesApi(api_client(kube.url), NS)
    store = SqliteStore(tmp_path / "sessions.sqlite3")
    return KubernetesSessionBackend(settings, store, GraphProjectDirectory("http://x", 1, 1), api)


async def test_states_come_from_amalthea_and_a_restart_fails_vanished_sessions(
    kube: KubernetesDouble, tmp_path: Path
) -> None:
    backend = backend_on(kube, tmp_path)
    alice = Identity(subject=ALICE.id, username="alice", token="alice-token-1")
    launched = []
    for number in range(3):
        record = a_session(f"01jsession{number:016d}", last_interaction=datetime.now(UTC))
        backend.store.save_session(record)
        launched.append(await backend.launch(record, PROJECT, JUPYTER, [], alice))
    running, failing, vanished = (f"renku-{s.id}" for s in launched)
    secret = kube.secret(NS, f"{running}-secrets")
    assert secret is not None
    assert secret["data"]["git-credentials"] == "https://oauth2:alice-token-1@gitlab.example.org\n"
    await backend.reconcile()
    assert backend.store.session(launched[0].id).state is SessionState.STARTING  # type: ignore[union-attr]
    kube.set_status(NS, running, {"state": "Running"})
    kube.set_status(NS, failing, {"state": "Failed", "error": "image pull failed"})
    kube.objects.pop(("amaltheasessions", NS, vanished))
    await backend.start()
    states = {s.id: (s.state, s.message) for s in backend.store.sessions(ALICE.id)}
    assert states[launched[0].id] == (SessionState.RUNNING, None)
    assert states[launched[1].id] == (SessionState.FAILED, "image pull failed")
    assert states[launched[2].id][0] is SessionState.FAILED
    assert "restarted" in str(states[launched[2].id][1])

    current = backend.store.session(launched[0].id)
    assert current is not None and backend.target(current) is not None
    backend.renew_token(current, Identity(subject=ALICE.id, username="alice", token="fresh"))
    await asyncio.sleep(0.5)
    renewed = kube.secret(NS, f"{running}-secrets")
    assert renewed is not None and renewed["data"]["token"] == "fresh"
    assert "fresh" in renewed["data"]["git-credentials"]
    hibernated = await backend.hibernate(current)
    emptied = kube.secret(NS, f"{running}-secrets")
    assert hibernated.state is SessionState.HIBERNATED and hibernated.secret is None
    assert emptied is not None and emptied["data"]["token"] == ""
    assert emptied["data"]["git-credentials"] == ""
    await backend.close()

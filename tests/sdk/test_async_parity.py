"""AsyncClient offers what Client does, and waiting for a session shows progress on a terminal."""

from __future__ import annotations

import inspect
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from renku_fed.sdk import AsyncClient, Client, NotFound, PermissionDenied, ServerError
from renku_fed.sdk.resources import aio, sync
from tests.sdk.test_client import URL, USER, data, project

PAIRS = [
    (sync.Projects, aio.AsyncProjects),
    (sync.Members, aio.AsyncMembers),
    (sync.Sessions, aio.AsyncSessions),
    (sync.Users, aio.AsyncUsers),
    (sync.KnowledgeGraph, aio.AsyncKnowledgeGraph),
]
Answer = Callable[[str, dict[str, Any]], dict[str, Any]]


def session(state: str, message: str | None = None) -> dict[str, Any]:
    return {
        "id": "S1", "name": "flights", "state": state, "message": message, "url": None,
        "startedAt": "2025-01-01T00:00:00Z",
        "project": {"id": "P1", "namespace": "alice", "slug": "p1"},
    }  # fmt: skip


def methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(cls).items()
        if not name.startswith("_") and inspect.isfunction(member)
    }


@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: pair[0].__name__)
def test_every_blocking_method_has_an_async_twin_with_the_same_parameters(
    pair: tuple[type, type],
) -> None:
    blocking, awaited = methods(pair[0]), methods(pair[1])
    assert blocking.keys() == awaited.keys()
    for name, signature in blocking.items():
        assert list(signature.parameters) == list(awaited[name].parameters), name
        function = vars(pair[1])[name]
        returns_iterator = "AsyncIterator" in str(awaited[name].return_annotation)
        assert inspect.iscoroutinefunction(function) or returns_iterator, name


def test_both_clients_have_the_same_resources() -> None:
    blocking = Client(URL, "T")
    awaited = AsyncClient(URL, "T")
    for name in ("projects", "sessions", "users", "kg"):
        twin = type(getattr(blocking, name)).__name__
        assert type(getattr(awaited, name)).__name__ == f"Async{twin}"
    assert type(awaited.projects.members) is aio.AsyncMembers


def unstreamed() -> httpx.Response:
    """A router without `sessionChanged`, as the SDK's wait meets it before it polls."""
    error = {
        "message": "Cannot query field 'sessionChanged' on type 'Subscription'.",
        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
    }
    return httpx.Response(200, json={"errors": [error]})


def async_client(answer: Answer, sent: list[tuple[str, dict[str, Any]]]) -> AsyncClient:
    """An AsyncClient whose every operation is answered by `answer(operation, variables)`."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        operation = body["query"].split("(")[0].split("{")[0].split()[1]
        if operation == "SessionChanged":
            return unstreamed()
        sent.append((operation, body["variables"]))
        return data(answer(operation, body["variables"]))

    return AsyncClient(URL, "T", transport=httpx.MockTransport(handler), backoff=0)


async def test_the_async_client_does_sessions_users_and_members() -> None:
    answers: dict[str, dict[str, Any]] = {
        "HibernateSession": {"hibernateSession": {"session": session("HIBERNATED"), "errors": []}},
        "ResumeSession": {"resumeSession": {"session": session("STARTING"), "errors": []}},
        "SessionLogs": {"session": {"id": "S1", "logs": "line 1\nline 2"}},
        "ListSessions": {"sessions": [session("RUNNING")]},
        "GetUser": {"user": None},
        "GetUserByUsername": {"userByUsername": {**USER, "id": "01JDEM00000000000000000B0B"}},
        "GetProjectBySlug": {"projectBySlug": project(1)},
        "SetProjectMembers": {"setProjectMembers": {"project": project(1), "errors": []}},
    }
    sent: list[tuple[str, dict[str, Any]]] = []
    async with async_client(lambda op, _: answers[op], sent) as client:
        assert (await client.sessions.hibernate("S1")).state.value == "HIBERNATED"
        assert (await client.sessions.resume("S1")).state.value == "STARTING"
        assert await client.sessions.logs("S1", max_lines=2) == "line 1\nline 2"
        assert [s.id for s in await client.sessions.list()] == ["S1"]
        assert (await client.users.get_by_slug("bob")).id == "01JDEM00000000000000000B0B"
        with pytest.raises(NotFound, match="U404"):
            await client.users.get("U404")
        await client.projects.members.set("alice/p1", {"bob": "EDITOR"})
    assert ("SessionLogs", {"id": "S1", "maxLines": 2}) in sent
    assert ("GetUser", {"id": "U404"}) in sent
    members = [v for op, v in sent if op == "SetProjectMembers"]
    assert members == [
        {"id": "P1", "members": [{"userId": "01JDEM00000000000000000B0B", "role": "EDITOR"}]}
    ]


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def starting_then(final: str) -> Answer:
    """Launch answers STARTING; each poll after the second answers `final`."""
    polls: list[int] = []

    def answer(operation: str, _: dict[str, Any]) -> dict[str, Any]:
        if operation == "GetProjectBySlug":
            return {"projectBySlug": project(1)}
        if operation == "LaunchSession":
            return {"launchSession": {"session": session("STARTING", "pulling"), "errors": []}}
        polls.append(1)
        return {"session": session(final if len(polls) > 1 else "STARTING", "cloning")}

    return answer


@pytest.fixture
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync, "POLL_SECONDS", 0)
    monkeypatch.setattr(aio, "POLL_SECONDS", 0)


def blocking_client(answer: Answer) -> Client:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        operation = body["query"].split("(")[0].split("{")[0].split()[1]
        if operation == "SessionChanged":
            return unstreamed()
        return data(answer(operation, body["variables"]))

    return Client(URL, "T", transport=httpx.MockTransport(handler), backoff=0)


def test_launch_shows_one_updating_line_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, no_pause: None
) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    launched = blocking_client(starting_then("RUNNING")).sessions.launch("alice/p1")
    assert launched.state.value == "RUNNING"
    shown = terminal.getvalue()
    assert shown.count("\n") == 1 and shown.endswith("\n")
    redraws = shown.split("\r\x1b[K")[1:]
    assert len(redraws) == 4
    assert "STARTING: pulling" in redraws[0] and "STARTING: cloning" in redraws[1]
    assert redraws[-1].startswith("session S1: RUNNING")


async def test_the_async_launch_shows_progress_too(
    monkeypatch: pytest.MonkeyPatch, no_pause: None
) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    async with async_client(starting_then("RUNNING"), []) as client:
        assert (await client.sessions.launch("alice/p1")).state.value == "RUNNING"
    assert "STARTING: cloning" in terminal.getvalue()
    assert terminal.getvalue().count("\n") == 1


def test_nothing_is_shown_when_not_a_terminal(
    monkeypatch: pytest.MonkeyPatch, no_pause: None
) -> None:
    pipe = io.StringIO()
    monkeypatch.setattr("sys.stderr", pipe)
    assert blocking_client(starting_then("RUNNING")).sessions.launch("alice/p1").id == "S1"
    assert pipe.getvalue() == ""


def test_a_failed_start_ends_the_line_and_raises(
    monkeypatch: pytest.MonkeyPatch, no_pause: None
) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with pytest.raises(ServerError, match="failed"):
        blocking_client(starting_then("FAILED")).sessions.launch("alice/p1")
    assert terminal.getvalue().endswith("FAILED: cloning (0 s)\n")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("RENKU_FED_URL", "RENKU_FED_TOKEN", "RENKU_FED_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RENKU_FED_CONFIG_DIR", str(tmp_path / "config"))


async def test_recording_a_dataset_and_an_activity_sends_the_inputs() -> None:
    answers: dict[str, dict[str, Any]] = {
        "GetProjectBySlug": {"projectBySlug": project(1)},
        "RecordDataset": {"recordDataset": {"datasetId": "D1", "commit": "c1", "errors": []}},
        "RecordActivity": {"recordActivity": {
            "activityId": "A1", "workflowId": "W1", "commit": "c2", "errors": [],
        }},
    }  # fmt: skip
    sent: list[tuple[str, dict[str, Any]]] = []
    started = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    async with async_client(lambda op, _: answers[op], sent) as client:
        dataset = await client.kg.record_dataset(
            "alice/p1", "raw", files=["data/raw.csv"], same_as="https://example.org/raw.csv"
        )
        activity = await client.kg.record_activity(
            "alice/p1", "python clean.py", inputs=("data/raw.csv",), outputs=["data/clean.csv"],
            started_at=started, workflow_name="clean",
        )  # fmt: skip
    assert (dataset.dataset_id, dataset.commit) == ("D1", "c1")
    assert (activity.activity_id, activity.workflow_id) == ("A1", "W1")
    recorded = {op: v["input"] for op, v in sent if op.startswith("Record")}
    assert recorded["RecordDataset"] == {
        "projectId": "P1", "name": "raw", "title": None, "description": None,
        "files": ["data/raw.csv"], "keywords": [], "creators": None,
        "sameAs": "https://example.org/raw.csv",
    }  # fmt: skip
    assert recorded["RecordActivity"] == {
        "projectId": "P1", "command": "python clean.py", "inputs": ["data/raw.csv"],
        "outputs": ["data/clean.csv"], "startedAt": "2025-01-02T03:04:05+00:00",
        "endedAt": None, "workflowName": "clean",
    }  # fmt: skip


def test_a_refused_recording_is_a_typed_error() -> None:
    def answer(operation: str, _: dict[str, Any]) -> dict[str, Any]:
        if operation == "GetProjectBySlug":
            return {"projectBySlug": project(1)}
        error = {"code": "FORBIDDEN", "message": "viewers may not record", "field": None}
        return {"recordActivity": {"activityId": None, "errors": [error]}}

    with pytest.raises(PermissionDenied, match="viewers"):
        blocking_client(answer).kg.record_activity("alice/p1", "make")

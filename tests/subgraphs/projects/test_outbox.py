"""The embedded store's durable outbox: events survive a kg that is down and a restart.

A real kg app listens on 127.0.0.1 only once it is "up"; before, its port is bound but not
listening, so every post is refused like a kg that is down. A real `git push` into a project's
repository reaches the kg through the repository's post-receive hook.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest

from renku_fed.identity.tokens import Identity, TokenVerifier
from renku_fed.subgraphs.kg.app import EVENTS_FILE
from renku_fed.subgraphs.kg.app import build_app as build_kg
from renku_fed.subgraphs.kg.settings import KgSettings
from renku_fed.subgraphs.projects.backends.embedded import EmbeddedProjectStore
from renku_fed.subgraphs.projects.backends.events import EventDelivery
from renku_fed.subgraphs.projects.backends.outbox import (
    OutboxSource,
    disable_outbox,
    enable_outbox,
)
from renku_fed.subgraphs.projects.backends.push_hook import sweep_pushes
from renku_fed.subgraphs.projects.models import NewProject, Visibility
from tests.support.doubles.server import LoopbackServer

SECRET = "outbox-test-secret"
DAVE = Identity(subject="dave-id", username="dave", email="dave@example.org", first_name="Dave")
NOTES = NewProject(
    name="Notes", namespace="dave", slug="notes", visibility=Visibility.PRIVATE,
    description=None, keywords=(),
)  # fmt: skip


def outbox_rows(store: EmbeddedProjectStore) -> list[tuple[str, str]]:
    """(project id, kind) of every row waiting in the outbox."""
    with sqlite3.connect(store.database) as db:
        return list(db.execute("SELECT project_id, kind FROM outbox ORDER BY id"))


def kg_events(kg_dir: Path) -> list[tuple[str, str, dict[str, object]]]:
    """(kind, project id, payload) of every event the kg stored."""
    with sqlite3.connect(kg_dir / EVENTS_FILE) as db:
        rows = db.execute("SELECT kind, project_id, payload FROM events ORDER BY id").fetchall()
    return [(kind, project, json.loads(payload)) for kind, project, payload in rows]


def kg_server(kg_dir: Path, verifier: TokenVerifier) -> LoopbackServer:
    """The kg app on a 127.0.0.1 port that is bound now and listens once entered."""
    return LoopbackServer(build_kg(KgSettings(data_dir=kg_dir, events_secret=SECRET), verifier))


def delivery(store: EmbeddedProjectStore, url: str) -> EventDelivery:
    """A delivery of `store`'s outbox to `url` that polls and retries quickly."""
    outbox = OutboxSource(store.database, store.repositories, store.stored)
    return EventDelivery(
        outbox, url, SECRET, httpx.AsyncClient(timeout=2.0),
        poll_seconds=0.05, max_backoff_seconds=0.2,
    )  # fmt: skip


def push_a_commit(url: str, work: Path) -> str:
    """Clone, commit a file and `git push`; the pushed commit."""
    subprocess.run(["git", "clone", "--quiet", url, str(work)], check=True)
    (work / "notes.txt").write_text("first field notes\n")

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(work), "-c", "user.name=Dave", "-c", "user.email=dave@example.org",
             *args], capture_output=True, text=True, check=True,
        )  # fmt: skip
        return done.stdout.strip()

    git("add", "notes.txt")
    git("commit", "--quiet", "-m", "Notes")
    git("push", "--quiet", "origin", "main")
    return git("rev-parse", "HEAD")


async def test_events_wait_for_a_kg_that_is_down_across_a_restart(
    tmp_path: Path, verifier: TokenVerifier
) -> None:
    kg_dir = tmp_path / "kg"
    kg = kg_server(kg_dir, verifier)
    url = f"{kg.url}/internal/events"
    store = EmbeddedProjectStore(tmp_path / "projects")
    enable_outbox(store.database)
    first = delivery(store, url)
    first.start()
    project = await store.create(DAVE, NOTES)
    await asyncio.sleep(0.3)
    await first.aclose()
    assert outbox_rows(store)[0] == (project.id, "project")

    restarted = EmbeddedProjectStore(tmp_path / "projects")
    enable_outbox(restarted.database)
    commit = push_a_commit(project.repositories[0], tmp_path / "work")
    assert {row for row in outbox_rows(restarted)} == {(project.id, "project")}
    noted = restarted.repositories / "dave" / "notes.git" / "renku-pushes" / commit
    assert noted.exists()
    second = delivery(restarted, url)
    second.start()
    with kg:
        await asyncio.wait_for(second.flush(), 10)
    await second.aclose()

    assert outbox_rows(restarted) == [] and not noted.exists()
    stored = kg_events(kg_dir)
    assert [(kind, project_id) for kind, project_id, _ in stored] == [
        ("ACCESS", project.id), ("PUSH", project.id),
    ]  # fmt: skip
    assert stored[0][2]["project"]["slug"] == "notes"  # type: ignore[index]
    assert stored[1][2] == {"commit": commit}


async def test_a_deleted_project_is_told_as_deleted_and_no_outbox_keeps_nothing(
    tmp_path: Path, verifier: TokenVerifier
) -> None:
    kg_dir = tmp_path / "kg"
    store = EmbeddedProjectStore(tmp_path / "projects")
    enable_outbox(store.database)
    project = await store.create(DAVE, NOTES)
    await store.delete(DAVE, project.id)
    with kg_server(kg_dir, verifier) as kg:
        told = delivery(store, f"{kg.url}/internal/events")
        told.start()
        await asyncio.wait_for(told.flush(), 10)
        await told.aclose()
    assert [(kind, project_id) for kind, project_id, _ in kg_events(kg_dir)] == [
        ("DELETE", project.id)
    ]

    disable_outbox(store.database)
    await store.create(DAVE, NOTES)
    with sqlite3.connect(store.database) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert "outbox" not in tables


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
async def test_a_push_from_a_sandbox_that_sees_only_the_repository_is_noted(
    tmp_path: Path,
) -> None:
    store = EmbeddedProjectStore(tmp_path / "projects")
    enable_outbox(store.database)
    project = await store.create(DAVE, NOTES)
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "--quiet", project.repositories[0], str(work)], check=True)
    (work / "notes.txt").write_text("from a session\n")
    identity = ["-c", "user.name=Dave", "-c", "user.email=dave@example.org"]
    for step in (["add", "notes.txt"], ["commit", "--quiet", "-m", "Notes"]):
        subprocess.run(["git", "-C", str(work), *identity, *step], check=True)
    # As in a session's sandbox: the repository at another path, the service's data hidden.
    sandbox = ["bwrap", "--dev-bind", "/", "/", "--tmpfs", "/mnt"]
    sandbox += ["--bind", str(store.repositories / "dave" / "notes.git"), "/mnt/origin"]
    sandbox += ["--tmpfs", str(tmp_path / "projects")]
    push = ["git", "-C", str(work), "push", "--quiet", "/mnt/origin", "main"]
    subprocess.run([*sandbox, "--", *push], check=True)

    assert sweep_pushes(store.database, store.repositories) == 1
    assert outbox_rows(store)[-1] == (project.id, "push")
    assert sweep_pushes(store.database, store.repositories) == 0

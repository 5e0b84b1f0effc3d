"""A resource pool's quota bounds the CPUs, memory and GPUs of its running sessions."""

from __future__ import annotations

from dataclasses import replace

from renku_fed.subgraphs.sessions.backends.sqlite_store import SqliteStore
from renku_fed.subgraphs.sessions.demo import DEMO_POOL, LARGE, SMALL, demo_launchers
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from tests.support.sessions import Post, launch

FLIGHTS_LAUNCHER, _, CLIMATE_LAUNCHER = (launcher.id for launcher in demo_launchers())
CHANGE = """mutation($id: ID!) {{
  {name}(id: $id) {{ session {{ id state }} errors {{ code field message }} }}
}}"""


async def test_sessions_past_the_pools_quota_are_refused_with_a_field_error(
    post: Post, settings: SessionsSettings
) -> None:
    store = SqliteStore(settings.data_dir / "sessions.sqlite3")
    store.save_pool(replace(DEMO_POOL, cpu_quota=2, memory_quota=6))

    first = await launch(post, "alice", launcherId=FLIGHTS_LAUNCHER, resourceClassId=SMALL.id)
    too_big = await launch(post, "bob", launcherId=CLIMATE_LAUNCHER, resourceClassId=LARGE.id)
    fits = await launch(post, "bob", launcherId=CLIMATE_LAUNCHER, resourceClassId=SMALL.id)

    assert first["errors"] == [] and fits["errors"] == []
    assert too_big["session"] is None
    [error] = too_big["errors"]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "resourceClassId")
    assert "'Public' has 1 of its 2 CPUs in use" in error["message"]
    assert "needs 2" in error["message"] and "smaller class" in error["message"]

    hibernate = CHANGE.format(name="hibernateSession")
    resume = CHANGE.format(name="resumeSession")
    await post(hibernate, as_user="alice", id=first["session"]["id"])
    store.save_pool(replace(DEMO_POOL, cpu_quota=1))
    refused = (await post(resume, as_user="alice", id=first["session"]["id"]))["resumeSession"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("BAD_USER_INPUT", "id")]
    await post(hibernate, as_user="bob", id=fits["session"]["id"])
    resumed = (await post(resume, as_user="alice", id=first["session"]["id"]))["resumeSession"]
    assert resumed["errors"] == [] and resumed["session"]["state"] in ("STARTING", "RUNNING")

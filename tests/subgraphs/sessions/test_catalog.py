"""Environments, launchers, resource pools and classes through the sessions subgraph's API."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from renku_fed.subgraphs.common.demo import CLIMATE, FLIGHTS, SECRET_NOTES
from renku_fed.subgraphs.sessions.backends.sqlite_store import SqliteStore
from renku_fed.subgraphs.sessions.demo import DEMO_POOL, JUPYTER, SMALL, demo_launchers, seed_demo
from tests.support.sessions import Post, launch

FLIGHTS_LAUNCHER, SECRET_LAUNCHER, CLIMATE_LAUNCHER = (launcher.id for launcher in demo_launchers())
ENTITIES = """
query($reps: [_Any!]!) {
  _entities(representations: $reps) {
    ... on Project { id launchers { id name environment { id name } resourceClass { id }
                                    envVariables { name value } project { id } } }
    ... on SessionLauncher { id project { id } }
  }
}"""
CREATE_ENV = """
mutation($input: EnvironmentInput!) {
  createEnvironment(input: $input) { environment { id name containerImage port defaultUrl }
                                     errors { code field message } }
}"""
CREATE_LAUNCHER = """
mutation($input: SessionLauncherInput!) {
  createSessionLauncher(input: $input) {
    launcher { id name diskStorage project { id } environment { id } envVariables { name value } }
    errors { code field message }
  }
}"""
UPDATE_LAUNCHER = """
mutation($id: ID!, $input: SessionLauncherInput!) {
  updateSessionLauncher(id: $id, input: $input) { launcher { id name } errors { code field } }
}"""
DELETE_LAUNCHER = "mutation($id: ID!) { deleteSessionLauncher(id: $id) { id errors { code } } }"
CREATE_POOL = """
mutation($input: ResourcePoolInput!) {
  createResourcePool(input: $input) { resourcePool { id name public users } errors { code field } }
}"""
CREATE_CLASS = """
mutation($pool: ID!, $input: ResourceClassInput!) {
  createResourceClass(poolId: $pool, input: $input) {
    resourceClass { id name cpu memory maxStorage default } errors { code field message }
  }
}"""
POOLS = "{ resourcePools { id name classes { id name default } } }"


async def test_service_sdl_is_the_documented_contract(post: Post) -> None:
    sdl = (await post("{ _service { sdl } }"))["_service"]["sdl"]
    for line in (
        'type Session @key(fields: "id")',
        'type SessionLauncher @key(fields: "id")',
        "launchSession(input: LaunchSessionInput!): LaunchSessionPayload! @authenticated",
        "hibernateSession(id: ID!): SessionPayload! @authenticated",
        "resumeSession(id: ID!): SessionPayload! @authenticated",
        "touchSession(id: ID!): SessionPayload! @authenticated",
        "logs(maxLines: Int! = 250): String!",
        "sessions(allUsers: Boolean! = false): [Session!]!",
        "resourcePools: [ResourcePool!]!",
        "environments: [Environment!]!",
    ):
        assert line in sdl
    states = re.search(r"enum SessionState \{([^}]*)\}", sdl)
    assert states is not None
    assert states.group(1).split() == [
        "STARTING", "RUNNING", "HIBERNATED", "STOPPING", "FAILED", "SUCCEEDED",
    ]  # fmt: skip


async def test_the_demo_catalog_is_seeded_and_visible_to_who_may_see_the_project(
    post: Post,
) -> None:
    reps = [{"__typename": "Project", "id": p.id} for p in (FLIGHTS, SECRET_NOTES)]
    flights, secret = (await post(ENTITIES, as_user="bob", reps=reps))["_entities"]
    assert flights["launchers"] == [
        {
            "id": FLIGHTS_LAUNCHER,
            "name": "Jupyter",
            "environment": {"id": JUPYTER.id, "name": "Python/Jupyter"},
            "resourceClass": None,
            "envVariables": [],
            "project": {"id": FLIGHTS.id},
        }
    ]
    assert secret["launchers"] == []
    _, mine = (await post(ENTITIES, as_user="alice", reps=reps))["_entities"]
    assert [launcher["id"] for launcher in mine["launchers"]] == [SECRET_LAUNCHER]
    pools = (await post(POOLS, as_user="bob"))["resourcePools"]
    assert [pool["id"] for pool in pools] == [DEMO_POOL.id]
    assert {c["name"]: c["default"] for c in pools[0]["classes"]} == {"large": False, "small": True}
    assert (await post(POOLS))["resourcePools"] == []


def test_demo_data_is_seeded_only_into_an_empty_store(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "sessions.sqlite3")
    assert seed_demo(store) is True
    assert seed_demo(store) is False
    assert [launcher.id for launcher in store.launchers(FLIGHTS.id)] == [FLIGHTS_LAUNCHER]
    assert store.resource_class(SMALL.id) == SMALL


async def test_editors_create_change_and_delete_launchers_viewers_may_not(post: Post) -> None:
    env = await post(CREATE_ENV, as_user="bob", input={"name": "R", "containerImage": "r:4"})
    environment = env["createEnvironment"]["environment"]
    assert environment["port"] == 8888 and environment["defaultUrl"] == "/lab"
    launcher_input: dict[str, Any] = {
        "projectId": FLIGHTS.id,
        "name": "R session",
        "environmentId": environment["id"],
        "diskStorage": 2,
        "envVariables": [{"name": "MODE", "value": "fast"}],
    }
    refused = await post(CREATE_LAUNCHER, as_user="bob", input=launcher_input)
    assert refused["createSessionLauncher"]["errors"][0]["code"] == "FORBIDDEN"
    hidden = await post(
        CREATE_LAUNCHER, as_user="bob", input={**launcher_input, "projectId": SECRET_NOTES.id}
    )
    assert hidden["createSessionLauncher"]["errors"][0]["code"] == "NOT_FOUND"
    created = (await post(CREATE_LAUNCHER, as_user="alice", input=launcher_input))[
        "createSessionLauncher"
    ]
    assert created["errors"] == []
    launcher = created["launcher"]
    assert launcher["envVariables"] == [{"name": "MODE", "value": "fast"}]
    assert launcher["project"] == {"id": FLIGHTS.id} and launcher["diskStorage"] == 2
    renamed = await post(UPDATE_LAUNCHER, as_user="alice", id=launcher["id"], input={"name": "R2"})
    assert renamed["updateSessionLauncher"] == {
        "launcher": {"id": launcher["id"], "name": "R2"},
        "errors": [],
    }
    moved = await post(
        UPDATE_LAUNCHER, as_user="alice", id=launcher["id"], input={"projectId": CLIMATE.id}
    )
    assert moved["updateSessionLauncher"]["errors"] == [
        {"code": "BAD_USER_INPUT", "field": "projectId"}
    ]
    in_use = await post(
        "mutation($id: ID!) { deleteEnvironment(id: $id) { id errors { code } } }",
        as_user="bob",
        id=environment["id"],
    )
    assert in_use["deleteEnvironment"]["errors"] == [{"code": "CONFLICT"}]
    deleted = await post(DELETE_LAUNCHER, as_user="alice", id=launcher["id"])
    assert deleted["deleteSessionLauncher"] == {"id": launcher["id"], "errors": []}


async def test_bad_launchers_and_environments_get_field_errors(post: Post) -> None:
    cases = [
        ({"name": "x", "containerImage": "r:4", "port": 70000}, "port"),
        ({"name": "x", "containerImage": "r"}, "containerImage"),
        ({"containerImage": "r:4"}, "name"),
        ({"name": "x", "containerImage": "r:4", "defaultUrl": "lab"}, "defaultUrl"),
    ]
    for given, field in cases:
        payload = (await post(CREATE_ENV, as_user="alice", input=given))["createEnvironment"]
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("BAD_USER_INPUT", field)]
    base = {"projectId": FLIGHTS.id, "name": "L", "environmentId": JUPYTER.id}
    for extra, field in (
        ({"envVariables": [{"name": "1BAD"}]}, "envVariables"),
        ({"envVariables": [{"name": "RENKU_FED_URL"}]}, "envVariables"),
        ({"diskStorage": 0}, "diskStorage"),
        ({"environmentId": "nope"}, "environmentId"),
        ({"resourceClassId": "nope"}, "resourceClassId"),
    ):
        payload = await post(CREATE_LAUNCHER, as_user="alice", input={**base, **extra})
        errors = payload["createSessionLauncher"]["errors"]
        assert [e["field"] for e in errors] == [field], errors


async def test_only_admins_manage_pools_and_private_pools_are_for_their_users(post: Post) -> None:
    refused = await post(CREATE_POOL, as_user="alice", input={"name": "GPU"})
    assert refused["createResourcePool"]["errors"] == [{"code": "FORBIDDEN", "field": None}]
    created = await post(
        CREATE_POOL, as_user="admin", input={"name": "GPU", "public": False, "users": ["someone"]}
    )
    pool = created["createResourcePool"]["resourcePool"]
    assert pool["public"] is False and pool["users"] == ["someone"]
    bad = await post(
        CREATE_CLASS, as_user="admin", pool=pool["id"],
        input={"name": "gpu", "defaultStorage": 50, "maxStorage": 10},
    )  # fmt: skip
    assert bad["createResourceClass"]["errors"][0]["field"] == "defaultStorage"
    made = await post(
        CREATE_CLASS, as_user="admin", pool=pool["id"], input={"name": "gpu", "memory": 8}
    )
    gpu_class = made["createResourceClass"]["resourceClass"]
    assert gpu_class["memory"] == 8 and gpu_class["cpu"] == 1.0
    assert [p["name"] for p in (await post(POOLS, as_user="alice"))["resourcePools"]] == ["Public"]
    assert len((await post(POOLS, as_user="admin"))["resourcePools"]) == 2
    denied = await launch(
        post, "alice", launcherId=FLIGHTS_LAUNCHER, resourceClassId=gpu_class["id"]
    )
    assert denied["session"] is None
    assert [(e["code"], e["field"]) for e in denied["errors"]] == [
        ("BAD_USER_INPUT", "resourceClassId")
    ]


async def test_launch_input_is_checked_before_anything_starts(
    post: Post, seen_tokens: list[str | None], settings: Any
) -> None:
    anonymous = await launch(post, None, launcherId=FLIGHTS_LAUNCHER)
    assert anonymous["errors"] == [
        {"code": "UNAUTHENTICATED", "message": "Sign in to launch a session.", "field": None}
    ]
    assert seen_tokens == []
    for given, field in (
        ({"launcherId": SECRET_LAUNCHER}, "launcherId"),
        ({"launcherId": FLIGHTS_LAUNCHER, "diskStorage": 11}, "diskStorage"),
        ({"launcherId": FLIGHTS_LAUNCHER, "envOverrides": [{"name": "A-B"}]}, "envOverrides"),
        ({"launcherId": FLIGHTS_LAUNCHER, "resourceClassId": "none"}, "resourceClassId"),
        ({}, "launcherId"),
    ):
        payload = await launch(post, "bob", **given)
        assert payload["session"] is None
        assert [e["field"] for e in payload["errors"]] == [field], payload["errors"]
    assert seen_tokens and all(t and t.startswith("Bearer ey") for t in seen_tokens)
    assert (await post("{ sessions { id } }", as_user="bob"))["sessions"] == []
    assert not (settings.data_dir / "sessions").exists()

"""User secrets and project secret slots through the router; values reach only the launch route."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.common.demo import FLIGHTS
from tests.subgraphs.storage.test_connectors import launch
from tests.support.inprocess import InProcessPlatform, inprocess_platform

SUBGRAPHS = ("users", "projects", "storage")
VALUE = "s3cr3t-value-that-must-not-leak"
ERRORS = "errors { code field message }"
CREATE = f"""mutation($name: String!, $value: String!) {{ createSecret(name: $name, value: $value)
  {{ secret {{ id name kind }} {ERRORS} }} }}"""
ADD_SLOT = f"""mutation($project: ID!) {{ addSecretSlot(projectId: $project, name: "API token",
  filename: "api-token", description: "Token of the flights API.") {{ secretSlot {{ id }}
  {ERRORS} }} }}"""
FILL = f"""mutation($slot: ID!, $secret: ID) {{ setSecretSlotValue(slotId: $slot,
  secretId: $secret) {{ secretSlot {{ filename mySecret {{ name }} }} {ERRORS} }} }}"""
SLOTS = (
    """query($id: ID!) { project(id: $id) { secretSlots { name filename mySecret { name } } } }"""
)
ADMIN = {"realm_access": {"roles": ["renku-admin"]}}


@pytest.fixture
async def platform(tmp_path: Path, verifier: TokenVerifier) -> AsyncIterator[InProcessPlatform]:
    async with inprocess_platform(tmp_path, verifier, subgraphs=SUBGRAPHS) as running:
        yield running


async def _data(platform: InProcessPlatform, query: str, token: str, **variables: Any) -> Any:
    body = await platform.query(query, token, variables)
    assert "errors" not in body, body
    return body["data"]


async def test_secret_values_go_in_and_only_reach_the_users_own_session(
    platform: InProcessPlatform, dev_issuer: DevIssuer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    alice, bob = dev_issuer.sign("alice"), dev_issuer.sign("bob")
    answers = [await _data(platform, CREATE, bob, name="flights-token", value=VALUE)]
    secret = answers[0]["createSecret"]["secret"]
    assert secret["kind"] == "GENERAL"
    refused = await _data(platform, ADD_SLOT, bob, project=FLIGHTS.id)
    assert refused["addSecretSlot"]["errors"][0]["code"] == "FORBIDDEN"
    added = await _data(platform, ADD_SLOT, alice, project=FLIGHTS.id)
    slot = added["addSecretSlot"]["secretSlot"]["id"]
    answers.append(await _data(platform, FILL, bob, slot=slot, secret=secret["id"]))
    assert answers[-1]["setSecretSlotValue"]["secretSlot"]["mySecret"] == {"name": "flights-token"}
    stolen = await _data(platform, FILL, alice, slot=slot, secret=secret["id"])
    assert stolen["setSecretSlotValue"]["errors"][0]["code"] == "NOT_FOUND"
    answers.append(await _data(platform, SLOTS, bob, id=FLIGHTS.id))
    assert answers[-1]["project"]["secretSlots"][0]["mySecret"] == {"name": "flights-token"}
    assert (await _data(platform, SLOTS, alice, id=FLIGHTS.id))["project"]["secretSlots"][0][
        "mySecret"
    ] is None
    answers.append(await _data(platform, "{ mySecrets { edges { node { name kind } } } }", bob))

    bobs = await launch(platform, FLIGHTS.id, "bob")
    assert bobs["secretsMountDirectory"] == "/secrets"
    assert bobs["secretSlots"] == [
        {"id": slot, "name": "API token", "filename": "api-token", "value": VALUE}
    ]
    assert (await launch(platform, FLIGHTS.id, "alice"))["secretSlots"][0]["value"] is None
    assert all(VALUE not in str(answer) for answer in answers)
    assert all(VALUE not in str(record.__dict__) for record in caplog.records)


async def test_no_field_of_the_schema_shows_a_value(platform: InProcessPlatform) -> None:
    shape = """{ __type(name: "Secret") { fields { name } } }"""
    fields = (await platform.query(shape))["data"]["__type"]["fields"]
    assert "value" not in {field["name"] for field in fields}


async def test_only_admins_rotate_the_keys(
    platform: InProcessPlatform, dev_issuer: DevIssuer
) -> None:
    alice = dev_issuer.sign("alice")
    await _data(platform, CREATE, alice, name="one", value=VALUE)
    rotate = f"mutation {{ rotateSecretsKeys {{ reencrypted {ERRORS} }} }}"
    refused = (await _data(platform, rotate, alice))["rotateSecretsKeys"]
    assert refused["errors"][0]["code"] == "FORBIDDEN"
    admin = dev_issuer.sign("admin", extra_claims=ADMIN)
    assert (await _data(platform, rotate, admin))["rotateSecretsKeys"] == {
        "reencrypted": 1, "errors": []
    }  # fmt: skip


async def test_a_bad_name_or_empty_value_is_named(
    platform: InProcessPlatform, dev_issuer: DevIssuer
) -> None:
    alice = dev_issuer.sign("alice")
    bad = await _data(platform, CREATE, alice, name="has space", value=VALUE)
    assert bad["createSecret"]["errors"][0]["field"] == "name"
    empty = await _data(platform, CREATE, alice, name="empty", value="")
    assert empty["createSecret"]["errors"][0]["field"] == "value"


async def test_a_new_value_reaches_the_next_launch_and_a_deleted_secret_empties_its_slot(
    platform: InProcessPlatform, dev_issuer: DevIssuer
) -> None:
    alice = dev_issuer.sign("alice")
    secret = (await _data(platform, CREATE, alice, name="api", value=VALUE))["createSecret"]
    slot = (await _data(platform, ADD_SLOT, alice, project=FLIGHTS.id))["addSecretSlot"]
    await _data(platform, FILL, alice, slot=slot["secretSlot"]["id"], secret=secret["secret"]["id"])
    update = f"""mutation($id: ID!) {{ updateSecret(id: $id, value: "second") {{
      secret {{ name }} {ERRORS} }} }}"""
    changed = await _data(platform, update, alice, id=secret["secret"]["id"])
    assert changed["updateSecret"] == {"secret": {"name": "api"}, "errors": []}
    assert (await launch(platform, FLIGHTS.id, "alice"))["secretSlots"][0]["value"] == "second"
    delete = f"mutation($id: ID!) {{ deleteSecret(id: $id) {{ id {ERRORS} }} }}"
    await _data(platform, delete, alice, id=secret["secret"]["id"])
    assert (await launch(platform, FLIGHTS.id, "alice"))["secretSlots"][0]["value"] is None
    again = await _data(platform, delete, alice, id=secret["secret"]["id"])
    assert again["deleteSecret"]["errors"][0]["code"] == "NOT_FOUND"


async def test_editors_choose_where_sessions_get_the_slots(
    platform: InProcessPlatform, dev_issuer: DevIssuer
) -> None:
    move = f"""mutation($directory: String!) {{ setSecretsMountDirectory(projectId:
      "{FLIGHTS.id}", directory: $directory) {{ secretsMountDirectory {ERRORS} }} }}"""
    alice, bob = dev_issuer.sign("alice"), dev_issuer.sign("bob")
    refused = await _data(platform, move, bob, directory="/run/secrets")
    assert refused["setSecretsMountDirectory"]["errors"][0]["code"] == "FORBIDDEN"
    relative = await _data(platform, move, alice, directory="../secrets")
    assert relative["setSecretsMountDirectory"]["errors"][0]["field"] == "directory"
    moved = await _data(platform, move, alice, directory="/run/secrets")
    assert moved["setSecretsMountDirectory"] == {
        "secretsMountDirectory": "/run/secrets", "errors": []
    }  # fmt: skip
    assert (await launch(platform, FLIGHTS.id, "bob"))["secretsMountDirectory"] == "/run/secrets"

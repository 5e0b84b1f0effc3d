"""Namespaces through the router: lookup by path, the caller's list, moves, renames, deletion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.tokens import TokenVerifier
from tests.support.inprocess import InProcessPlatform, inprocess_platform

SUBGRAPHS = ("users", "projects", "kg")
ERRORS = "errors { code field message }"
CREATE_GROUP = f"""mutation($slug: String!) {{ createGroup(input: {{slug: $slug, name: "Lab"}})
  {{ {ERRORS} }} }}"""
CREATE_PROJECT = f"""mutation($ns: String!) {{ createProject(input: {{name: "model",
  namespace: $ns}}) {{ project {{ id }} {ERRORS} }} }}"""
LOOKUP = """query($slug: String!) { namespace(slug: $slug) { kind slug role redirectedFrom } }"""
BY_SLUG = """query($ns: String!) { projectBySlug(namespace: $ns, slug: "model") { namespace } }"""


async def _ok(platform: InProcessPlatform, query: str, token: str, **variables: Any) -> Any:
    body = await platform.query(query, token, variables)
    assert "errors" not in body, body
    payload = next(iter(body["data"].values()))
    assert payload["errors"] == [], payload
    return payload


async def test_lookup_and_list_namespaces(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    alice, bob = dev_issuer.sign("alice"), dev_issuer.sign("bob")
    async with inprocess_platform(tmp_path, verifier, subgraphs=SUBGRAPHS) as platform:
        for slug in ("lab-a", "lab-b"):
            await _ok(platform, CREATE_GROUP, alice, slug=slug)
        own = (await platform.query(LOOKUP, alice, {"slug": "alice/flights"}))["data"]
        assert own["namespace"] == {
            "kind": "USER",
            "slug": "alice",
            "role": "OWNER",
            "redirectedFrom": None,
        }
        other = (await platform.query(LOOKUP, bob, {"slug": "lab-a"}))["data"]["namespace"]
        assert (other["kind"], other["role"]) == ("GROUP", None)
        assert (await platform.query(LOOKUP, bob, {"slug": "nobody"}))["data"]["namespace"] is None

        page = """query($after: String) { namespaces(kind: GROUP, first: 1, after: $after) {
          totalCount edges { node { slug role } } pageInfo { hasNextPage endCursor } } }"""
        first = (await platform.query(page, alice))["data"]["namespaces"]
        assert first["totalCount"] == 2 and first["pageInfo"]["hasNextPage"]
        after = {"after": first["pageInfo"]["endCursor"]}
        second = (await platform.query(page, alice, after))["data"]["namespaces"]
        assert second["edges"] == [{"node": {"slug": "lab-b", "role": "OWNER"}}]


async def test_moves_renames_and_redirects(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    alice, bob = dev_issuer.sign("alice"), dev_issuer.sign("bob")
    async with inprocess_platform(tmp_path, verifier, subgraphs=SUBGRAPHS) as platform:
        await _ok(platform, CREATE_GROUP, alice, slug="lab")
        created = await _ok(platform, CREATE_PROJECT, alice, ns="alice")
        move = f"""mutation($id: ID!, $ns: String!) {{ moveProject(id: $id, namespace: $ns) {{
          project {{ namespace }} {ERRORS} }} }}"""
        refused = await platform.query(move, bob, {"id": created["project"]["id"], "ns": "bob"})
        assert refused["data"]["moveProject"]["errors"][0]["code"] in ("NOT_FOUND", "FORBIDDEN")
        moved = await _ok(platform, move, alice, id=created["project"]["id"], ns="lab")
        assert moved["project"] == {"namespace": "lab"}
        old = (await platform.query(BY_SLUG, alice, {"ns": "alice"}))["data"]["projectBySlug"]
        assert old == {"namespace": "lab"}

        rename = f"""mutation {{ updateGroup(slug: "lab", input: {{slug: "climate-lab"}}) {{
          group {{ slug }} {ERRORS} }} }}"""
        assert (await _ok(platform, rename, alice))["group"] == {"slug": "climate-lab"}
        found = (await platform.query(LOOKUP, alice, {"slug": "lab"}))["data"]["namespace"]
        assert (found["slug"], found["redirectedFrom"]) == ("climate-lab", "lab")
        for path in ("lab", "climate-lab", "alice"):
            here = (await platform.query(BY_SLUG, alice, {"ns": path}))["data"]["projectBySlug"]
            assert here == {"namespace": "climate-lab"}, path
        squat = (await platform.query(CREATE_GROUP, bob, {"slug": "lab"}))["data"]["createGroup"]
        assert squat["errors"][0]["code"] == "CONFLICT"

        delete = f"""mutation($all: Boolean!) {{ deleteGroup(slug: "climate-lab",
          deleteProjects: $all) {{ id {ERRORS} }} }}"""
        kept = (await platform.query(delete, alice, {"all": False}))["data"]["deleteGroup"]
        assert kept["errors"][0]["field"] == "deleteProjects"
        assert (await _ok(platform, delete, alice, all=True))["id"]
        gone = await platform.query(BY_SLUG, alice, {"ns": "climate-lab"})
        assert gone["data"]["projectBySlug"] is None


async def test_members_must_be_real_users(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    alice = dev_issuer.sign("alice")
    async with inprocess_platform(tmp_path, verifier, subgraphs=SUBGRAPHS) as platform:
        created = await _ok(platform, CREATE_PROJECT, alice, ns="alice")
        add = f"""mutation($id: ID!, $user: ID!) {{ setProjectMembers(id: $id,
          members: [{{userId: $user, role: VIEWER}}]) {{ {ERRORS} }} }}"""
        ghost = {"id": created["project"]["id"], "user": "no-such-user"}
        refused = (await platform.query(add, alice, ghost))["data"]["setProjectMembers"]
        assert (refused["errors"][0]["code"], refused["errors"][0]["field"]) == (
            "NOT_FOUND",
            "members",
        )
        real = {"id": created["project"]["id"], "user": dev_subject("carol")}
        assert (await platform.query(add, alice, real))["data"]["setProjectMembers"]["errors"] == []

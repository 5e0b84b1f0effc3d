"""Integrators generate clients: ariadne-codegen from the served SDL and from introspection.

ariadne-codegen needs graphql-core < 3.3 while the platform (strawberry) needs >= 3.3, so it
cannot share the test environment: it is installed once, without dependencies, with its own
graphql-core into pytest's cache folder and run as a separate process. The generated clients
need only httpx and pydantic; each runs a query against the router over the in-process platform.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from graphql import build_client_schema, get_introspection_query, print_schema

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from tests.support.inprocess import ROUTER_URL, InProcessPlatform, inprocess_platform

CODEGEN = ("ariadne-codegen==0.19.*", "graphql-core>=3.2.7,<3.3", "toml>=0.10")
SCHEMA_URL = ROUTER_URL.replace("/graphql", "/schema.graphql")
PROJECT_BY_SLUG = """query ProjectBySlug($namespace: String!, $slug: String!) {
  projectBySlug(namespace: $namespace, slug: $slug) { id name visibility members { role } } }"""
ME = "query Me { me { username displayName } }"


@pytest.fixture(scope="module")
def codegen(request: pytest.FixtureRequest) -> Path:
    """A folder holding ariadne-codegen and the graphql-core it needs (installed once)."""
    folder = Path(request.config.cache.mkdir("sdk-ariadne-codegen"))
    if not (folder / "ariadne_codegen").is_dir():
        pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target"]
        subprocess.run([*pip, str(folder), *CODEGEN], check=True)
    return folder


@pytest.fixture
def generated_packages(tmp_path: Path) -> Iterator[Path]:
    """A folder on sys.path for the generated packages, removed with them afterwards."""
    out = tmp_path / "generated"
    out.mkdir()
    sys.path.insert(0, str(out))
    yield out
    sys.path.remove(str(out))
    for name in [m for m in sys.modules if m.startswith(("from_sdl", "from_introspection"))]:
        del sys.modules[name]


def generate(codegen: Path, schema: str, query: str, package: str, out: Path) -> ModuleType:
    """Run ariadne-codegen on `schema` (SDL) and one operation; the generated client module."""
    work = out.parent / package
    (work / "queries").mkdir(parents=True)
    (work / "schema.graphql").write_text(schema)
    (work / "queries" / "operation.graphql").write_text(query)
    (work / "pyproject.toml").write_text(
        "[tool.ariadne-codegen]\n"
        'schema_path = "schema.graphql"\nqueries_path = "queries"\n'
        f'target_package_name = "{package}"\ntarget_package_path = "{out}"\n'
    )
    run = subprocess.run(
        [sys.executable, "-m", "ariadne_codegen", "client"],
        cwd=work, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(codegen)},
        capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    return importlib.import_module(f"{package}.client")


def connect(module: ModuleType, platform: InProcessPlatform, token: str) -> Any:
    """The generated client, talking to the in-process router as the token's user."""
    headers = {"Authorization": f"Bearer {token}"}
    http = httpx.AsyncClient(transport=platform.transport, headers=headers)
    return module.Client(ROUTER_URL, http_client=http)


async def test_clients_generated_from_sdl_and_introspection_run_queries(
    tmp_path: Path,
    dev_issuer: DevIssuer,
    verifier: TokenVerifier,
    codegen: Path,
    generated_packages: Path,
) -> None:
    alice = dev_issuer.sign("alice")
    async with inprocess_platform(tmp_path / "data", verifier) as platform:
        served = await platform.client.get(SCHEMA_URL)
        assert served.status_code == 200 and "join__" not in served.text
        # The standard introspection query, under the router's default limits.
        introspection = await platform.query(get_introspection_query(), token=alice)
        assert "errors" not in introspection, introspection.get("errors")
        introspected = print_schema(build_client_schema(introspection["data"]))

        from_sdl = generate(codegen, served.text, PROJECT_BY_SLUG, "from_sdl", generated_packages)
        result = await connect(from_sdl, platform, alice).project_by_slug("alice", "secret-notes")
        assert result.project_by_slug.name == "secret-notes"
        assert result.project_by_slug.visibility.value == "PRIVATE"
        assert {m.role.value for m in result.project_by_slug.members} == {"OWNER"}

        from_introspection = generate(
            codegen, introspected, ME, "from_introspection", generated_packages
        )
        me = await connect(from_introspection, platform, alice).me()
        assert me.me is not None and me.me.username == "alice"

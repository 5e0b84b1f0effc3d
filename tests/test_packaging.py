"""The distribution as someone else installs it: one import package, lean router-only install."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from email.parser import Parser
from pathlib import Path

import httpx
import pytest

from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("setup.py", "pyproject.toml", "README.md")
FOLDERS = ("cli", "identity", "observability", "router", "subgraphs", "schema")
# One importable module of each subgraph extra; a router-only install has none of them.
SUBGRAPH_LIBRARIES = (
    "strawberry",
    "jupyter_server",
    "kubernetes",
    "gitlab",
    "keycloak",
    "pyoxigraph",
    "SPARQLWrapper",
)
HEAVY_DISTRIBUTIONS = (
    "strawberry",
    "jupyter",
    "kubernetes",
    "python-gitlab",
    "python-keycloak",
    "pyoxigraph",
    "sparqlwrapper",
)
# Run before the command: any import of a subgraph library fails as if it were not installed.
BLOCKER = f"""
import sys
from importlib.abc import MetaPathFinder

class NotInstalled(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {SUBGRAPH_LIBRARIES!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (blocked by the test)")
        return None

sys.meta_path.insert(0, NotInstalled())
from renku_fed.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The wheel pip builds from a copy of the sources (the checkout stays clean)."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        shutil.copy(ROOT / name, source / name)
    for folder in FOLDERS:
        shutil.copytree(
            ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("renku_federation-*.whl")
    return zipfile.ZipFile(built)


def test_only_the_renku_fed_package_lands_in_site_packages(wheel: zipfile.ZipFile) -> None:
    top_level = {name.split("/")[0] for name in wheel.namelist()}
    assert {name for name in top_level if not name.endswith(".dist-info")} == {"renku_fed"}
    names = set(wheel.namelist())
    assert "renku_fed/router/gateway.py" in names
    assert "renku_fed/subgraphs/users/app.py" in names
    assert "renku_fed/schema/supergraph.graphql" in names
    for folder in FOLDERS:
        assert f"renku_fed/{folder}/py.typed" in names


def test_the_base_requirements_need_no_subgraph_library(wheel: zipfile.ZipFile) -> None:
    (metadata_name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    metadata = Parser().parsestr(wheel.read(metadata_name).decode())
    requires = metadata.get_all("Requires-Dist") or []
    base = [line.lower() for line in requires if "extra ==" not in line]
    assert any(line.startswith("graphql-core") for line in base)
    heavy = (
        "strawberry",
        "jupyter",
        "kubernetes",
        "python-gitlab",
        "python-keycloak",
        "pyoxigraph",
    )
    assert not [line for line in base if line.startswith(heavy)]
    extras = set(metadata.get_all("Provides-Extra") or [])
    assert {"router", "users", "projects", "sessions", "kg", "all"} <= extras


def test_the_router_runs_without_any_subgraph_library(tmp_path: Path) -> None:
    port = free_port()
    supergraph = ROOT / "schema" / "supergraph.graphql"
    command = [sys.executable, "-c", BLOCKER, "router", "--supergraph", str(supergraph)]
    router = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env={**os.environ, "RENKU_FED_AUTH_ISSUER": "http://127.0.0.1:9/realms/renku"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert router.poll() is None, router.communicate()[0].decode()
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the router did not become healthy in 60 s"
            time.sleep(0.2)
        answer = httpx.post(f"{url}/graphql", json={"query": "{ __typename }"}, timeout=10)
        assert answer.json() == {"data": {"__typename": "Query"}}
    finally:
        router.terminate()
        router.wait(timeout=10)


def test_plan_reads_the_installed_supergraph_outside_a_checkout(tmp_path: Path) -> None:
    operation = tmp_path / "op.graphql"
    operation.write_text("{ projects(first: 1) { edges { node { name } } } }")
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER, "plan", str(operation)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert 'Fetch(service: "projects")' in result.stdout


def test_up_names_the_missing_extras(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER, "up", "--data-dir", str(tmp_path / "data")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "renku-federation[all]" in result.stdout + result.stderr
    assert not (tmp_path / "data").exists()

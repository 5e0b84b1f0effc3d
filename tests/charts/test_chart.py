"""The Helm chart: lint, render with every values file, validate against Kubernetes' schemas."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from pydantic_settings import BaseSettings

from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.subgraph_secret import SubgraphSecretSettings
from renku_fed.router.http.session_proxy import SessionProxySettings
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph
from renku_fed.subgraphs.kg.settings import KgSettings
from renku_fed.subgraphs.projects.settings import ProjectsSettings
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from renku_fed.subgraphs.storage.settings import StorageSettings
from renku_fed.subgraphs.users.settings import UsersSettings
from tests.support.helm import CHART, CI_VALUES, ROOT, Rendered, run_helm, values_args

KUBERNETES_VERSION = "1.35.0"
SUBGRAPHS = ("users", "projects", "sessions", "kg", "storage")
FULLNAME = "renku-renku-federation"
SETTINGS: dict[str, tuple[type[BaseSettings], ...]] = {
    "router": (RouterSettings, SessionProxySettings, AuthSettings, SubgraphSecretSettings),
    "users": (UsersSettings, AuthSettings, SubgraphSecretSettings),
    "projects": (ProjectsSettings, AuthSettings, SubgraphSecretSettings),
    "sessions": (SessionsSettings, AuthSettings, SubgraphSecretSettings),
    "kg": (KgSettings, AuthSettings, SubgraphSecretSettings),
    "storage": (StorageSettings, AuthSettings, SubgraphSecretSettings),
}


def env_names(settings: type[BaseSettings]) -> set[str]:
    """Every environment variable a settings class reads, nested settings classes included."""
    prefix = settings.model_config.get("env_prefix", "")
    names: set[str] = set()
    for name, field in settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseSettings):
            names |= env_names(annotation)
        else:
            names.add(prefix + name.upper())
    return names


def containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    """The containers and init containers of a Deployment."""
    spec = deployment["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


def component(manifest: dict[str, Any]) -> str:
    """The app.kubernetes.io/component label of a manifest."""
    return str(manifest["metadata"]["labels"]["app.kubernetes.io/component"])


@pytest.mark.parametrize(
    "values_file", [None, *CI_VALUES], ids=lambda p: "default-values" if p is None else p.name
)
def test_helm_lint_passes_strictly(values_file: Path | None) -> None:
    result = run_helm("lint", "--strict", str(CHART), *values_args(values_file))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_manifest_is_valid_kubernetes(rendered: Rendered) -> None:
    assert len(rendered.manifests) >= 25
    for manifest in rendered.manifests:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_a_deployment_and_a_service_per_service(rendered: Rendered) -> None:
    names = {"router", *SUBGRAPHS}
    assert {component(d) for d in rendered.of_kind("Deployment")} == names
    assert {component(s) for s in rendered.of_kind("Service")} == names
    for service in rendered.of_kind("Service"):
        selector = service["spec"]["selector"]
        assert selector["app.kubernetes.io/component"] == component(service)


def test_every_container_is_probed_limited_and_unprivileged(rendered: Rendered) -> None:
    for deployment in rendered.of_kind("Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in containers(deployment):
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["resources"]["requests"]["memory"]
            assert container["resources"]["limits"]["memory"]
        main = pod["containers"][0]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert main[probe]["httpGet"]["path"] == "/healthz"


def test_every_environment_variable_is_a_setting_its_service_reads(rendered: Rendered) -> None:
    config_maps = {m["metadata"]["name"]: m.get("data", {}) for m in rendered.of_kind("ConfigMap")}
    for deployment in rendered.of_kind("Deployment"):
        known = set().union(*(env_names(s) for s in SETTINGS[component(deployment)]))
        main = deployment["spec"]["template"]["spec"]["containers"][0]
        names = {entry["name"] for entry in main.get("env", [])}
        for source in main["envFrom"]:
            names |= set(config_maps[source["configMapRef"]["name"]])
        assert names, component(deployment)
        assert names <= known, f"{component(deployment)} reads no {sorted(names - known)}"


def test_commands_name_the_packages_apps(rendered: Rendered) -> None:
    for deployment in rendered.of_kind("Deployment"):
        main = deployment["spec"]["template"]["spec"]["containers"][0]
        assert main["command"] == ["uvicorn"]
        module, _, factory = main["args"][0].partition(":")
        assert callable(getattr(importlib.import_module(module), factory))
        assert "--factory" in main["args"]


def test_the_supergraph_is_shipped_with_service_urls(default: Rendered) -> None:
    sdl = default.named("ConfigMap", f"{FULLNAME}-supergraph")["data"]["supergraph.graphql"]
    supergraph = Supergraph.parse(sdl)
    assert {name: info.url for name, info in supergraph.subgraphs.items()} == {
        name: f"http://{FULLNAME}-{name}:{4001 + i}/graphql" for i, name in enumerate(SUBGRAPHS)
    }
    platform = Supergraph.parse((ROOT / "schema" / "supergraph.graphql").read_text())
    assert supergraph.version != platform.version
    router = default.named("Deployment", f"{FULLNAME}-router")
    volume = router["spec"]["template"]["spec"]["volumes"][0]
    assert volume["configMap"]["name"] == f"{FULLNAME}-supergraph"
    mount = router["spec"]["template"]["spec"]["containers"][0]["volumeMounts"][0]
    assert "subPath" not in mount  # a subPath mount is never updated by the kubelet
    annotations = router["spec"]["template"]["metadata"]["annotations"]
    assert "checksum/supergraph" not in annotations  # a new supergraph must not restart pods


def test_embedded_stores_get_volumes_real_services_do_not(
    default: Rendered, production: Rendered
) -> None:
    claims = {component(c) for c in default.of_kind("PersistentVolumeClaim")}
    assert claims == set(SUBGRAPHS)
    # GitLab and the SPARQL store replace the projects' and kg's volumes.
    assert {component(c) for c in production.of_kind("PersistentVolumeClaim")} == {
        "users",
        "sessions",
        "storage",
    }
    kg = production.named("Deployment", f"{FULLNAME}-kg")
    assert kg["spec"]["replicas"] == 2
    assert "emptyDir" in kg["spec"]["template"]["spec"]["volumes"][0]

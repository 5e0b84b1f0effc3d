"""Session pods: an account without a Kubernetes token, and who may reach them and whom they may."""

from __future__ import annotations

from tests.charts.test_production import FULLNAME
from tests.support.helm import Rendered, render


def test_session_pods_run_as_an_account_without_a_token(default: Rendered) -> None:
    account = default.named("ServiceAccount", f"{FULLNAME}-session-pods")
    assert account["automountServiceAccountToken"] is False
    config = default.named("ConfigMap", f"{FULLNAME}-sessions")["data"]
    assert config["RENKU_FED_SESSIONS_KUBERNETES_SERVICE_ACCOUNT"] == f"{FULLNAME}-session-pods"
    rules = default.named("Role", f"{FULLNAME}-sessions")["rules"]
    assert {"apiGroups": [""], "resources": ["secrets"],
            "verbs": ["get", "create", "patch", "delete"]} in rules  # fmt: skip


def test_only_the_router_reaches_session_pods_and_they_reach_dns_the_router_and_the_internet(
    default: Rendered,
) -> None:
    policy = default.named("NetworkPolicy", f"{FULLNAME}-session-pods")["spec"]
    assert policy["podSelector"] == {"matchLabels": {"renku.io/managed-by": "renku-fed"}}
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    [ingress] = policy["ingress"]
    [source] = ingress["from"]
    assert source["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "router"
    dns, router, internet = policy["egress"]
    assert {rule["port"] for rule in dns["ports"]} == {53}
    assert router["to"] == ingress["from"]
    block = internet["to"][0]["ipBlock"]
    assert block["cidr"] == "0.0.0.0/0" and "10.0.0.0/8" in block["except"]


def test_the_internet_can_be_closed_to_session_pods() -> None:
    closed = render(None, "--set-json", "sessions.pods.egress=[]")
    policy = closed.named("NetworkPolicy", f"{FULLNAME}-session-pods")["spec"]
    assert len(policy["egress"]) == 2


def test_a_local_backend_makes_no_session_pod_objects() -> None:
    local = render(None, "--set", "sessions.backend=local")
    names = {obj["metadata"]["name"] for obj in local.of_kind("ServiceAccount")}
    assert f"{FULLNAME}-session-pods" not in names

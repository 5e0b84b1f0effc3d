"""The production-like install: Ingress, scaling, access rules, credentials from Secrets."""

from __future__ import annotations

from typing import Any

from tests.support.helm import CHART, PRODUCTION, Rendered, render, run_helm

FULLNAME = "renku-renku-federation"
SUBGRAPHS = ("users", "projects", "sessions", "kg", "storage")


def env_of(rendered: Rendered, name: str) -> dict[str, Any]:
    """A Deployment's first container's env entries by name."""
    deployment = rendered.named("Deployment", f"{FULLNAME}-{name}")
    return {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}


def test_router_is_scaled_and_protected(production: Rendered) -> None:
    hpa = production.named("HorizontalPodAutoscaler", f"{FULLNAME}-router")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 10)
    router = production.named("Deployment", f"{FULLNAME}-router")
    assert "replicas" not in router["spec"]  # the autoscaler owns it
    pdb = production.named("PodDisruptionBudget", f"{FULLNAME}-router")
    assert pdb["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] == "router"


def test_ingress_carries_graphql_login_and_session_urls_over_tls(production: Rendered) -> None:
    ingress = production.named("Ingress", FULLNAME)
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["spec"]["tls"] == [{"hosts": ["renku.example.org"], "secretName": "renku-tls"}]
    # One prefix: the router serves the web app, /graphql, /auth and /sessions/<id>/.
    [path] = ingress["spec"]["rules"][0]["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/", "Prefix")
    assert path["backend"]["service"] == {"name": f"{FULLNAME}-router", "port": {"name": "http"}}


def test_sessions_may_manage_amalthea_sessions_and_nothing_else(production: Rendered) -> None:
    role = production.named("Role", f"{FULLNAME}-sessions")
    assert role["metadata"]["namespace"] == "renku-sessions"
    assert role["rules"] == [
        {
            "apiGroups": ["amalthea.dev"],
            "resources": ["amaltheasessions"],
            "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
        },
        {
            "apiGroups": [""],
            "resources": ["secrets"],
            "verbs": ["get", "create", "patch", "delete"],
        },
        {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
    ]
    binding = production.named("RoleBinding", f"{FULLNAME}-sessions")
    assert binding["metadata"]["namespace"] == "renku-sessions"
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": f"{FULLNAME}-sessions", "namespace": "renku"}
    ]
    pods = {
        d["metadata"]["name"]: d["spec"]["template"]["spec"]
        for d in production.of_kind("Deployment")
    }
    assert pods[f"{FULLNAME}-sessions"]["serviceAccountName"] == f"{FULLNAME}-sessions"
    others = [pod for name, pod in pods.items() if not name.endswith("-sessions")]
    assert all(pod["automountServiceAccountToken"] is False for pod in others)


def test_subgraphs_accept_traffic_only_from_the_router(production: Rendered) -> None:
    policies = {p["metadata"]["name"]: p for p in production.of_kind("NetworkPolicy")}
    # Session pods have their own (tests/charts/test_session_pods.py).
    assert set(policies) == {f"{FULLNAME}-{name}" for name in (*SUBGRAPHS, "session-pods")}
    for name in SUBGRAPHS:
        spec = policies[f"{FULLNAME}-{name}"]["spec"]
        assert spec["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == name
        peers = [p["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
                 for p in spec["ingress"][0]["from"]]  # fmt: skip
        # Besides the router: projects and the kg ask users for group roles, users asks
        # projects to follow a renamed group, projects posts its events to the kg, sessions
        # ask storage what a session mounts.
        expected = {
            "users": ["router", "projects", "kg"], "projects": ["router", "users"],
            "kg": ["router", "projects"], "storage": ["router", "sessions"],
        }  # fmt: skip
        assert peers == expected.get(name, ["router"])


def test_the_services_reach_each_other_and_the_sparql_store(production: Rendered) -> None:
    config = {
        c["metadata"]["name"].removeprefix(f"{FULLNAME}-"): c["data"]
        for c in production.of_kind("ConfigMap")
    }
    assert config["kg"]["RENKU_FED_KG_BACKEND"] == "sparql"
    assert config["kg"]["RENKU_FED_KG_SPARQL_QUERY_URL"] == "http://virtuoso.renku.svc:8890/sparql"
    assert config["kg"]["RENKU_FED_KG_SPARQL_USER"] == "renku"
    assert config["projects"]["RENKU_FED_PROJECTS_KG_EVENTS_URL"].endswith("/internal/events")
    assert config["users"]["RENKU_FED_USERS_PROJECTS_URL"].endswith("/graphql")
    kg, projects = env_of(production, "kg"), env_of(production, "projects")
    assert kg["RENKU_FED_KG_SPARQL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
        "name": "renku-virtuoso",
        "key": "password",
    }
    secret = {"name": FULLNAME, "key": "events-secret"}
    assert kg["RENKU_FED_KG_EVENTS_SECRET"]["valueFrom"]["secretKeyRef"] == secret
    assert projects["RENKU_FED_PROJECTS_EVENTS_SECRET"]["valueFrom"]["secretKeyRef"] == secret


def test_credentials_come_from_existing_secrets(production: Rendered) -> None:
    router = env_of(production, "router")
    assert router["RENKU_FED_ROUTER_REDIS_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": "renku-redis",
        "key": "url",
    }
    secret_of = {
        ("router", "RENKU_FED_ROUTER_LOGIN_CLIENT_SECRET"): "renku-keycloak-clients",
        ("router", "RENKU_FED_ROUTER_LOGIN_SESSION_KEY"): "renku-router-session",
        ("router", "RENKU_FED_ROUTER_SESSION_PROXY_SECRET"): "renku-router-session",
        ("sessions", "RENKU_FED_SESSIONS_PROXY_SECRET"): "renku-router-session",
        ("users", "RENKU_FED_USERS_KEYCLOAK_CLIENT_SECRET"): "renku-keycloak-clients",
        ("projects", "RENKU_FED_PROJECTS_GITLAB_ADMIN_TOKEN"): "renku-gitlab",
    }
    for (name, variable), secret in secret_of.items():
        assert env_of(production, name)[variable]["valueFrom"]["secretKeyRef"]["name"] == secret
    chart_secret = production.named("Secret", FULLNAME)["stringData"]
    assert not {"redis-url", "login-client-secret", "projects-gitlab-admin-token"} & set(
        chart_secret
    )


def test_settings_reach_the_config_maps(production: Rendered) -> None:
    auth = production.named("ConfigMap", f"{FULLNAME}-auth")["data"]
    assert auth["RENKU_FED_AUTH_ISSUER"] == "https://renku.example.org/auth/realms/renku"
    assert auth["RENKU_FED_AUTH_AUDIENCES"] == '["renku"]'
    router = production.named("ConfigMap", f"{FULLNAME}-router")["data"]
    assert router["RENKU_FED_ROUTER_LOGIN_STORE"] == "redis"
    assert router["RENKU_FED_ROUTER_LIMITS_RATE_STORE"] == "redis"
    assert router["RENKU_FED_ROUTER_CORS_ORIGINS"] == '["https://renku.example.org"]'
    assert router["RENKU_FED_ROUTER_INTROSPECTION"] == "false"
    projects = production.named("ConfigMap", f"{FULLNAME}-projects")["data"]
    assert projects["RENKU_FED_PROJECTS_GITLAB_URL"] == "https://gitlab.example.org"
    sessions = production.named("ConfigMap", f"{FULLNAME}-sessions")["data"]
    assert sessions["RENKU_FED_SESSIONS_PUBLIC_URL"] == "https://renku.example.org"
    assert sessions["RENKU_FED_SESSIONS_KUBERNETES_NAMESPACE"] == "renku-sessions"


def test_a_wrong_value_fails_at_template_time() -> None:
    result = run_helm("template", "renku", str(CHART), "--set", "router.replicaCount=three")
    assert result.returncode != 0
    assert "/router/replicaCount" in result.stderr
    result = run_helm("template", "renku", str(CHART), "--set", "projects.backend=svn")
    assert result.returncode != 0
    assert "/projects/backend" in result.stderr


def test_replicas_without_shared_stores_fail_at_template_time() -> None:
    result = run_helm(
        "template", "renku", str(CHART), "-f", str(PRODUCTION), "--set", "redis.existingSecret="
    )
    assert result.returncode != 0
    assert "need Redis" in result.stderr
    result = run_helm("template", "renku", str(CHART), "--set", "kg.replicaCount=2")
    assert result.returncode != 0
    assert "kg: replicaCount must be 1" in result.stderr


def test_development_issuer_is_made_on_the_users_volume(default: Rendered) -> None:
    users = default.named("Deployment", f"{FULLNAME}-users")
    init = users["spec"]["template"]["spec"]["initContainers"][0]
    compile(init["args"][0], "dev-issuer", "exec")
    assert init["args"][1] == f"http://{FULLNAME}-users:4001/realms/renku"
    auth = default.named("ConfigMap", f"{FULLNAME}-auth")["data"]
    assert auth["RENKU_FED_AUTH_ISSUER"] == init["args"][1]
    keycloak = render(None, "--set", "auth.issuer=https://id.example.org/realms/renku")
    users = keycloak.named("Deployment", f"{FULLNAME}-users")
    assert "initContainers" not in users["spec"]["template"]["spec"]

"""`renku-fed up`: the five subgraphs and the router as supervised local processes."""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from renku_fed.cli.private_files import PRIVATE_UMASK, make_private
from renku_fed.cli.supervisor import (
    Command,
    Service,
    Supervisor,
    stop_previous_run,
)
from renku_fed.cli.supervisor import (
    PlatformError as PlatformError,
)
from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.dev_login import load_dev_clients, register_dev_client
from renku_fed.identity.subgraph_secret import VARIABLE as SUBGRAPH_SECRET_VARIABLE
from renku_fed.router.serve import cpu_count

SUBGRAPHS = ("users", "projects", "sessions", "kg", "storage")
# One library each subgraph's extra brings, looked up before anything starts.
SUBGRAPH_LIBRARIES = {
    "users": "keycloak",
    "projects": "gitlab",
    "sessions": "jupyter_server",
    "kg": "pyoxigraph",
    "storage": "cryptography",
}
LOGIN_CLIENT_ID = "renku"
EVENTS_SECRET_FILE = "events.secret"
SUBGRAPH_SECRET_FILE = "subgraph.secret"
ISSUER_VARIABLE = "RENKU_FED_AUTH_ISSUER"
SESSION_PROXY_SECRET_FILE = "session-proxy-secret"
STORAGE_KEYS_FILE = "storage-secrets.keys"
STORAGE_INTERNAL_SECRET_FILE = "storage-internal.secret"


@dataclass(frozen=True)
class PlatformLayout:
    """Where every service listens and keeps its data, derived from the `up` options."""

    host: str
    port: int
    data_dir: Path
    workers: int | None = None
    """Router worker processes; None for the CPU count."""

    @property
    def router_workers(self) -> int:
        """How many worker processes serve the router."""
        return self.workers or cpu_count()

    @property
    def services(self) -> tuple[Service, ...]:
        """The subgraphs on the ports after the router's, then the router."""
        subgraphs = tuple(
            Service(name, self.port + offset, f"renku_fed.subgraphs.{name}.app:create_app")
            for offset, name in enumerate(SUBGRAPHS, start=1)
        )
        return (*subgraphs, Service("router", self.port, "renku_fed.router.serve:create_app"))

    @property
    def issuer(self) -> str:
        """The embedded OIDC issuer, served by the users subgraph at Keycloak's paths."""
        return f"http://{self.host}:{self.port + 1}/realms/renku"

    @property
    def trusted_issuer(self) -> str:
        """The issuer every service trusts: the operator's `RENKU_FED_AUTH_ISSUER`, else ours."""
        return os.environ.get(ISSUER_VARIABLE) or self.issuer

    @property
    def uses_dev_issuer(self) -> bool:
        """True when the services trust the embedded development issuer."""
        return self.trusted_issuer == self.issuer

    @property
    def callback_urls(self) -> list[str]:
        """The router's login callbacks, by the host given and by both names of loopback."""
        hosts = dict.fromkeys([self.host, "127.0.0.1", "localhost"])
        return [f"http://{host}:{self.port}/auth/callback" for host in hosts]

    @property
    def router_url(self) -> str:
        """Where clients send GraphQL."""
        return f"http://{self.host}:{self.port}/graphql"

    @property
    def metrics_dir(self) -> Path:
        """Where the router's workers keep their Prometheus samples, emptied at each start."""
        return self.data_dir / "run" / "metrics"

    def environment(self, service: Service, seed_demo: bool) -> dict[str, str]:
        """The settings a service's process gets, as environment variables."""
        env = {ISSUER_VARIABLE: self.trusted_issuer, "PYTHONUNBUFFERED": "1"}
        # Only the router (and tools run with it) may ask subgraphs for _entities and _service.
        env[SUBGRAPH_SECRET_VARIABLE] = generated_secret(
            self.data_dir / SUBGRAPH_SECRET_FILE, token_urlsafe
        )
        if service.name == "router":
            subgraph_urls = {s.name: s.url(self.host, "/graphql") for s in self.services[:-1]}
            env["RENKU_FED_ROUTER_SUBGRAPHS"] = json.dumps(subgraph_urls)
            env["RENKU_FED_ROUTER_SESSION_PROXY_SECRET"] = session_proxy_secret(self.data_dir)
            if self.router_workers > 1:
                # Each worker's /metrics then answers the sum over all workers.
                env["PROMETHEUS_MULTIPROC_DIR"] = str(self.metrics_dir)
            return env | (self._login_environment() if self.uses_dev_issuer else {})
        prefix = f"RENKU_FED_{service.name.upper()}_"
        env[prefix + "DATA_DIR"] = str(self.data_dir / service.name)
        env[prefix + "SEED_DEMO"] = "true" if seed_demo else "false"
        if service.name == "users":
            env[prefix + "DEV_ISSUER_DIR"] = str(self.data_dir / "dev-issuer")
            projects = next(s for s in self.services if s.name == "projects")
            env[prefix + "PROJECTS_URL"] = projects.url(self.host, "/graphql")
        if service.name in ("projects", "kg"):
            env[prefix + "USERS_URL"] = self.services[0].url(self.host, "/graphql")
        if service.name == "projects":
            kg = next(s for s in self.services if s.name == "kg")
            env[prefix + "KG_EVENTS_URL"] = kg.url(self.host, "/internal/events")
        if service.name in ("projects", "kg"):
            env[prefix + "EVENTS_SECRET"] = events_secret(self.data_dir)
        if service.name == "sessions":
            env[prefix + "GRAPH_URL"] = self.router_url
            env[prefix + "PUBLIC_URL"] = f"http://{self.host}:{self.port}"
            env[prefix + "PROXY_SECRET"] = session_proxy_secret(self.data_dir)
        return env | self._storage_environment(service.name)

    def _storage_environment(self, name: str) -> dict[str, str]:
        """The storage service's keys and graph URL, and how sessions reach its launch route."""
        internal = generated_secret(self.data_dir / STORAGE_INTERNAL_SECRET_FILE, token_urlsafe)
        if name == "sessions":
            storage = next(s for s in self.services if s.name == "storage")
            return {
                "RENKU_FED_SESSIONS_STORAGE_URL": storage.url(
                    self.host, "/internal/session-launch"
                ),
                "RENKU_FED_SESSIONS_STORAGE_SECRET": internal,
            }
        if name != "storage":
            return {}
        env = {"RENKU_FED_STORAGE_INTERNAL_SECRET": internal}
        env["RENKU_FED_STORAGE_GRAPH_URL"] = self.router_url
        # An operator's own keys (e.g. during a rotation) win over the generated one.
        if "RENKU_FED_STORAGE_SECRETS_KEYS" not in os.environ:
            keys = generated_secret(self.data_dir / STORAGE_KEYS_FILE, fernet_key)
            env["RENKU_FED_STORAGE_SECRETS_KEYS"] = keys
        return env

    def command(self, service: Service) -> list[str]:
        """The command line that runs `service` under uvicorn."""
        command = [
            sys.executable, "-m", "uvicorn", service.app, "--factory",
            "--host", self.host, "--port", str(service.port),
            "--no-access-log", "--log-level", "warning", *forwarding_options(),
        ]  # fmt: skip
        if service.name == "router":
            command += ["--workers", str(self.router_workers)]
        return command

    def _login_environment(self) -> dict[str, str]:
        """The router's browser login against the dev issuer, on plain-http loopback."""
        client = load_dev_clients(self.data_dir / "dev-issuer").get(LOGIN_CLIENT_ID)
        if client is None:
            return {}
        prefix = "RENKU_FED_ROUTER_LOGIN_"
        return {
            prefix + "CLIENT_ID": client.client_id,
            prefix + "CLIENT_SECRET": client.client_secret,
            prefix + "COOKIE_SECURE": "false",
            prefix + "COOKIE_NAME": "renku-session",
            prefix + "DATA_DIR": str(self.data_dir / "router"),
            # Workers are processes: they share login sessions only through a store.
            prefix + "STORE": "sqlite" if self.router_workers > 1 else "memory",
        }


def forwarding_options() -> list[str]:
    """uvicorn's proxy-header options: trust `FORWARDED_ALLOW_IPS` when set, else no peer.

    uvicorn trusts `X-Forwarded-For` from 127.0.0.1 by default, which would let any local
    client pick the address the router's rate limit counts.
    """
    allowed = os.environ.get("FORWARDED_ALLOW_IPS")
    return ["--forwarded-allow-ips", allowed] if allowed else ["--no-proxy-headers"]


def session_proxy_secret(data_dir: Path) -> str:
    """The secret only the router shows the sessions service; made once per data folder, 0600."""
    path = data_dir / SESSION_PROXY_SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def events_secret(data_dir: Path) -> str:
    """The secret projects and kg share for project events, made once per data dir (mode 0600)."""
    path = data_dir / EVENTS_SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def token_urlsafe() -> str:
    """A random 32-byte secret, url-safe."""
    return secrets.token_urlsafe(32)


def fernet_key() -> str:
    """A new Fernet key, as the storage service's secrets keys take it."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def generated_secret(path: Path, make: Callable[[], str]) -> str:
    """The secret in `path`, made once by `make` (mode 0600) when the file is missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(make())
    return path.read_text().strip()


def check_subgraphs_installed() -> None:
    """Raise PlatformError naming the extras whose libraries this install lacks."""
    missing = [extra for extra, module in SUBGRAPH_LIBRARIES.items() if not _importable(module)]
    if missing:
        raise PlatformError(
            f"This install lacks the libraries of the {', '.join(missing)} subgraphs, which "
            "`renku-fed up` runs. Install the whole platform with "
            "pip install 'renku-federation[all]' (from a checkout: pip install '.[all]')."
        )
    rclone = os.environ.get("RENKU_FED_STORAGE_RCLONE_BINARY", "rclone")
    if shutil.which(rclone) is None:
        raise PlatformError(
            f"The storage subgraph reads its storage types from `{rclone} config providers`, "
            "and rclone is not installed; install it (Debian, Ubuntu: apt-get install rclone)."
        )


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:
        return False


def check_ports_free(layout: PlatformLayout) -> None:
    """Raise PlatformError naming the first port that something else already uses."""
    for service in layout.services:
        ensure_port_free(layout.host, service.port, f"the {service.name} service")


def ensure_port_free(host: str, port: int, purpose: str) -> None:
    """Raise PlatformError when `port` on `host` cannot be listened on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As uvicorn does: a port whose old connections linger in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PlatformError(
                f"Port {port} on {host} (for {purpose}) is already in use ({exc.strerror}). "
                "Stop the program using it, or choose another port with --port."
            ) from exc


def run_platform(
    layout: PlatformLayout, out: TextIO = sys.stdout, command: Command | None = None
) -> int:
    """Start the platform, print how to use it, and run until Ctrl-C or SIGTERM.

    `command` replaces the command line of each service (tests run stand-ins).
    """
    os.umask(PRIVATE_UMASK)
    supervisor = Supervisor(layout, out, command or layout.command)
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    signal.signal(signal.SIGINT, supervisor.request_stop)
    try:
        check_subgraphs_installed()
        prepare_data_dir(layout, supervisor.say)
        check_ports_free(layout)
        supervisor.start()
        print(_banner(layout), file=out, flush=True)
        return supervisor.watch()
    except PlatformError as exc:
        print(f"error: {exc}", file=out, flush=True)
        return 1
    finally:
        supervisor.stop()
        print("renku-fed: all services stopped.", file=out, flush=True)


def prepare_data_dir(layout: PlatformLayout, say: Callable[[str], None]) -> None:
    """Stop a previous run's leftovers, make the data folder private, set up the dev issuer."""
    data_dir = layout.data_dir
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise PlatformError(f"Cannot create the data folder {data_dir}: {exc.strerror}.") from None
    stop_previous_run(data_dir, say)
    if not os.access(data_dir, os.W_OK | os.X_OK):
        raise PlatformError(
            f"The data folder {data_dir} is not writable by this user; choose another with "
            "--data-dir or fix its permissions."
        )
    changed = make_private(data_dir)
    if changed:
        say(f"took group and other permissions off {changed} files and folders in {data_dir}")
    (data_dir / "logs").mkdir(exist_ok=True)
    shutil.rmtree(layout.metrics_dir, ignore_errors=True)
    layout.metrics_dir.mkdir(mode=0o700, parents=True)
    DevIssuer.create(data_dir / "dev-issuer", layout.issuer)
    register_dev_client(data_dir / "dev-issuer", LOGIN_CLIENT_ID, layout.callback_urls)


def _banner(layout: PlatformLayout) -> str:
    lines = [
        f"renku-fed is up. Web: http://{layout.host}:{layout.port}/  (sign in as alice, bob or "
        "carol, or any username with the password renku-demo)",
        f"GraphQL: {layout.router_url}  (open it in a browser for GraphiQL)",
        f"Health:  http://{layout.host}:{layout.port}/healthz",
        f"Data:    {layout.data_dir.resolve()}  (logs in {layout.data_dir / 'logs'})",
        *_token_lines(layout),
        "Press Ctrl-C to stop every service.",
    ]
    return "\n".join(lines)


def _token_lines(layout: PlatformLayout) -> list[str]:
    """How to get a token: one from the dev issuer, or the operator's issuer named."""
    if not layout.uses_dev_issuer:
        return [
            f"Tokens: every service trusts only {layout.trusted_issuer} ({ISSUER_VARIABLE}); "
            "the development issuer's tokens are refused."
        ]
    token = DevIssuer.load(layout.data_dir / "dev-issuer").sign("alice", timedelta(hours=8))
    return [
        "Token for the demo user alice (valid 8 h; paste as `Authorization: Bearer <token>`):",
        token,
        "More tokens: renku-fed token bob --data-dir " + str(layout.data_dir),
    ]

"""The gateways the benchmark measures: how to start each on a supergraph file and a port."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"

# Settings of `renku-fed router` whose defaults refuse the benchmark: the query's estimated
# cost is above max_cost, and the load is far above one client's rate limit. 0 turns each off.
ROUTER_OVERRIDES = {
    "RENKU_FED_ROUTER_LIMITS_RATE_PER_SECOND": "0",
}

# The router needs an issuer to start; the benchmark sends no token, so none is ever asked.
_ISSUER = {"RENKU_FED_AUTH_ISSUER": "http://127.0.0.1:9/realms/bench"}


@dataclass(frozen=True)
class Gateway:
    """One gateway under test."""

    key: str
    label: str
    needs_npm: bool
    env: dict[str, str] = field(default_factory=dict)

    def command(self, supergraph: Path, port: int) -> list[str]:
        """The command line that serves `supergraph` on 127.0.0.1:`port`."""
        if self.key == "ours":
            return [
                sys.executable, "-m", "renku_fed.cli", "router",
                "--supergraph", str(supergraph), "--host", "127.0.0.1", "--port", str(port),
            ]  # fmt: skip
        if self.key == "apollo":
            return ["node", str(HERE / "apollo_gateway.mjs"), str(supergraph), str(port)]
        hive = [
            str(NODE_MODULES / ".bin" / "hive-gateway"), "supergraph", str(supergraph),
            "--host", "127.0.0.1", "--port", str(port), "--fork", "1",
        ]  # fmt: skip
        return [*hive, "--hive-router-runtime"] if self.key == "hive-rust" else hive

    def installed(self) -> bool:
        """Whether the gateway can start here (npm peers need `npm ci --prefix bench/gateways`)."""
        return not self.needs_npm or (NODE_MODULES / ".bin" / "hive-gateway").exists()


_NODE_ENV = {"NODE_ENV": "production"}
GATEWAYS: dict[str, Gateway] = {
    g.key: g
    for g in (
        Gateway("ours", "renku-fed router", needs_npm=False, env={**ROUTER_OVERRIDES, **_ISSUER}),
        Gateway("apollo", "Apollo Gateway 2 (@apollo/server)", needs_npm=True, env=_NODE_ENV),
        Gateway("hive", "Hive Gateway (JavaScript planner)", needs_npm=True, env=_NODE_ENV),
        Gateway("hive-rust", "Hive Gateway (Rust planner)", needs_npm=True, env=_NODE_ENV),
    )
}


def router_setting_changes() -> list[str]:
    """The router settings the benchmark changes, each as `variable: default -> value`."""
    from renku_fed.router.limits.settings import LimitSettings

    fields = LimitSettings.model_fields
    prefix = "RENKU_FED_ROUTER_LIMITS_"
    return [
        f"{variable}: {fields[variable.removeprefix(prefix).lower()].default} -> {value}"
        for variable, value in ROUTER_OVERRIDES.items()
    ]

"""Free loopback ports for tests that start `renku-fed up` or one server of their own."""

from __future__ import annotations

import socket

from renku_fed.cli.up import SUBGRAPHS

PLATFORM_PORTS = 1 + len(SUBGRAPHS)
"""How many consecutive ports `renku-fed up --port P` takes: the router's, then one per subgraph."""


def port_is_free(port: int) -> bool:
    """Whether `port` on 127.0.0.1 can be bound right now."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port on 127.0.0.1 the kernel just handed out as free."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def free_platform_port(count: int = PLATFORM_PORTS) -> int:
    """A port P such that P up to P + count - 1 are all free on 127.0.0.1."""
    for _ in range(50):
        base = free_port()
        if base + count <= 65535 and all(port_is_free(base + i) for i in range(count)):
            return base
    raise RuntimeError(f"no {count} consecutive free ports on 127.0.0.1")

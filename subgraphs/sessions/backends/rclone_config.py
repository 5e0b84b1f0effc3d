"""A data connector as rclone's configuration: its options, with passwords obscured.

rclone keeps some options (those its provider schema, `rclone config providers`, marks
`IsPassword`) obscured in its configuration; the storage service hands them over in plain.
"""

from __future__ import annotations

import functools
import json
import subprocess

from renku_fed.subgraphs.sessions.backends.launch_storage import DataConnectorMount


@functools.cache
def password_options() -> dict[str, frozenset[str]]:
    """The options rclone keeps obscured, by storage type, from its provider schema."""
    done = subprocess.run(
        ["rclone", "config", "providers"], capture_output=True, check=True, timeout=60
    )
    return {
        provider["Name"]: frozenset(
            option["Name"] for option in provider["Options"] if option.get("IsPassword")
        )
        for provider in json.loads(done.stdout)
    }


def obscured(value: str) -> str:
    """The value as rclone's configuration keeps a password (`rclone obscure`, fed on stdin)."""
    done = subprocess.run(
        ["rclone", "obscure", "-"], input=value.encode(), capture_output=True, check=True
    )
    return done.stdout.decode().strip()


def rclone_options(connector: DataConnectorMount) -> dict[str, str]:
    """The connector's remote as rclone options, `type` first, passwords obscured."""
    passwords = password_options().get(connector.storage_type, frozenset())
    options = {"type": connector.storage_type}
    for option, value in connector.configuration.items():
        if option != "type":
            options[option] = obscured(value) if option in passwords else value
    return options


def rclone_env(remote: str, connector: DataConnectorMount) -> dict[str, str]:
    """The variables that define `remote` as the connector's rclone remote."""
    prefix = f"RCLONE_CONFIG_{remote.upper()}_"
    return {
        prefix + option.upper().replace("-", "_"): value
        for option, value in rclone_options(connector).items()
    }


def config_file(remote: str, connector: DataConnectorMount) -> str:
    """The connector's remote as one section of an rclone configuration file."""
    lines = [f"[{remote}]"]
    lines += [f"{option} = {value}" for option, value in rclone_options(connector).items()]
    return "\n".join(lines) + "\n"

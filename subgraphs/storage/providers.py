"""The storage types and their options, from rclone's own schema (`rclone config providers`).

The schema is read once, when the service starts, from the rclone binary it will mount with;
a configuration is checked against it and every problem is reported with the option's name.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode

# rclone before 1.63 flags only passwords (`IsPassword`); these are the options its later
# releases flag `Sensitive`, so that they are treated as credentials on every version.
CREDENTIAL_OPTIONS = frozenset(
    {
        "access_key_id",
        "secret_access_key",
        "session_token",
        "bearer_token",
        "client_secret",
        "token",
        "sas_url",
        "key",
        "account_key",
        "service_account_credentials",
    }
)
MASK = "<sensitive>"
_LISTS = {"CommaSepList", "SpaceSepList"}


@dataclass(frozen=True, slots=True)
class ProviderOption:
    """One option of a storage type, possibly only for some of its providers."""

    name: str
    help: str
    type: str
    required: bool
    sensitive: bool
    advanced: bool
    provider: str
    examples: tuple[str, ...]
    exclusive: bool
    default: Any

    def applies_to(self, provider: str | None) -> bool:
        """True when the option exists for `provider` (rclone's `Provider` filter)."""
        if not self.provider:
            return True
        negated = self.provider.startswith("!")
        names = set(self.provider.lstrip("!").split(","))
        return (provider not in names) if negated else (provider in names)


@dataclass(frozen=True, slots=True)
class StorageType:
    """One rclone backend: its name, description and options."""

    name: str
    description: str
    options: tuple[ProviderOption, ...]

    def options_for(self, provider: str | None) -> dict[str, ProviderOption]:
        """The options that exist for `provider`, by name."""
        return {o.name: o for o in self.options if o.applies_to(provider)}

    def sensitive_names(self, provider: str | None) -> frozenset[str]:
        """The names of the options that hold credentials."""
        return frozenset(n for n, o in self.options_for(provider).items() if o.sensitive)


def _option(raw: Mapping[str, Any]) -> ProviderOption:
    name = str(raw["Name"])
    return ProviderOption(
        name=name,
        help=str(raw.get("Help") or ""),
        type=str(raw.get("Type") or "string"),
        required=bool(raw.get("Required")),
        sensitive=bool(raw.get("IsPassword") or raw.get("Sensitive")) or name in CREDENTIAL_OPTIONS,
        advanced=bool(raw.get("Advanced")),
        provider=str(raw.get("Provider") or ""),
        examples=tuple(str(e["Value"]) for e in raw.get("Examples") or ()),
        exclusive=bool(raw.get("Exclusive")),
        default=raw.get("Default"),
    )


class ProviderSchema:
    """Every storage type rclone knows, and the checks of a configuration against them."""

    def __init__(self, providers: Sequence[Mapping[str, Any]]) -> None:
        self.types = {
            str(p["Name"]): StorageType(
                name=str(p["Name"]),
                description=str(p.get("Description") or ""),
                options=tuple(_option(o) for o in p.get("Options") or ()),
            )
            for p in providers
        }

    @classmethod
    def from_rclone(cls, binary: str = "rclone") -> ProviderSchema:
        """The schema of the rclone binary `binary`; a RuntimeError saying how to install it."""
        try:
            done = subprocess.run(
                [binary, "config", "providers"], capture_output=True, check=True, timeout=30
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise RuntimeError(
                f"The storage service reads its storage types from `{binary} config providers`, "
                f"which failed ({exc}); install rclone (Debian: apt-get install rclone) or set "
                "RENKU_FED_STORAGE_RCLONE_BINARY."
            ) from exc
        return cls(json.loads(done.stdout))

    def storage_type(self, name: Any) -> StorageType:
        """The type named `name`; BAD_USER_INPUT naming the field if rclone has none."""
        found = self.types.get(name) if isinstance(name, str) else None
        if found is None:
            raise DomainError(
                ErrorCode.BAD_USER_INPUT,
                f"`configuration.type` {name!r} is not a storage type rclone knows; use one of "
                f"`storageTypes` (e.g. s3, webdav, sftp).",
                field="configuration.type",
            )
        return found

    def validate(self, configuration: Mapping[str, Any]) -> StorageType:
        """The configuration's storage type; BAD_USER_INPUT naming the first wrong option."""
        storage = self.storage_type(configuration.get("type"))
        provider = configuration.get("provider")
        known = storage.options_for(provider if isinstance(provider, str) else None)
        filtered = any(option.provider for option in storage.options)
        for name, value in configuration.items():
            if name == "type":
                continue
            option = known.get(name)
            if option is not None and name == "provider" and filtered:
                # Other options exist per provider, so only the providers listed are known.
                option = replace(option, exclusive=True)
            if option is None:
                raise _field_error(
                    name,
                    f"rclone's {storage.name} storage has no option {name!r}"
                    + (f" for provider {provider!r}" if provider else "")
                    + "; remove it or check its spelling.",
                )
            _check_value(option, value)
        for option in known.values():
            if option.required and option.name not in configuration and not option.default:
                raise _field_error(
                    option.name,
                    f"rclone's {storage.name} storage needs {option.name!r} "
                    f"({option.help.splitlines()[0] if option.help else 'no help'}); set it.",
                )
        return storage


def _field_error(option: str, message: str) -> DomainError:
    return DomainError(ErrorCode.BAD_USER_INPUT, message, field=f"configuration.{option}")


def _check_value(option: ProviderOption, value: Any) -> None:
    """BAD_USER_INPUT when `value` does not fit the option's type or closed list of values."""
    if value is None and option.sensitive:
        return
    if not _fits(option.type, value):
        raise _field_error(
            option.name, f"{option.name!r} must be a {option.type}, got {value!r}; correct it."
        )
    if option.exclusive and option.examples and str(value) not in option.examples:
        raise _field_error(
            option.name,
            f"{option.name!r} must be one of {', '.join(option.examples)}; got {value!r}.",
        )


def _fits(kind: str, value: Any) -> bool:
    if kind == "bool":
        return isinstance(value, bool) or value in ("true", "false")
    if kind == "Tristate":
        return value is None or isinstance(value, bool) or value in ("true", "false", "unset")
    if kind == "int":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and value.lstrip("-").isdigit()
        )
    if kind in _LISTS:
        return isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
    return isinstance(value, str | int | float) and not isinstance(value, bool)

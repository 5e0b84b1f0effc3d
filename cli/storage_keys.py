"""`renku-fed storage new-key|rotate-keys`: the storage service's Fernet keys.

`rotate-keys` re-encrypts every stored secret with the first key. With
`RENKU_FED_STORAGE_SECRETS_KEYS` set (new key first, then the old ones) it uses those keys; without
it, it rotates the data folder that `renku-fed up` made: a new key is generated, every secret is
re-encrypted with it, and the folder's key file then holds only the new key. The store is
`RENKU_FED_STORAGE_DATA_DIR`'s when set (as in the storage pod), else `<data dir>/storage`. Stop
the platform first: a running storage service knows only the keys it started with.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from renku_fed.cli.up import STORAGE_KEYS_FILE, fernet_key

KEYS_VARIABLE = "RENKU_FED_STORAGE_SECRETS_KEYS"


class StorageKeysError(Exception):
    """The keys or the store could not be read; the message says what to do."""


def add_storage_command(commands: Any, default_data_dir: Path) -> None:
    """Add `storage new-key` and `storage rotate-keys` to an argparse subparsers object."""
    storage = commands.add_parser(
        "storage",
        help="make or rotate the keys that encrypt users' secrets",
        description="The storage service's Fernet keys (RENKU_FED_STORAGE_SECRETS_KEYS).",
    )
    verbs = storage.add_subparsers(dest="verb", required=True, metavar="VERB")
    verbs.add_parser("new-key", help="print a new Fernet key")
    rotate = verbs.add_parser(
        "rotate-keys",
        help="re-encrypt every secret with the first key (or a new one for `up`'s data folder)",
    )
    rotate.add_argument(
        "--data-dir", type=Path, default=default_data_dir, help="`up`'s data folder (./.renku-fed)"
    )


def run_storage(verb: str, data_dir: Path) -> int:
    """Run a `storage` verb; 0 when done."""
    if verb == "new-key":
        print(fernet_key())
        return 0
    return _rotate(data_dir)


def _rotate(data_dir: Path) -> int:
    # The storage subgraph's libraries are loaded only here: a router-only install has none.
    from renku_fed.subgraphs.storage.backends.database import DATABASE_FILE, Database
    from renku_fed.subgraphs.storage.backends.embedded_secrets import EmbeddedSecrets
    from renku_fed.subgraphs.storage.backends.secret_box import SecretBox

    storage_dir = os.environ.get("RENKU_FED_STORAGE_DATA_DIR")
    database_file = Path(storage_dir or data_dir / "storage") / DATABASE_FILE
    if not database_file.exists():
        raise StorageKeysError(
            f"{database_file} does not exist; give the --data-dir `renku-fed up` uses."
        )
    given = os.environ.get(KEYS_VARIABLE)
    key_file = data_dir / STORAGE_KEYS_FILE
    if given is None and not key_file.exists():
        raise StorageKeysError(f"set {KEYS_VARIABLE} (new key first) or keep {key_file}.")
    keys = given.split(",") if given else [fernet_key(), *key_file.read_text().split(",")]
    try:
        count = EmbeddedSecrets(Database(database_file.parent), SecretBox(keys)).rotate()
    except ValueError as exc:
        raise StorageKeysError(str(exc)) from exc
    if given is None:
        _replace_private(key_file, keys[0])
        print(f"Re-encrypted {count} secrets with a new key; {key_file} holds only it now.")
    else:
        print(f"Re-encrypted {count} secrets with the first key of {KEYS_VARIABLE}; "
              "drop the others from it now.")  # fmt: skip
    return 0


def _replace_private(path: Path, text: str) -> None:
    """Write `text` to `path` through a 0600 temporary file renamed over it."""
    temporary = path.with_suffix(".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    temporary.replace(path)

"""Encryption at rest of secret values: Fernet keys, the first encrypts, every one decrypts."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretBox:
    """Encrypts with the first key, decrypts with any; `rotate` re-encrypts with the first."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError(
                "RENKU_FED_STORAGE_SECRETS_KEYS is empty; set it to one or more Fernet keys, "
                "comma-separated (`renku-fed storage new-key` prints one)."
            )
        try:
            self._fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys])
        except ValueError as exc:
            raise ValueError(
                "RENKU_FED_STORAGE_SECRETS_KEYS holds a value that is not a Fernet key (32 "
                "url-safe base64-encoded bytes); `renku-fed storage new-key` prints one."
            ) from exc

    @staticmethod
    def new_key() -> str:
        """A fresh Fernet key."""
        return Fernet.generate_key().decode()

    def encrypt(self, value: str) -> bytes:
        """The value encrypted with the first key."""
        return self._fernet.encrypt(value.encode())

    def decrypt(self, token: bytes) -> str:
        """The value of `token`; a ValueError when no key opens it."""
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken as exc:
            raise ValueError(
                "A stored secret was encrypted with a key RENKU_FED_STORAGE_SECRETS_KEYS no "
                "longer holds; put that key back (after the first) and rotate."
            ) from exc

    def rotate(self, token: bytes) -> bytes:
        """`token` re-encrypted with the first key."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken as exc:
            raise ValueError(
                "A stored secret was encrypted with a key RENKU_FED_STORAGE_SECRETS_KEYS does not "
                "hold; add that key after the first and rotate again."
            ) from exc

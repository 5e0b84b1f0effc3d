"""Configurations checked against rclone's own provider schema (`rclone config providers`)."""

from __future__ import annotations

from typing import Any

import pytest

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.storage.providers import ProviderSchema
from tests.support.services.storage_servers import require_rclone


@pytest.fixture(scope="module")
def schema() -> ProviderSchema:
    return ProviderSchema.from_rclone(require_rclone())


def _refusal(schema: ProviderSchema, configuration: dict[str, Any]) -> DomainError:
    with pytest.raises(DomainError) as refused:
        schema.validate(configuration)
    assert refused.value.code is ErrorCode.BAD_USER_INPUT
    return refused.value


def test_the_storage_types_are_rclones(schema: ProviderSchema) -> None:
    assert {"s3", "webdav", "sftp", "http", "azureblob"} <= set(schema.types)
    assert schema.types["s3"].options_for("AWS")["region"].examples[:1] == ("us-east-1",)


def test_a_valid_s3_configuration_passes(schema: ProviderSchema) -> None:
    configuration = {
        "type": "s3", "provider": "Other", "endpoint": "http://127.0.0.1:9000",
        "access_key_id": "id", "secret_access_key": "key", "env_auth": False,
    }  # fmt: skip
    assert schema.validate(configuration).name == "s3"


def test_credentials_are_sensitive(schema: ProviderSchema) -> None:
    assert {"access_key_id", "secret_access_key"} <= schema.types["s3"].sensitive_names("AWS")
    assert "pass" in schema.types["webdav"].sensitive_names(None)
    assert "url" not in schema.types["webdav"].sensitive_names(None)


@pytest.mark.parametrize(
    ("configuration", "field", "words"),
    [
        ({"type": "nfs"}, "configuration.type", "not a storage type"),
        ({"type": "webdav", "url": "http://x", "colour": "red"},
         "configuration.colour", "no option"),
        ({"type": "webdav", "vendor": "other"}, "configuration.url", "needs 'url'"),
        ({"type": "s3", "provider": "AWS", "env_auth": "maybe"}, "configuration.env_auth", "bool"),
        ({"type": "s3", "provider": "Moon"}, "configuration.provider", "one of AWS"),
        ({"type": "s3", "provider": "AWS", "upload_concurrency": "x"},
         "configuration.upload_concurrency", "int"),
        ({"type": "s3", "provider": "Other", "sse_kms_key_id": "k"},
         "configuration.sse_kms_key_id", "for provider 'Other'"),
    ],
)  # fmt: skip
def test_a_wrong_option_is_named(
    schema: ProviderSchema, configuration: dict[str, Any], field: str, words: str
) -> None:
    refused = _refusal(schema, configuration)
    assert refused.field == field
    assert words in refused.message


def test_an_exclusive_option_takes_only_its_examples() -> None:
    schema = ProviderSchema([{"Name": "demo", "Options": [
        {"Name": "mode", "Type": "string", "Exclusive": True,
         "Examples": [{"Value": "fast"}, {"Value": "safe"}]},
    ]}])  # fmt: skip
    assert schema.validate({"type": "demo", "mode": "safe"}).name == "demo"
    refused = _refusal(schema, {"type": "demo", "mode": "reckless"})
    assert refused.field == "configuration.mode"
    assert "fast, safe" in refused.message

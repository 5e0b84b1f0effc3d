"""The Python SDK of renku-federation: `from renku_fed.sdk import Client`."""

from renku_fed.sdk.client import AsyncClient, Client
from renku_fed.sdk.errors import (
    ConfigurationError,
    Conflict,
    ErrorDetail,
    NotFound,
    PermissionDenied,
    RateLimited,
    RenkuError,
    ServerError,
    Unauthenticated,
    ValidationError,
)
from renku_fed.sdk.models import (
    Lineage,
    Project,
    RecordedActivity,
    RecordedDataset,
    Role,
    SearchHit,
    Session,
    User,
    Visibility,
)

__all__ = [
    "AsyncClient",
    "Client",
    "ConfigurationError",
    "Conflict",
    "ErrorDetail",
    "Lineage",
    "NotFound",
    "PermissionDenied",
    "Project",
    "RateLimited",
    "RecordedActivity",
    "RecordedDataset",
    "RenkuError",
    "Role",
    "SearchHit",
    "ServerError",
    "Session",
    "Unauthenticated",
    "User",
    "ValidationError",
    "Visibility",
]

"""Protection limits: shape, tokens, cost, rate and the persisted-query safelist."""

from renku_fed.router.limits.errors import LimitExceeded
from renku_fed.router.limits.operation_limits import OperationAnalysis, OperationLimits
from renku_fed.router.limits.rate import BucketStore, InMemoryBucketStore, RateLimiter, client_key
from renku_fed.router.limits.safelist import Safelist, SafelistError
from renku_fed.router.limits.settings import LimitSettings

__all__ = [
    "BucketStore",
    "InMemoryBucketStore",
    "LimitExceeded",
    "LimitSettings",
    "OperationAnalysis",
    "OperationLimits",
    "RateLimiter",
    "Safelist",
    "SafelistError",
    "client_key",
]

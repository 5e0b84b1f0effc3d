"""Protection limits: shape, tokens, cost, rate and the persisted-query safelist."""

from router.limits.errors import LimitExceeded
from router.limits.operation_limits import OperationAnalysis, OperationLimits
from router.limits.rate import BucketStore, InMemoryBucketStore, RateLimiter, client_key
from router.limits.safelist import Safelist, SafelistError
from router.limits.settings import LimitSettings

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

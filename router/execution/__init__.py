"""Plan execution: fetches, merging, error re-pathing and response shaping."""

from renku_fed.router.execution.executor import ExecutionResult, Executor
from renku_fed.router.execution.projection import OperationProjector
from renku_fed.router.execution.transport import (
    SubgraphRequestError,
    SubgraphResponse,
    SubgraphTransport,
)
from renku_fed.router.execution.typeindex import TypeIndex

__all__ = [
    "ExecutionResult",
    "Executor",
    "OperationProjector",
    "SubgraphRequestError",
    "SubgraphResponse",
    "SubgraphTransport",
    "TypeIndex",
]

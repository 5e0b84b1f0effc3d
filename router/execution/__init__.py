"""Plan execution: fetches, merging, error re-pathing and response shaping."""

from router.execution.executor import ExecutionResult, Executor
from router.execution.projection import OperationProjector
from router.execution.transport import SubgraphRequestError, SubgraphResponse, SubgraphTransport
from router.execution.typeindex import TypeIndex

__all__ = [
    "ExecutionResult",
    "Executor",
    "OperationProjector",
    "SubgraphRequestError",
    "SubgraphResponse",
    "SubgraphTransport",
    "TypeIndex",
]

"""Query planning: operation -> `QueryPlan` of subgraph fetches, printable and cached."""

from router.planning.errors import PlanningError
from router.planning.nodes import QueryPlan
from router.planning.planner import QueryPlanner
from router.planning.printer import plan_to_json, print_plan

__all__ = [
    "PlanningError",
    "QueryPlan",
    "QueryPlanner",
    "plan_to_json",
    "print_plan",
]

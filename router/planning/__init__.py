"""Query planning: operation -> `QueryPlan` of subgraph fetches, printable and cached."""

from renku_fed.router.planning.errors import PlanningError
from renku_fed.router.planning.nodes import QueryPlan
from renku_fed.router.planning.planner import QueryPlanner
from renku_fed.router.planning.printer import plan_to_json, print_plan

__all__ = [
    "PlanningError",
    "QueryPlan",
    "QueryPlanner",
    "plan_to_json",
    "print_plan",
]

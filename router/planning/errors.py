"""The error raised for an operation that cannot be planned."""


class PlanningError(Exception):
    """The operation cannot be planned; the message names the field or type and why."""

"""Settings of subscriptions: how many a client may hold, how often the router shows it lives."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SubscriptionSettings(BaseModel):
    """How the router serves subscriptions over WebSocket and HTTP multipart."""

    enabled: bool = Field(
        default=True,
        description="Serve subscriptions (graphql-transport-ws at the GraphQL path, and HTTP "
        'multipart to clients that accept `multipart/mixed;subscriptionSpec="1.0"`).',
    )
    max_per_client: int = Field(
        default=20,
        ge=1,
        description="Subscriptions one client (a token's subject, else a client IP) may hold at "
        "once, over every connection; one more is refused with SUBSCRIPTION_LIMIT_EXCEEDED.",
    )
    heartbeat_seconds: float = Field(
        default=5.0,
        gt=0,
        description="Seconds between the `{}` heartbeats of a multipart subscription, and "
        "between the router's pings on a WebSocket.",
    )
    connection_init_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="Seconds a WebSocket may stay open without `connection_init` before it is "
        "closed with 4408.",
    )

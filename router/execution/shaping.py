"""Per-subgraph traffic shaping: a concurrency limit, retries of queries, a circuit breaker."""

from __future__ import annotations

import asyncio
import enum
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    retry_if_result,
    stop_after_attempt,
    wait_random_exponential,
)

from renku_fed.observability.metrics import count_retry, count_shed, set_breaker_state
from renku_fed.router.errors import ErrorCode
from renku_fed.router.execution.shaping_settings import SubgraphShaping

Answer = tuple[int, bytes]
Attempt = Callable[[], Awaitable[Answer]]

# Statuses of a proxy or load balancer that found no healthy subgraph behind it.
TRANSIENT_STATUSES = frozenset({502, 503, 504})


class SubgraphRequestError(Exception):
    """A subgraph call that produced no GraphQL response; `code` names the failure kind."""

    def __init__(self, service: str, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.service = service
        self.code = code
        self.message = message


class BreakerOpen(SubgraphRequestError):
    """The subgraph's circuit breaker refused the request without sending it."""


class BreakerState(enum.IntEnum):
    """A circuit breaker's state; the value is the one the metrics report."""

    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


class CircuitBreaker:
    """Opens after consecutive failures or a high failure rate; one probe closes it again."""

    def __init__(
        self,
        service: str,
        policy: SubgraphShaping,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._service = service
        self._policy = policy
        self._clock = clock
        self._recent: deque[bool] = deque(maxlen=policy.breaker_window)
        self._consecutive = 0
        self._opened_at = 0.0
        self._probing = False
        self.state = BreakerState.CLOSED
        set_breaker_state(service, self.state)

    def admit(self) -> bool:
        """Whether a request may go to the subgraph now (in half-open state, only the probe)."""
        if self.state is BreakerState.CLOSED or self._policy.breaker_failures == 0:
            return True
        if self.state is BreakerState.OPEN:
            if self._clock() - self._opened_at < self._policy.breaker_cooldown_seconds:
                return False
            self._move(BreakerState.HALF_OPEN)
        if self._probing:
            return False
        self._probing = True
        return True

    def record(self, failed: bool | None) -> None:
        """Note the outcome of an admitted request; None when it ended with none (cancelled)."""
        self._probing = False
        if failed is None:
            return
        if not failed:
            self._consecutive = 0
            self._recent.append(False)
            if self.state is not BreakerState.CLOSED:
                self._recent.clear()
                self._move(BreakerState.CLOSED)
            return
        self._consecutive += 1
        self._recent.append(True)
        if self.state is BreakerState.HALF_OPEN or self._tripped():
            self._opened_at = self._clock()
            self._move(BreakerState.OPEN)

    def _tripped(self) -> bool:
        limit = self._policy.breaker_failures
        if limit == 0:
            return False
        if self._consecutive >= limit:
            return True
        full = len(self._recent) == self._recent.maxlen
        return full and sum(self._recent) / len(self._recent) >= self._policy.breaker_failure_rate

    def _move(self, state: BreakerState) -> None:
        self.state = state
        set_breaker_state(self._service, state)


class SubgraphGuard:
    """Sends one subgraph's requests through its concurrency limit, retries and breaker."""

    def __init__(self, service: str, policy: SubgraphShaping) -> None:
        self.service = service
        self.policy = policy
        self.breaker = CircuitBreaker(service, policy)
        self._slots = asyncio.Semaphore(policy.max_concurrency) if policy.max_concurrency else None
        self._first_backoff = min(policy.retry_min_seconds, policy.retry_max_seconds)
        # The retries after the first, whose backoff `call` sleeps: doubling from there on.
        self._retrying = AsyncRetrying(
            stop=stop_after_attempt(policy.retry_attempts),
            wait=wait_random_exponential(
                multiplier=2 * policy.retry_min_seconds, max=policy.retry_max_seconds
            ),
            retry=retry_if_exception(_retryable) | retry_if_result(_transient),
            before_sleep=self._count_retry,
            retry_error_callback=_last_outcome,
            reraise=True,
        )

    async def call(self, attempt: Attempt, *, retry: bool) -> Answer:
        """The answer of `attempt`, tried again when `retry` and the failure is transient."""
        retry = retry and self.policy.retry_attempts > 0
        try:
            answer = await self._once(attempt)
        except SubgraphRequestError as exc:
            if not (retry and _retryable(exc)):
                raise
        else:
            if not (retry and _transient(answer)):
                return answer
        # The first try goes without tenacity, whose bookkeeping costs ~40 us a call.
        count_retry(self.service)
        await asyncio.sleep(random.uniform(0, self._first_backoff))
        # A copy per call: tenacity keeps a call's state on the instance.
        answer = await self._retrying.copy()(self._once, attempt)
        return answer

    async def _once(self, attempt: Attempt) -> Answer:
        if not self.breaker.admit():
            count_shed(self.service, "breaker_open")
            raise BreakerOpen(
                self.service,
                ErrorCode.SUBGRAPH_UNAVAILABLE,
                f'Subgraph "{self.service}" failed repeatedly; the router stops calling it for '
                f"{self.policy.breaker_cooldown_seconds:g} seconds before it tries again.",
            )
        failed: bool | None = None
        try:
            await self._acquire()
        except BaseException:
            self.breaker.record(None)
            raise
        try:
            answer = await attempt()
            failed = answer[0] in TRANSIENT_STATUSES
            return answer
        except SubgraphRequestError as exc:
            failed = exc.code in _BREAKER_FAILURES
            raise
        finally:
            if self._slots is not None:
                self._slots.release()
            self.breaker.record(failed)

    async def _acquire(self) -> None:
        """Take one of the subgraph's concurrency slots, waiting at most queue_timeout."""
        if self._slots is None:
            return
        if not self._slots.locked():
            await self._slots.acquire()
            return
        seconds = self.policy.queue_timeout_seconds
        try:
            async with asyncio.timeout(seconds):
                await self._slots.acquire()
        except TimeoutError:
            count_shed(self.service, "queue_timeout")
            raise SubgraphRequestError(
                self.service,
                ErrorCode.SUBGRAPH_OVERLOADED,
                f'Subgraph "{self.service}" already has {self.policy.max_concurrency} requests '
                f"in flight and none finished within {seconds:g} seconds; retry later.",
            ) from None

    def _count_retry(self, _: RetryCallState) -> None:
        count_retry(self.service)


_BREAKER_FAILURES = frozenset({ErrorCode.SUBGRAPH_UNAVAILABLE, ErrorCode.SUBGRAPH_TIMEOUT})


def _retryable(exc: BaseException) -> bool:
    """A failure worth a retry: no connection or a reset one, never a timeout or a refusal."""
    return (
        isinstance(exc, SubgraphRequestError)
        and exc.code is ErrorCode.SUBGRAPH_UNAVAILABLE
        and not isinstance(exc, BreakerOpen)
    )


def _transient(answer: Answer) -> bool:
    return answer[0] in TRANSIENT_STATUSES


def _last_outcome(state: RetryCallState) -> Answer:
    """The last try's answer once retries are spent (its exception re-raised)."""
    assert state.outcome is not None
    answer: Answer = state.outcome.result()
    return answer

"""Login attempts per client address: at most N in any 60 s (a sliding window, in memory).

The login service locks a *username* after repeated failures; this limit stops one address
from trying many usernames (or one) fast. Every attempt counts, successful or not.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from surveylab.api.errors import ApiProblem

WINDOW_S = 60.0
#: Addresses remembered at most; the oldest are forgotten first.
MAX_ADDRESSES = 10_000


class LoginRateLimit:
    """Count attempts per address and refuse beyond ``per_minute``.

    Parameters
    ----------
    per_minute : int
        Attempts allowed per address in any window of 60 s.
    clock : callable, optional
        Monotonic time [s]; default :func:`time.monotonic`.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, address: str) -> None:
        """Count one attempt from ``address``.

        Raises
        ------
        ApiProblem
            429 with ``Retry-After`` [s] when the address has used up its attempts.
        """
        now = self.clock()
        with self._lock:
            times = self._seen.pop(address, None) or deque()
            while times and now - times[0] >= WINDOW_S:
                times.popleft()
            self._seen[address] = times  # most recently used last
            if len(times) >= self.per_minute:
                wait = max(1, math.ceil(WINDOW_S - (now - times[0])))
                raise ApiProblem(
                    429,
                    "rate-limited",
                    f"too many login attempts from {address}: at most {self.per_minute} a "
                    f"minute (SURVEYLAB_API_LOGIN_PER_MINUTE); try again in {wait} s",
                    headers={"Retry-After": str(wait)},
                )
            times.append(now)
            while len(self._seen) > MAX_ADDRESSES:
                self._seen.pop(next(iter(self._seen)))

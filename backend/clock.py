"""The one source of "now". Tests and the simulator move it; nothing else reads the system clock."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta


class SystemClock:
    """Real time, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to (tests, simulator)."""

    def __init__(self, at: datetime):
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._at = at.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def set(self, at: datetime) -> None:
        with self._lock:
            self._at = at.astimezone(UTC)

    def advance(self, **delta: float) -> datetime:
        with self._lock:
            self._at += timedelta(**delta)
            return self._at


_clock: SystemClock | FrozenClock = SystemClock()


def now() -> datetime:
    """Current time as aware UTC."""
    return _clock.now()


def use(clock: SystemClock | FrozenClock) -> None:
    """Install a clock for the whole process."""
    global _clock
    _clock = clock


@contextlib.contextmanager
def frozen(at: datetime) -> Iterator[FrozenClock]:
    """Freeze time for a block, restoring the previous clock afterwards."""
    previous = _clock
    clock = FrozenClock(at)
    use(clock)
    try:
        yield clock
    finally:
        use(previous)

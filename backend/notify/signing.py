"""Webhook signatures: how Onward signs, and how a receiver verifies (with replay protection).

Onward sends `X-Onward-Timestamp: <unix seconds>` and
`X-Onward-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>`.
A receiver must (docs/notifications.md):
1. recompute the HMAC over the raw body bytes and compare in constant time;
2. reject a timestamp more than 5 minutes from its own clock (old captures are useless);
3. remember the signatures it accepted for those 5 minutes and reject a repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from datetime import datetime

TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Onward-Signature value for this timestamp and body."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class ReplayGuard:
    """Signatures accepted within the tolerance window; thread-safe, bounded by that window."""

    def __init__(self, tolerance: int = TOLERANCE_SECONDS):
        self.tolerance = tolerance
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()

    def first_time(self, sig: str, timestamp: int, now: int) -> bool:
        """Record `sig`; False if it was already seen (a replay)."""
        with self._lock:
            for old in [s for s, ts in self._seen.items() if now - ts > self.tolerance]:
                del self._seen[old]
            if sig in self._seen:
                return False
            self._seen[sig] = timestamp
            return True


def verify(
    secret: str,
    headers: dict,
    body: bytes,
    now: datetime,
    guard: ReplayGuard,
) -> str | None:
    """None if the request is authentic and fresh; otherwise the reason to reject it."""
    timestamp = headers.get("X-Onward-Timestamp", "")
    given = headers.get("X-Onward-Signature", "")
    if not timestamp.isdigit() or not given:
        return "missing signature headers"
    if not hmac.compare_digest(signature(secret, timestamp, body), given):
        return "bad signature"
    current = int(now.timestamp())
    if abs(current - int(timestamp)) > guard.tolerance:
        return "stale timestamp"
    if not guard.first_time(given, int(timestamp), current):
        return "replayed"
    return None

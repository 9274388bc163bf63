"""The status of a session day as the patient and the care team see it: one rule, one place.

Stored statuses (`exercise_sessions.status`) say what was planned or logged; the shown status
adds `missed`: a planned session whose day is over without a log. A `blocked` day (a red flag:
no session was offered) stays `blocked`, never `missed` (not the patient's miss) nor `rest`.
"""

from __future__ import annotations

from datetime import date

LOGGED = ("completed", "partial", "stopped")


def shown_status(stored: str, on: date, today: date) -> str:
    """`stored` for the day `on`, as shown on `today` (the patient's local date)."""
    if stored == "planned" and on < today:
        return "missed"
    return stored

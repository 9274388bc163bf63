"""Effort scales in plain Python: what the web process needs per value, without numpy or pandas.

``ml.dataio`` converts whole columns with the same table (``np.interp``); the service converts
one rating at a time here, so serving a session never loads the data stack.
"""

from __future__ import annotations

from bisect import bisect_right

# Display mapping Borg 6-20 -> CR-10 by matching verbal anchors (6 "no exertion" = 0,
# 7 "extremely light" = 0.5, 9 "very light" = 1, 11 "light" = 2, 13 "somewhat hard" = 3,
# 15 "hard" = 5, 17 "very hard" = 7, 19 "extremely hard" = 9, 20 "maximal" = 10), linear
# in between. A documented convention so both scales share one load unit, not a validated
# psychophysical conversion.
BORG_TO_CR10 = (
    (6, 0.0),
    (7, 0.5),
    (9, 1.0),
    (11, 2.0),
    (13, 3.0),
    (15, 5.0),
    (17, 7.0),
    (19, 9.0),
    (20, 10.0),
)
_XS = tuple(x for x, _ in BORG_TO_CR10)


def borg_value_to_cr10(value: float) -> float:
    """One Borg 6-20 rating on CR-10: linear between anchors, clamped at the ends (as np.interp)."""
    value = float(value)
    if value <= _XS[0]:
        return BORG_TO_CR10[0][1]
    if value >= _XS[-1]:
        return BORG_TO_CR10[-1][1]
    i = bisect_right(_XS, value)
    (x0, y0), (x1, y1) = BORG_TO_CR10[i - 1], BORG_TO_CR10[i]
    return y0 + (y1 - y0) * (value - x0) / (x1 - x0)

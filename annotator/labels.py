"""The reliability scale's labels, and the one rule for rounding a fractional rating.

Medians of an even number of ratings fall on half steps (2.5). Pages, the admin, the API and
the exports all name such a median, and they used to disagree: Python's ``round`` rounds half
to even (2.5 → 2, "Unreliable") while the exports rounded half up (2.5 → 3, "Unverified /
mixed"). Everything now asks this module. It imports nothing from the project, so the model's
``Reliability`` choices can be built from the same table.
"""

import math

RELIABILITY_LABELS: dict[int, str] = {
    1: "Fabricated / false",
    2: "Unreliable",
    3: "Unverified / mixed",
    4: "Mostly reliable",
    5: "Reliable",
}


def round_rating(value: float) -> int:
    """Round half up onto the scale: 2.5 → 3, 1.5 → 2 (never Python's half-to-even)."""
    return min(5, max(1, math.floor(value + 0.5)))


def reliability_label(value: float | None) -> str | None:
    """The label of a (possibly fractional) rating, or None when there is no rating."""
    if value is None:
        return None
    return RELIABILITY_LABELS[round_rating(value)]

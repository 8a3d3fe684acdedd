"""Export formats as generator functions over rows (dicts): JSON Lines, JSON, CSV, JSON-LD."""

import math

from annotator.models import Reliability


def reliability_label(value: float | None) -> str | None:
    """The label of a (possibly fractional) median rating: rounded half up to the scale."""
    if value is None:
        return None
    return Reliability(min(5, max(1, math.floor(value + 0.5)))).label

"""The reliability scale's labels, and the one rule for rounding a fractional rating.

Medians of an even number of ratings fall on half steps (2.5). Pages, the admin, the API and
the exports all name such a median, and they used to disagree: Python's ``round`` rounds half
to even (2.5 → 2, "Unreliable") while the exports rounded half up (2.5 → 3, "Unverified /
mixed"). Everything now asks this module. It imports nothing from the project, so the model's
``Reliability`` choices can be built from the same table.

The table is English: the API and the exports name ratings in English whatever the reader's
language. Pages translate at display time (``translated_label``, ``translated_choices``); the
translations live in the catalogues (locale/), not in a second table.
"""

import math

from django.utils.translation import gettext, gettext_noop

RELIABILITY_LABELS: dict[int, str] = {
    1: gettext_noop("Fabricated / false"),
    2: gettext_noop("Unreliable"),
    3: gettext_noop("Unverified / mixed"),
    4: gettext_noop("Mostly reliable"),
    5: gettext_noop("Reliable"),
}


def round_rating(value: float) -> int:
    """Round half up onto the scale: 2.5 → 3, 1.5 → 2 (never Python's half-to-even)."""
    return min(5, max(1, math.floor(value + 0.5)))


def reliability_label(value: float | None) -> str | None:
    """The label of a (possibly fractional) rating, or None when there is no rating."""
    if value is None:
        return None
    return RELIABILITY_LABELS[round_rating(value)]


def translated_label(value: float | None) -> str | None:
    """``reliability_label`` in the active interface language (for pages, not exports)."""
    label = reliability_label(value)
    return None if label is None else gettext(label)


def translated_choices() -> list[tuple[int, str]]:
    """(value, label) for the whole scale, labels in the active interface language."""
    return [(value, gettext(label)) for value, label in RELIABILITY_LABELS.items()]

"""How much reviewers agree: Krippendorff's alpha and per-reviewer calibration.

Reliability data is built from counted annotations (active, reviewer not suspended). A *unit*
is a passage by default (``unit="span"``: an exact span); each reviewer gives at most one
value per unit: the lower median of their ratings there, as in consensus. Ratings use the
ordinal metric, flags the nominal metric on raised (1) / not raised (0) among the reviewers
who annotated the unit. Missing values are allowed. The computation itself is the
``krippendorff`` package (checked against Krippendorff's published examples in the tests).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Mapping
from statistics import mean, median

import krippendorff
import numpy as np

from .consensus import Judgment, ReviewerVoice, load_judgments, reviewer_voices
from .models import Annotation, Document, Source, User
from .visibility import countable_annotations

UNITS = ("passage", "span")


def krippendorff_alpha(
    units: Mapping[Hashable, Mapping[Hashable, float]], level: str = "ordinal"
) -> dict:
    """Alpha for ``units`` (unit -> {coder: value}); missing values are simply absent.

    Returns ``{"alpha": float | None, "units": int, "pairable_values": int, "coders": int}``,
    where ``units`` counts units with at least two values (the only ones that can be paired)
    and ``pairable_values`` the values in them. ``alpha`` is None, with a ``reason``, when it is
    undefined: fewer than two pairable values, or no variation at all in the values.
    """
    coders = sorted({coder for values in units.values() for coder in values}, key=str)
    pairable = [values for values in units.values() if len(values) >= 2]
    result = {
        "alpha": None,
        "units": len(pairable),
        "pairable_values": sum(len(values) for values in pairable),
        "coders": len(coders),
    }
    if not pairable:
        result["reason"] = "no unit has values from two or more reviewers"
        return result
    if len({value for values in pairable for value in values.values()}) < 2:
        result["reason"] = "all values are identical, so agreement is undefined"
        return result
    position = {coder: index for index, coder in enumerate(coders)}
    data = np.full((len(coders), len(pairable)), np.nan)
    for column, values in enumerate(pairable):
        for coder, value in values.items():
            data[position[coder], column] = value
    value = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    result["alpha"] = None if math.isnan(value) else round(float(value), 4)
    return result


def _unit_key(judgment: Judgment, unit: str):
    if unit == "span":
        return (judgment.document_id, judgment.start, judgment.end)
    return judgment.passage_id if judgment.passage_id is not None else ("doc", judgment.document_id)


def unit_voices(judgments: list[Judgment], unit: str = "passage") -> dict:
    """unit -> {reviewer_id: ReviewerVoice}."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, not {unit!r}")
    grouped: dict = defaultdict(list)
    for judgment in judgments:
        grouped[_unit_key(judgment, unit)].append(judgment)
    return {key: reviewer_voices(members) for key, members in grouped.items()}


def agreement(judgments: list[Judgment], unit: str = "passage") -> dict:
    """Ordinal alpha on ratings and nominal alpha per flag over these judgments.

    Shape::

        {"unit": "passage", "level": "ordinal", "alpha": 0.815 | None, "units": 12,
         "pairable_values": 40, "coders": 4, "reviewers": 4, "annotations": 41,
         "flags": {"unsupported-claim": {"alpha": ..., "units": ..., "pairable_values": ...,
                                         "coders": ...}, ...}}
    """
    voices = unit_voices(judgments, unit)
    ratings = {
        key: {reviewer: voice.rating for reviewer, voice in by.items() if voice.rating is not None}
        for key, by in voices.items()
    }
    slugs = sorted(
        {slug for by in voices.values() for voice in by.values() for slug in voice.flags}
    )
    flags = {
        slug: krippendorff_alpha(
            {
                key: {reviewer: int(slug in voice.flags) for reviewer, voice in by.items()}
                for key, by in voices.items()
            },
            level="nominal",
        )
        for slug in slugs
    }
    return {
        "unit": unit,
        "level": "ordinal",
        **krippendorff_alpha(ratings, level="ordinal"),
        "reviewers": len({judgment.reviewer_id for judgment in judgments}),
        "annotations": len(judgments),
        "flags": flags,
    }


def _judgments(queryset, viewer) -> list[Judgment]:
    """Only what ``viewer`` may see feeds a figure shown to them (``None``: everything)."""
    return load_judgments(countable_annotations(viewer, queryset))


def document_agreement(document: Document, unit: str = "passage", *, viewer=None) -> dict:
    """Agreement within one document (any revision). See :func:`agreement` for the shape.

    ``viewer``: the user the figures are for, computed only from what they may see (blind
    review); ``None`` for moderation tools and commands (everything).
    """
    return agreement(_judgments(Annotation.objects.filter(document=document), viewer), unit)


def source_agreement(source: Source, unit: str = "passage", *, viewer=None) -> dict:
    """Agreement over the current documents of a source (``viewer`` as above)."""
    queryset = Annotation.objects.filter(document__source=source, document__is_current=True)
    return agreement(_judgments(queryset, viewer), unit)


def corpus_agreement(unit: str = "passage", *, viewer=None) -> dict:
    """Agreement over every current document (``viewer`` as above)."""
    queryset = Annotation.objects.filter(document__is_current=True)
    return agreement(_judgments(queryset, viewer), unit)


def _calibrate(
    own: ReviewerVoice, others: list[ReviewerVoice], figures: dict, min_others: int
) -> None:
    other_ratings = [voice.rating for voice in others if voice.rating is not None]
    if own.rating is not None and len(other_ratings) >= min_others:
        figures["differences"].append(own.rating - median(other_ratings))
    raised = set(own.flags).union(*(voice.flags for voice in others))
    for slug in raised:
        share = sum(slug in voice.flags for voice in others) / len(others)
        if share == 0.5:
            continue  # the others are split: no majority to agree with
        figures["flag_decisions"] += 1
        figures["flag_matches"] += (slug in own.flags) == (share > 0.5)


def reviewer_calibration(
    *, documents=None, unit: str = "passage", min_others: int = 2
) -> list[dict]:
    """Each reviewer against the consensus of the others (leave-one-out), for moderators.

    For every unit the reviewer judged alongside at least ``min_others`` other reviewers, their
    rating is compared with the median of the others' ratings, and each flag anyone raised there
    with the majority of the others (ties skipped). Suspended reviewers and hidden or withdrawn
    annotations are left out entirely. ``documents`` narrows the scope (default: current ones).

    One dict per reviewer, sorted by username::

        {"reviewer_id": 3, "username": "alice", "units": 12,   # units with a rating compared
         "mean_absolute_difference": 0.42, "within_one_step": 0.92, "exact_agreement": 0.58,
         "bias": -0.17,                    # mean signed difference: < 0 = harsher than others
         "flag_decisions": 9, "flag_agreement": 0.89,
         "comparisons": 21,                # rating comparisons + flag decisions
         "agreement": 0.9}                 # share of those agreeing with the others: ratings
                                           # within one step, flags matching the majority

    Figures are None when there is nothing to compare.
    """
    queryset = Annotation.objects.filter(document__is_current=True)
    if documents is not None:
        queryset = Annotation.objects.filter(document__in=documents)
    voices = unit_voices(load_judgments(queryset), unit)
    figures: dict[int, dict] = defaultdict(
        lambda: {"differences": [], "flag_decisions": 0, "flag_matches": 0}
    )
    for by in voices.values():
        for reviewer, own in by.items():
            entry = figures[reviewer]
            others = [voice for other, voice in by.items() if other != reviewer]
            if len(others) >= min_others:
                _calibrate(own, others, entry, min_others)
    names = dict(User.objects.filter(pk__in=figures).values_list("pk", "username"))
    report = []
    for reviewer, entry in figures.items():
        differences = entry["differences"]
        decisions = entry["flag_decisions"]
        comparisons = len(differences) + decisions
        agreeing = sum(abs(d) <= 1 for d in differences) + entry["flag_matches"]
        report.append(
            {
                "reviewer_id": reviewer,
                "username": names.get(reviewer, ""),
                "units": len(differences),
                "mean_absolute_difference": _rounded(mean(abs(d) for d in differences))
                if differences
                else None,
                "within_one_step": _rounded(mean(abs(d) <= 1 for d in differences))
                if differences
                else None,
                "exact_agreement": _rounded(mean(d == 0 for d in differences))
                if differences
                else None,
                "bias": _rounded(mean(differences)) if differences else None,
                "flag_decisions": decisions,
                "flag_agreement": _rounded(entry["flag_matches"] / decisions)
                if decisions
                else None,
                "comparisons": comparisons,
                "agreement": _rounded(agreeing / comparisons) if comparisons else None,
            }
        )
    return sorted(report, key=lambda item: (item["username"], item["reviewer_id"]))


def _rounded(value: float) -> float:
    return round(float(value), 4)

"""Calibrated confidence: a detector's raw score replaced by its measured precision.

Each detector gives a raw score from its own rules (0.9 for a quotation in marks, 0.75 for
reported speech, …). ``calibration.json`` maps (detector, raw score) to the share of such
suggestions that matched a gold span on the DEV half of the held-out set, smoothed as
``(matched + 1) / (suggested + 2)`` so that a handful of examples cannot claim certainty. A raw
score not in the table keeps its value. ``manage.py calibrate_suggestions`` rebuilds the table.
"""

import json
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from .detectors import Candidate

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


def _key(confidence: float) -> str:
    return f"{confidence:.2f}"


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, float]]:
    if not CALIBRATION_FILE.exists():
        return {}
    data = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    return {
        detector: {raw: row["calibrated"] for raw, row in rows.items()}
        for detector, rows in data["detectors"].items()
    }


def calibrate(candidates: Iterable[Candidate]) -> list[Candidate]:
    """The candidates with their confidence replaced by the calibrated one, where known."""
    table = _table()
    out = []
    for candidate in candidates:
        calibrated = table.get(candidate.detector, {}).get(_key(candidate.confidence))
        out.append(candidate if calibrated is None else replace(candidate, confidence=calibrated))
    return out


def build_table(documents, raw_suggest, matches) -> dict:
    """Count, per detector and raw score, suggestions that match a gold span of the document."""
    counts: dict[str, dict[str, list[int]]] = {}
    for document in documents:
        for candidate in raw_suggest(document.text):
            row = counts.setdefault(candidate.detector, {}).setdefault(
                _key(candidate.confidence), [0, 0]
            )
            row[0] += 1
            row[1] += int(any(matches(candidate, gold) for gold in document.spans))
    return {
        "measured_on": "tests/data/heldout/dev.txt",
        "smoothing": "(matched + 1) / (suggested + 2)",
        "detectors": {
            detector: {
                raw: {
                    "suggested": suggested,
                    "matched": matched,
                    "calibrated": round((matched + 1) / (suggested + 2), 2),
                }
                for raw, (suggested, matched) in sorted(rows.items())
            }
            for detector, rows in sorted(counts.items())
        },
    }


def reload() -> None:
    _table.cache_clear()

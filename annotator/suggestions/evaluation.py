"""Score the detectors against hand-annotated gold spans: precision and recall per detector.

Gold file: JSON Lines, one span a line: ``{"document": ORIGIN_OR_ID, "start": int, "end": int,
"flag": slug}`` (extra keys such as ``exact`` and ``note`` are allowed; ``exact``, when given, must
equal the document text at the offsets). ``document`` is the document's ``origin`` (e.g. the seed
file name ``000_36e9ef5468f0e781.txt``, resolved to its current revision) or a numeric id.

Span matching rule: a prediction and a gold span match when they are in the same document, carry
the same flag, and overlap by at least half of the shorter of the two spans. Matching is
one-to-one (greedy, largest overlap first), so one long prediction cannot claim several gold
spans. Each detector proposes one flag; a detector is scored on the gold spans of its flag.
Only documents named in the gold file are evaluated.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..models import Document
from .detectors import DETECTOR_FLAGS
from .engine import suggest

MIN_OVERLAP_OF_SHORTER = 0.5


class GoldFileError(Exception):
    """The gold file cannot be used; the message names the line and the problem."""


@dataclass(frozen=True)
class Span:
    document: str
    start: int
    end: int
    flag: str


@dataclass
class DetectorScore:
    detector: str
    flag: str
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    exact_boundaries: int = 0

    @property
    def precision(self) -> float | None:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else None

    @property
    def recall(self) -> float | None:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else None

    def as_dict(self) -> dict:
        return {
            "detector": self.detector,
            "flag": self.flag,
            "tp": self.true_positives,
            "fp": self.false_positives,
            "fn": self.false_negatives,
            "exact": self.exact_boundaries,
            "precision": self.precision,
            "recall": self.recall,
        }


def read_gold(path: Path) -> list[dict]:
    """Parse the gold file; raise ``GoldFileError`` naming the first bad line."""
    try:
        raw_lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise GoldFileError(f"{path}: cannot read ({error}).") from error
    items = []
    for number, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as error:
            raise GoldFileError(f"{path}:{number}: not JSON ({error}).") from None
        if not isinstance(item, dict):
            raise GoldFileError(f"{path}:{number}: each line must be a JSON object.")
        for key, kind in (("document", (str, int)), ("start", int), ("end", int), ("flag", str)):
            if not isinstance(item.get(key), kind) or isinstance(item.get(key), bool):
                raise GoldFileError(f"{path}:{number}: missing or invalid '{key}'.")
        if not 0 <= item["start"] < item["end"]:
            raise GoldFileError(f"{path}:{number}: need 0 <= start < end.")
        item["line"] = number
        items.append(item)
    return items


def _resolve_document(reference) -> Document | None:
    if isinstance(reference, int) or str(reference).isdigit():
        return Document.objects.filter(pk=int(reference)).first()
    return Document.objects.current().filter(origin=reference).order_by("-id").first()


def gold_spans_and_predictions(
    gold_items: list[dict], path: Path | str = "gold"
) -> tuple[list[Span], list[tuple[Span, str]]]:
    """Resolve gold documents and run the detectors on each one once."""
    bodies: dict[str, str] = {}
    gold: list[Span] = []
    for item in gold_items:
        key = str(item["document"])
        if key not in bodies:
            document = _resolve_document(item["document"])
            if document is None:
                raise GoldFileError(f"{path}:{item['line']}: no document {key!r}.")
            bodies[key] = document.body
        body = bodies[key]
        if item["end"] > len(body):
            raise GoldFileError(f"{path}:{item['line']}: end is past the end of {key!r}.")
        exact = item.get("exact")
        if exact is not None and body[item["start"] : item["end"]] != exact:
            raise GoldFileError(
                f"{path}:{item['line']}: 'exact' does not match the text of {key!r} at "
                f"{item['start']}–{item['end']}: {body[item['start'] : item['end']]!r}."
            )
        gold.append(Span(key, item["start"], item["end"], item["flag"]))
    predictions = [
        (Span(key, c.start, c.end, c.flag), c.detector)
        for key, body in bodies.items()
        for c in suggest(body)
    ]
    return gold, predictions


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def _matches(prediction: Span, gold: Span) -> bool:
    if prediction.document != gold.document or prediction.flag != gold.flag:
        return False
    shorter = min(prediction.end - prediction.start, gold.end - gold.start)
    return _overlap(prediction, gold) >= MIN_OVERLAP_OF_SHORTER * shorter


def score(
    gold: Iterable[Span],
    predictions: Iterable[tuple[Span, str]],
    detector_flags: dict[str, str] = DETECTOR_FLAGS,
) -> list[DetectorScore]:
    """Per-detector TP/FP/FN under the overlap rule in the module docstring."""
    gold = list(gold)
    predictions = list(predictions)
    scores = []
    for detector, flag in detector_flags.items():
        mine = [span for span, name in predictions if name == detector]
        wanted = [span for span in gold if span.flag == flag]
        pairs = sorted(
            (
                (_overlap(p, g), i, j)
                for i, p in enumerate(mine)
                for j, g in enumerate(wanted)
                if _matches(p, g)
            ),
            reverse=True,
        )
        used_predictions: set[int] = set()
        used_gold: set[int] = set()
        result = DetectorScore(detector, flag)
        for _, i, j in pairs:
            if i in used_predictions or j in used_gold:
                continue
            used_predictions.add(i)
            used_gold.add(j)
            result.true_positives += 1
            if (mine[i].start, mine[i].end) == (wanted[j].start, wanted[j].end):
                result.exact_boundaries += 1
        result.false_positives = len(mine) - len(used_predictions)
        result.false_negatives = len(wanted) - len(used_gold)
        scores.append(result)
    return scores


def evaluate_gold_file(path: Path) -> list[DetectorScore]:
    gold, predictions = gold_spans_and_predictions(read_gold(path), path)
    return score(gold, predictions)


def format_table(scores: list[DetectorScore]) -> str:
    def figure(value: float | None) -> str:
        return "   -" if value is None else f"{value:.2f}"

    header = f"{'detector':<22} {'flag':<20} {'TP':>4} {'FP':>4} {'FN':>4} {'exact':>5} "
    header += f"{'precision':>9} {'recall':>6}"
    rows = [header, "-" * len(header)]
    total = DetectorScore("all", "")
    for item in scores:
        rows.append(
            f"{item.detector:<22} {item.flag:<20} {item.true_positives:>4} "
            f"{item.false_positives:>4} {item.false_negatives:>4} {item.exact_boundaries:>5} "
            f"{figure(item.precision):>9} {figure(item.recall):>6}"
        )
        total.true_positives += item.true_positives
        total.false_positives += item.false_positives
        total.false_negatives += item.false_negatives
        total.exact_boundaries += item.exact_boundaries
    rows.append("-" * len(header))
    rows.append(
        f"{'all':<22} {'':<20} {total.true_positives:>4} {total.false_positives:>4} "
        f"{total.false_negatives:>4} {total.exact_boundaries:>5} "
        f"{figure(total.precision):>9} {figure(total.recall):>6}"
    )
    return "\n".join(rows)


def score_texts(documents: Iterable, threshold: float = 0.0) -> dict[str, list[DetectorScore]]:
    """Score the detectors on in-memory documents (``.id``, ``.language``, ``.text``, ``.spans``).

    Returns scores for ``"all"`` and for each language present. Only suggestions whose
    confidence is at least ``threshold`` count: that is what reviewers are shown.
    """
    by_language: dict[str, tuple[list, list]] = {}
    for document in documents:
        predictions = [
            (Span(document.id, c.start, c.end, c.flag), c.detector)
            for c in suggest(document.text)
            if c.confidence >= threshold
        ]
        for key in ("all", document.language):
            gold, found = by_language.setdefault(key, ([], []))
            gold.extend(document.spans)
            found.extend(predictions)
    return {key: score(gold, found) for key, (gold, found) in by_language.items()}

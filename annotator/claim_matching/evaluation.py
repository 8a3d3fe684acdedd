"""Recall@5 and MRR of claim matching on the held-out claim set (tests/data/heldout/claims.jsonl).

Each line is a claim (text, language, ``split`` dev or test) with its true appearances, written
in the other languages. The corpus searched is every appearance of every claim plus, as
distractors, the sentence units of the seeds and of the held-out suggestion documents. For each
appearance, its rank is taken among the corpus units of its own language (the service ranks
each language on its own), scored as the service scores: cosine plus the signals bonus.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..suggestions.heldout import read_heldout
from . import encoder, signals
from .index import MAX_EMBEDDED_CHARACTERS, sentence_units

HELDOUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "heldout"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@dataclass
class ClaimScores:
    split: str
    claims: int
    appearances: int
    recall_at_5: float
    mrr: float
    per_language: dict


def _distractors() -> list[tuple[str, str]]:
    units: list[tuple[str, str]] = []
    metadata = json.loads((SEEDS / "metadata.json").read_text(encoding="utf-8"))
    for name, meta in sorted(metadata.items()):
        text = (SEEDS / name).read_text(encoding="utf-8")
        units += [(meta["language"], text[s:e]) for s, e in sentence_units(text)]
    for half in ("dev.txt", "test.txt"):
        for document in read_heldout(HELDOUT / half):
            text = document.text
            units += [(document.language, text[s:e]) for s, e in sentence_units(text)]
    return units


def evaluate(split: str, path: Path = HELDOUT / "claims.jsonl") -> ClaimScores:
    claims = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    corpus: list[tuple[str, str]] = []
    targets: list[list[int]] = []
    for claim in claims:
        rows = []
        for appearance in claim["appearances"]:
            rows.append(len(corpus))
            corpus.append((appearance["language"], appearance["text"]))
        targets.append(rows)
    corpus += _distractors()
    languages = np.array([language for language, _ in corpus])
    vectors = encoder.embed([text[:MAX_EMBEDDED_CHARACTERS] for _, text in corpus])
    features = [signals.extract(text) for _, text in corpus]
    ranks: list[tuple[str, int]] = []
    chosen = [(c, t) for c, t in zip(claims, targets, strict=True) if c["split"] == split]
    for claim, rows in chosen:
        query = encoder.embed([claim["text"]])[0]
        query_signals = signals.extract(claim["text"])
        scores = vectors @ query + np.array([signals.bonus(query_signals, f) for f in features])
        for row in rows:
            same = languages == languages[row]
            rank = int((scores[same] > scores[row]).sum()) + 1
            ranks.append((str(languages[row]), rank))
    per_language = {}
    for language in sorted({language for language, _ in ranks}):
        mine = [rank for lang, rank in ranks if lang == language]
        per_language[language] = {
            "appearances": len(mine),
            "recall_at_5": round(sum(r <= 5 for r in mine) / len(mine), 3),
            "mrr": round(sum(1 / r for r in mine) / len(mine), 3),
        }
    all_ranks = [rank for _, rank in ranks]
    return ClaimScores(
        split=split,
        claims=len(chosen),
        appearances=len(all_ranks),
        recall_at_5=round(sum(r <= 5 for r in all_ranks) / len(all_ranks), 3),
        mrr=round(sum(1 / r for r in all_ranks) / len(all_ranks), 3),
        per_language=per_language,
    )

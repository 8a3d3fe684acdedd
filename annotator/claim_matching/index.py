"""Store a document's sentence embeddings on import, and search them all quickly.

Search keeps every current document's int8 vectors in one numpy matrix per process (512 bytes a
sentence: 100,000 sentences take 51 MB), rebuilt when the stored rows change, and scores a query
with one matrix product in chunks, so memory stays bounded by the matrix plus one chunk. Past a
few million sentences, move the vectors to PostgreSQL's pgvector (docs/claim-matching.md).
"""

import threading
from dataclasses import dataclass

import numpy as np
import regex
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Sum

from ..models import Document, PassageEmbedding
from ..suggestions.sentences import sentence_spans
from . import encoder, signals

MIN_UNIT_CHARACTERS = 4
MAX_EMBEDDED_CHARACTERS = 400
CHUNK_ROWS = 16_384


_CLAUSE_BREAK = regex.compile(r"[，,；;]")


def sentence_units(text: str) -> list[tuple[int, int]]:
    """Sentences worth embedding, and the clauses of Chinese sentences: (start, end) spans.

    Chinese run-on sentences join several statements with commas ("1958年…撤離北韓,毛主席卻說:
    好戲開始嘍"); a claim usually matches one clause, so each clause is a unit too.
    """
    units = []
    for start, end in sentence_spans(text):
        if end - start < MIN_UNIT_CHARACTERS:
            continue
        units.append((start, end))
        sentence = text[start:end]
        if not regex.search(r"\p{Han}", sentence):
            continue
        clauses, clause_start = [], start
        for match in _CLAUSE_BREAK.finditer(sentence):
            clauses.append((clause_start, start + match.start()))
            clause_start = start + match.end()
        clauses.append((clause_start, end))
        if len(clauses) > 1:
            units.extend((s, e) for s, e in clauses if e - s >= MIN_UNIT_CHARACTERS)
    return units


def index_document(document: Document) -> int:
    """Embed and store every sentence of ``document`` (replacing earlier rows); return count."""
    units = sentence_units(document.body)
    texts = [document.body[s:e][:MAX_EMBEDDED_CHARACTERS] for s, e in units]
    vectors = encoder.embed(texts) if texts else np.zeros((0, encoder.DIMENSIONS))
    rows = [
        PassageEmbedding(
            document=document,
            start=s,
            end=e,
            language=document.language,
            vector=encoder.to_bytes(vector),
            signals=signals.extract(text),
        )
        for (s, e), text, vector in zip(units, texts, vectors, strict=True)
    ]
    with transaction.atomic():
        PassageEmbedding.objects.filter(document=document).delete()
        PassageEmbedding.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def index_on_import(document: Document) -> None:
    """The import hook: unless ``CLAIM_EMBED_ON_IMPORT`` is off, a job for the worker embeds the
    new document (claim candidates include it once the job has run)."""
    if settings.ANNOTATOR["CLAIM_EMBED_ON_IMPORT"]:
        from .tasks import embed_document  # the job module imports this one

        embed_document.enqueue(document.pk)


@dataclass
class Hit:
    row: int
    cosine: float


class VectorIndex:
    """All current sentences' vectors in memory, with their document, span and signals."""

    def __init__(self, rows: list[tuple]):
        columns = list(zip(*rows, strict=True)) if rows else [()] * 6
        document_ids, starts, ends, languages, vectors, features = columns
        self.codes = np.frombuffer(b"".join(bytes(v) for v in vectors), dtype=np.int8).reshape(
            len(rows), encoder.DIMENSIONS
        )
        self.documents = np.array(document_ids, dtype=np.int64)
        self.starts = np.array(starts, dtype=np.int64)
        self.ends = np.array(ends, dtype=np.int64)
        self.languages: list[str] = list(languages)
        self.signals: list[dict] = [f or {} for f in features]
        self._language_rows = None

    def __len__(self) -> int:
        return len(self.documents)

    def cosines(self, queries: np.ndarray) -> np.ndarray:
        """Max cosine of each stored sentence to any query vector, chunk by chunk."""
        out = np.empty(len(self), dtype=np.float32)
        query_codes = queries.T.astype(np.float32) / 127.0
        for offset in range(0, len(self), CHUNK_ROWS):
            chunk = self.codes[offset : offset + CHUNK_ROWS].astype(np.float32)
            out[offset : offset + CHUNK_ROWS] = (chunk @ query_codes).max(axis=1)
        return out

    def top(self, queries: np.ndarray, count: int, allowed=None) -> list[Hit]:
        """The ``count`` best rows by cosine in each language (``allowed(row)`` may veto).

        Per language, because a sentence in the query's own language that merely shares its
        topic scores higher than a translation of the claim: ranking each language on its own
        is what lets the Chinese statement of an English claim surface.
        """
        if not len(self):
            return []
        scores = self.cosines(queries)
        hits: list[Hit] = []
        for language_rows in self.language_rows().values():
            hits.extend(self._top_rows(scores, language_rows, count, allowed))
        return sorted(hits, key=lambda hit: -hit.cosine)

    def language_rows(self) -> dict[str, np.ndarray]:
        if self._language_rows is None:
            languages = np.array(self.languages)
            self._language_rows = {
                language: np.flatnonzero(languages == language) for language in set(languages)
            }
        return self._language_rows

    @staticmethod
    def _top_rows(scores, rows, count, allowed) -> list[Hit]:
        scores = scores[rows]
        hits: list[Hit] = []
        pool = min(len(scores), max(count * 4, 64))
        while True:
            best = np.argpartition(-scores, pool - 1)[:pool]
            ordered = best[np.argsort(-scores[best])]
            hits = [
                Hit(int(rows[r]), float(scores[r]))
                for r in ordered
                if allowed is None or allowed(int(rows[r]))
            ]
            if len(hits) >= count or pool == len(scores):
                return hits[:count]
            pool = min(len(scores), pool * 4)


_cache_lock = threading.Lock()
_cache: dict = {"stamp": None, "index": None}


def _stamp() -> tuple:
    figures = PassageEmbedding.objects.filter(document__is_current=True).aggregate(
        count=Count("id"), first=Min("id"), last=Max("id"), documents=Sum("document_id")
    )
    return tuple(figures.values())


def current_index() -> VectorIndex:
    """The process's index of current documents' sentences, rebuilt when rows changed."""
    stamp = _stamp()
    with _cache_lock:
        if _cache["stamp"] != stamp:
            rows = PassageEmbedding.objects.filter(document__is_current=True).values_list(
                "document_id", "start", "end", "language", "vector", "signals"
            )
            _cache["index"] = VectorIndex(list(rows.iterator(chunk_size=5000)))
            _cache["stamp"] = stamp
        return _cache["index"]

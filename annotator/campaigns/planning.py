"""The assignment plan: which reviewers get which passage. Pure and deterministic.

Greedy least-loaded: passages are taken in reading order (document id, passage index) and each
gets the ``overlap`` reviewers with the fewest assignments so far; among equally loaded
reviewers the one who was served longest ago goes first (at the start: username order). With
equal starting loads this is a round-robin, so totals differ by at most one passage: before
each step loads take two adjacent values L and L+1, and giving one passage to each of the
``overlap`` least-loaded reviewers keeps them within two adjacent values. Starting from
unequal loads (reviewers who joined later), the least-loaded are filled first, so the spread
never grows. Passage length is not weighed: a passage is a paragraph, and counts are what
reviewers and their leads can check.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

P = TypeVar("P")


def plan_assignments(
    passages: Iterable[P],
    reviewers: Sequence[tuple[int, int]],
    overlap: int,
) -> Iterator[tuple[P, int]]:
    """Yield ``(passage, reviewer_id)`` for each slot.

    :param passages: passages (any value identifying one) in reading order.
    :param reviewers: ``(reviewer_id, current_load)`` in tie-break order (username order).
    :param overlap: distinct reviewers per passage; at most ``len(reviewers)``.
    """
    if overlap > len(reviewers):
        raise ValueError("overlap is greater than the pool")
    heap = [(load, order, reviewer) for order, (reviewer, load) in enumerate(reviewers)]
    heapq.heapify(heap)
    served = len(heap)
    for passage in passages:
        chosen = [heapq.heappop(heap) for _ in range(overlap)]
        for load, _, reviewer in chosen:
            yield passage, reviewer
            heapq.heappush(heap, (load + 1, served, reviewer))
            served += 1


def least_loaded(candidates: Iterable[tuple[int, int, float | None, str]]) -> int | None:
    """The tie-breaker (or replacement) among ``(reviewer_id, load, calibration, username)``.

    Fewest assignments first, then the best calibrated (unknown calibration last), then the
    username, so that the choice is deterministic and can be explained in one sentence.
    """
    best = min(
        candidates,
        key=lambda row: (row[1], -(row[2] if row[2] is not None else -1.0), row[3]),
        default=None,
    )
    return None if best is None else best[0]

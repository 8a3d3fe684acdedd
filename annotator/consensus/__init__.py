"""Consensus: several reviewers' judgments turned into one summary per group, kept current.

A *group* is a set of annotations judged together:

* ``passage:<passage_id>`` – every annotation whose span starts in the passage;
* ``span:<document_id>:<start>:<end>`` – every annotation on exactly that span;
* ``claim:<claim_id>`` – every annotation linked to the claim, across documents and languages.

Only *counted* annotations take part (active, by a reviewer who is not suspended). Within a group
each reviewer has one voice: their rating is the lower median of their ratings in the group (one
reviewer may rate several spans of a passage, or the same claim in several documents) and they
support a flag if any of their annotations in the group raises it.

Status rule (see docs/consensus.md for the reasoning):

* ``pending`` – fewer distinct reviewers than ``ANNOTATOR["QUORUM"]``;
* ``disputed`` – the interquartile range of the reviewers' ratings is greater than
  ``MAX_AGREED_SPREAD`` steps, or some flag is raised by a share of reviewers strictly between
  ``FLAG_DISPUTE_LOWER`` and ``FLAG_DISPUTE_UPPER``;
* ``agreed`` – otherwise;
* ``adjudicated`` – a moderator decided. The decision overrides the computed status until the
  group's content changes; then the status falls back to the computed one and
  ``adjudication_stale`` is set (the decision stays stored) until a moderator adjudicates again.

Upkeep: :func:`annotation_changed` (``upkeep``) runs inside every annotation write's
transaction; it locks the affected rows (creating them first if needed) in key order, so
concurrent writers on one group serialise and never deadlock, and recomputes each group from its
own annotations, so the cost follows the group size, not the corpus. :func:`recompute_all`
(``rebuild``) rebuilds everything from scratch with the same summarising function. Rows are
never deleted; a group that empties keeps its row with ``reviewer_count`` 0 and status
``pending``. ``updated_at`` moves only when a row's content changes.

The package is split along those seams: ``groups`` (keys and membership), ``summary`` (pure
summarising and the status rule), ``upkeep`` (incremental, locked), ``rebuild`` (from scratch)
and ``reading`` (one row by group). Adjudication is a moderator's action and lives in
``annotator.moderation``; blind review over these rows is ``annotator.visibility``.
"""

from .groups import (
    GroupRef,
    claim_group,
    claim_key,
    group_keys,
    groups_of,
    passage_group,
    passage_key,
    span_group,
    span_key,
)
from .reading import (
    consensus_for_claim,
    consensus_for_document,
    consensus_for_passage,
    consensus_for_span,
)
from .rebuild import RecomputeStats, compute_all_groups, recompute_all
from .summary import (
    COMPUTED_FIELDS,
    CONTENT_FIELDS,
    RATING_SCALE,
    SAVED_FIELDS,
    Judgment,
    ReviewerVoice,
    apply_content,
    as_dict,
    content_of,
    decided_flags,
    decided_reliability,
    effective_status,
    empty_content,
    load_judgments,
    lower_median,
    quantile,
    reviewer_voices,
    summarise,
)
from .upkeep import annotation_changed, refresh_groups, reviewer_status_changed

__all__ = [
    "COMPUTED_FIELDS",
    "CONTENT_FIELDS",
    "RATING_SCALE",
    "SAVED_FIELDS",
    "GroupRef",
    "Judgment",
    "RecomputeStats",
    "ReviewerVoice",
    "annotation_changed",
    "apply_content",
    "as_dict",
    "claim_group",
    "claim_key",
    "compute_all_groups",
    "consensus_for_claim",
    "consensus_for_document",
    "consensus_for_passage",
    "consensus_for_span",
    "content_of",
    "decided_flags",
    "decided_reliability",
    "effective_status",
    "empty_content",
    "group_keys",
    "groups_of",
    "load_judgments",
    "lower_median",
    "passage_group",
    "passage_key",
    "quantile",
    "recompute_all",
    "refresh_groups",
    "reviewer_status_changed",
    "reviewer_voices",
    "span_group",
    "span_key",
    "summarise",
]

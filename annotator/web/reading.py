"""The reading view of one document: passages, highlight segments and what the reviewer may see.

Everything is loaded in a fixed number of queries whatever the size of the document. The
passage markup is built here rather than in a template loop because it is the hot path: a long,
busy document has thousands of passages and segments, and a Django template loop over them
costs seconds where plain string building costs milliseconds. All text goes through
``html.escape`` (quotes included).
"""

import json
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape  # the stdlib one: no lazy-string wrapper, several times faster

from django.db.models import Count, Q, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..models import (
    Annotation,
    AnnotationStatus,
    Consensus,
    ConsensusStatus,
    Document,
    FlagType,
    Passage,
)
from ..suggestions.decisions import suggestions_for_reviewer
from ..visibility import is_blind, visible_annotations, visible_consensus

CONSENSUS_LABELS = dict(ConsensusStatus.choices)
# The words on a passage's consensus badge ("agreed · 3").
CONSENSUS_BADGES = {
    ConsensusStatus.PENDING: gettext_lazy("pending"),
    ConsensusStatus.AGREED: gettext_lazy("agreed"),
    ConsensusStatus.DISPUTED: gettext_lazy("disputed"),
    ConsensusStatus.ADJUDICATED: gettext_lazy("adjudicated"),
}


@dataclass(frozen=True)
class Span:
    """A highlighted range (code points into the document body) and what it stands for."""

    start: int
    end: int
    key: str  # "a<id>" for an annotation, "s<id>" for a suggestion


def split_segments(start: int, end: int, spans: Iterable[Span]) -> list[tuple[int, int, list[str]]]:
    """Cut ``[start, end)`` at every span boundary; each piece lists the spans covering it.

    Overlapping and nested spans become a flat run of non-overlapping segments, so the text can
    be rendered as a sequence of ``<mark>`` elements with no nesting.
    """
    if not spans:
        return [(start, end, [])]
    clipped = [
        (max(span.start, start), min(span.end, end), span.key)
        for span in spans
        if span.start < end and span.end > start
    ]
    points = sorted({start, end, *(s for s, _, _ in clipped), *(e for _, e, _ in clipped)})
    segments = []
    for left, right in zip(points, points[1:], strict=False):
        keys = [key for s, e, key in clipped if s <= left and e >= right]
        segments.append((left, right, keys))
    return segments


def json_for_html(data) -> SafeString:
    """JSON safe to embed in a ``<script type="application/json">`` element.

    Same escaping as Django's ``json_script`` (``<``, ``>``, ``&`` as ``\\uXXXX``) but with
    ``str.replace``, which is much faster than ``str.translate`` on megabytes of JSON.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return mark_safe(text)  # noqa: S308 - no <, > or & left


@dataclass
class PassageRow:
    id: int
    index: int
    start: int
    end: int
    gap_after: str
    own_count: int = 0
    others_count: int = 0
    consensus: dict | None = None  # id, status, reviewer_count, comment_count


@dataclass
class ReadingView:
    document: Document
    passages: list[PassageRow]
    text_html: SafeString
    annotations: list[dict]
    suggestions: list[dict]
    flag_types: list[FlagType]
    blind_review: bool
    own_passage_count: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def annotations_json(self) -> SafeString:
        return json_for_html(self.annotations)

    @property
    def suggestions_json(self) -> SafeString:
        return json_for_html(self.suggestions)


NO_EVIDENCE = {None, "", "[]"}
ANNOTATION_FIELDS = (
    "id",
    "passage_id",
    "reviewer_id",
    "reviewer__username",
    "start",
    "end",
    "reliability",
    "note",
    "evidence_text",
    "claim_id",
    "claim__text",
    "version",
)


def _annotation_data(row: dict, user_id: int, flags: list[str]) -> dict:
    """What the browser needs about one annotation (its text is sliced from the body there).

    Others' notes and evidence are not embedded: on a busy document they made up most of
    the page (2.5 MB for 5,000 annotations). The panel fetches them from the API, through the
    same visibility policy, when a reader opens a highlight. One's own annotations come whole,
    since the panel edits them.
    """
    data = {
        "id": row["id"],
        "passage": row["passage_id"],
        "start": row["start"],
        "end": row["end"],
        "reviewer": {"id": row["reviewer_id"], "username": row["reviewer__username"]},
        "reliability": row["reliability"],
        "flags": flags,
    }
    # Absent rather than null/false: most annotations have no claim and are others'.
    if row["claim_id"]:
        data["claim"] = {"id": row["claim_id"], "text": row["claim__text"]}
    if row["reviewer_id"] != user_id:
        return data
    return {
        **data,
        "is_own": True,
        "note": row["note"],
        # Most annotations have no evidence: skip decoding "[]" thousands of times.
        "evidence": json.loads(row["evidence_text"])
        if row["evidence_text"] not in NO_EVIDENCE
        else [],
        "version": row["version"],
    }


def _passage_markup(body: str, row: PassageRow, spans: list[Span], own_keys: set[str]) -> str:
    parts = []
    for left, right, keys in split_segments(row.start, row.end, spans):
        text = escape(body[left:right])
        if not keys:
            parts.append(text)
            continue
        annotation_ids = [key[1:] for key in keys if key[0] == "a"]
        suggestion_ids = [key[1:] for key in keys if key[0] == "s"]
        classes = "hl"
        if any(key in own_keys for key in keys):
            classes += " hl-own"
        if any(key[0] == "a" and key not in own_keys for key in keys):
            classes += " hl-other"
        if suggestion_ids:
            classes += " hl-suggestion"
        attributes = f' class="{classes}"'
        if annotation_ids:
            attributes += f' data-ann="{" ".join(annotation_ids)}"'
        if suggestion_ids:
            attributes += f' data-sugg="{" ".join(suggestion_ids)}"'
        parts.append(f"<mark{attributes}>{text}</mark>")
    return "".join(parts)


class RowText:
    """The passage rows' interface strings, translated once per page: a thousand rows asked
    gettext eleven thousand times, a tenth of the page's time."""

    def __init__(self):
        # Outside the f-string, where xgettext finds them (it does not read f-string fields).
        title, label = _("You annotated this passage"), _("Annotated by you")
        # The tick is CSS content (.badge-own::before): a lone glyph is not text to check.
        self.own_badge = (
            f'<span class="badge badge-own" title="{escape(title)}">'
            f'<span class="visually-hidden">{escape(label)}</span></span>'
        )
        self.passage = _("Passage %(number)d")
        self.own_passage = _("Passage %(number)d, annotated by you")
        self.discuss = escape(_("Discuss"))
        self.which_passage = _("passage %(number)s")
        self._badges: dict[tuple[str, int], str] = {}
        self._thread_titles: dict[int, str] = {}

    def thread_title(self, comments: int) -> str:
        if comments not in self._thread_titles:
            self._thread_titles[comments] = escape(
                ngettext(
                    "Discussion: %(count)s comment", "Discussion: %(count)s comments", comments
                )
                % {"count": comments}
            )
        return self._thread_titles[comments]

    def consensus_badge(self, status: str, count: int) -> str:
        key = (status, count)
        if key not in self._badges:
            label = CONSENSUS_LABELS.get(status, status)
            title = ngettext(
                "%(status)s: %(count)d reviewer", "%(status)s: %(count)d reviewers", count
            ) % {"status": label, "count": count}
            self._badges[key] = (
                f'<span class="badge status-{escape(status)}" title="{escape(title)}">'
                f"{escape(str(CONSENSUS_BADGES.get(status, status)))} · {count}</span>"
            )
        return self._badges[key]


def _gutter_markup(row: PassageRow, text: RowText) -> str:
    parts = [f'<span class="pnum" aria-hidden="true">{row.index + 1}</span>']
    if row.own_count:
        parts.append(text.own_badge)
    if row.consensus is not None:
        parts.append(text.consensus_badge(row.consensus["status"], row.consensus["reviewer_count"]))
        # The group's thread, next to its consensus: a link to the thread page that reader.js
        # turns into a disclosure loading the thread inline (?fragment=thread).
        comments = row.consensus["comment_count"]
        which = escape(text.which_passage % {"number": row.index + 1})
        parts.append(
            f'<a class="badge badge-thread" href="{_thread_prefix()}{row.consensus["id"]}/" '
            f'data-thread="{row.consensus["id"]}" title="{text.thread_title(comments)}">'
            f'{text.discuss}<span class="visually-hidden"> {which}</span>'
            f" · {comments}</a>"
        )
    # No per-passage "blind" badge: the notice above the text says it once for the page.
    return "".join(parts)


def _thread_prefix() -> str:
    """``/discussions/`` as routed (reverse() once per process, not once per passage)."""
    global _THREAD_PREFIX
    if _THREAD_PREFIX is None:
        _THREAD_PREFIX = reverse("discussion-thread", args=[0]).removesuffix("0/")
    return _THREAD_PREFIX


_THREAD_PREFIX = None


def _row_markup(language: str, row: PassageRow, text: str, words: RowText) -> str:
    number = row.index + 1
    done = " is-done" if row.own_count else ""
    label = (words.own_passage if row.own_count else words.passage) % {"number": number}
    # The passage's consensus status when this reader may see it (the annotation list filters
    # on it); nothing when the group is hidden from them (blind review).
    status = f' data-consensus="{escape(row.consensus["status"])}"' if row.consensus else ""
    # The passage's words are its accessible name; the number is a description (an aria-label
    # on a paragraph is not allowed, and would hide the words from screen readers).
    return (
        f'<div class="passage-row{done}" id="p{row.index}"{status}>'
        f'<div class="gutter"><span class="visually-hidden" id="pl{row.index}">{label}</span>'
        f"{_gutter_markup(row, words)}</div>"
        f'<p class="passage" tabindex="0" lang="{language}" data-passage="{row.id}" '
        f'data-index="{row.index}" data-start="{row.start}" data-end="{row.end}" '
        f'data-gap="{escape(row.gap_after)}" aria-describedby="pl{row.index}">{text}</p></div>\n'
    )


def build_reading_view(document: Document, user) -> ReadingView:
    """Everything the reading view shows, for ``user``, in a constant number of queries."""
    user_id = user.pk  # read once: ``request.user`` is a lazy object, slow in a tight loop
    body = document.body
    passage_rows = list(
        Passage.objects.filter(document=document)
        .order_by("index")
        .values_list("id", "index", "start", "end")
    )
    rows = []
    for position, (pk, index, start, end) in enumerate(passage_rows):
        next_start = passage_rows[position + 1][2] if position + 1 < len(passage_rows) else end
        rows.append(PassageRow(pk, index, start, end, gap_after=body[end:next_start]))
    starts = [row.start for row in rows]

    annotation_rows = list(
        visible_annotations(
            user, Annotation.objects.filter(document=document, status=AnnotationStatus.ACTIVE)
        )
        .order_by("start", "end", "id")
        .annotate(evidence_text=Cast("evidence", TextField()))
        .values(*ANNOTATION_FIELDS)
    )
    flags_by_annotation: dict[int, list[str]] = defaultdict(list)
    for annotation_id, slug in (
        Annotation.flags.through.objects.filter(
            annotation__document=document, annotation__status=AnnotationStatus.ACTIVE
        )
        .order_by("flagtype__sort_order", "flagtype__slug")
        .values_list("annotation_id", "flagtype__slug")
    ):
        flags_by_annotation[annotation_id].append(slug)

    suggestions = list(suggestions_for_reviewer(document, user))
    # Only the passages whose group this user may see (blind review) have a badge.
    consensus_by_passage = {
        row["passage_id"]: row
        for row in visible_consensus(
            user,
            Consensus.objects.filter(kind=Consensus.Kind.PASSAGE, passage__document_id=document.pk),
        )
        .annotate(comment_count=Count("comments", filter=Q(comments__hidden_at__isnull=True)))
        .values("passage_id", "id", "status", "reviewer_count", "comment_count")
    }

    spans_by_row: dict[int, list[Span]] = defaultdict(list)

    def attach(span: Span) -> None:
        first = max(bisect_right(starts, span.start) - 1, 0)
        last = bisect_left(starts, span.end)
        for position in range(first, last):
            if rows[position].end > span.start:
                spans_by_row[position].append(span)

    own_keys: set[str] = set()
    row_of_passage = {row.id: row for row in rows}
    annotation_data = []
    for annotation in annotation_rows:
        key = f"a{annotation['id']}"
        own = annotation["reviewer_id"] == user_id
        if own:
            own_keys.add(key)
        attach(Span(annotation["start"], annotation["end"], key))
        row = row_of_passage.get(annotation["passage_id"])
        if row is not None:
            if own:
                row.own_count += 1
            else:
                row.others_count += 1
        annotation_data.append(
            _annotation_data(annotation, user_id, flags_by_annotation.get(annotation["id"], []))
        )
    for suggestion in suggestions:
        attach(Span(suggestion.start, suggestion.end, f"s{suggestion.pk}"))

    blind = is_blind(user)
    language = escape(document.language)
    markup = []
    words = RowText()
    for position, row in enumerate(rows):
        row.consensus = consensus_by_passage.get(row.id)
        text = _passage_markup(body, row, spans_by_row.get(position, []), own_keys)
        markup.append(_row_markup(language, row, text, words))

    return ReadingView(
        document=document,
        passages=rows,
        text_html=mark_safe("".join(markup)),  # noqa: S308 - every piece escaped above
        annotations=annotation_data,
        suggestions=[
            {
                "id": suggestion.pk,
                "start": suggestion.start,
                "end": suggestion.end,
                "flag": suggestion.flag.slug,
                "flag_label": suggestion.flag.localized_label,
                "reason": suggestion.reason,
                "confidence": suggestion.confidence,
                "detector": suggestion.detector,
            }
            for suggestion in suggestions
        ],
        flag_types=list(FlagType.objects.active()),
        blind_review=blind,
        own_passage_count=sum(1 for row in rows if row.own_count),
    )

"""Incremental pulls carry deletions: a mirror that applies every pull equals a fresh pull.

A property test: Hypothesis draws a random sequence of writes (create, edit, withdraw, hide,
unhide, merge claims); after every step each requester's mirror pulls with its cursor and
must equal a fresh full pull. Requesters: a moderator and a reviewer under blind review.
"""

import json

import pytest
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from annotator.annotations import create_annotation, update_annotation, withdraw_annotation
from annotator.errors import AnnotationInputError, NotAllowedError
from annotator.models import Annotation, AnnotationStatus, Claim
from annotator.moderation import ModerationError, hide_annotations, merge_claims, unhide_annotations


def logged_in(user):
    client = APIClient()
    client.force_login(user)
    return client


class Mirror:
    """A client that keeps a copy: rows upserted by id (or key), tombstones delete."""

    def __init__(self, client, what: str, fmt: str = "jsonl"):
        self.client, self.what, self.fmt = client, what, fmt
        self.rows: dict = {}
        self.cursor = None
        self.tombstones_seen: list[dict] = []

    def _get(self, cursor=None) -> tuple[list[dict], str | None]:
        cache.clear()  # the export throttle counts pulls; this test makes many
        url = f"/api/v1/exports/{self.what}?format={self.fmt}"
        response = self.client.get(url + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.content
        text = b"".join(response.streaming_content).decode("utf-8")
        if self.fmt == "jsonld":
            records = json.loads(text)["first"]["items"]
        else:
            records = [json.loads(line) for line in text.splitlines()]
        return records, response.get("X-Export-Cursor")

    def _key(self, record) -> str:
        if self.fmt == "jsonld":
            return record["id"]
        return record["key"] if self.what == "consensus" else record["id"]

    def _is_tombstone(self, record) -> bool:
        if self.fmt == "jsonld":
            return record["type"] == "Tombstone"
        return "deleted_at" in record

    def pull(self):
        records, cursor = self._get(self.cursor)
        for record in records:
            if self._is_tombstone(record):
                self.tombstones_seen.append(record)
                self.rows.pop(self._key(record), None)
            else:
                self.rows[self._key(record)] = record
        self.cursor = cursor or self.cursor

    def fresh(self) -> dict:
        records, _ = self._get()
        return {self._key(r): r for r in records if not self._is_tombstone(r)}


SPANS = [(0, 0, 12), (0, 4, 20), (1, 0, 10), (1, 2, 15)]  # (passage index, offsets within it)

steps = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.integers(0, 2), st.integers(0, 3), st.integers(1, 5),
                  st.integers(0, 2)),
        st.tuples(st.just("edit"), st.integers(0, 50), st.integers(1, 5)),
        st.tuples(st.just("withdraw"), st.integers(0, 50)),
        st.tuples(st.just("hide"), st.integers(0, 50)),
        st.tuples(st.just("unhide"), st.integers(0, 50)),
        st.tuples(st.just("merge")),
    ),
    min_size=1,
    max_size=8,
)  # fmt: skip


def _pick(queryset, index):
    rows = list(queryset.order_by("pk"))
    return rows[index % len(rows)] if rows else None


def apply_step(step, *, reviewers, moderator, spans, claims):
    kind = step[0]
    try:
        if kind == "create":
            _, who, span, rating, claim = step
            document, start, end = spans[span]
            create_annotation(
                reviewer=reviewers[who], document=document, start=start, end=end,
                reliability=rating, claim=claims[claim] if claim < 2 else None,
            )  # fmt: skip
        elif kind == "edit":
            row = _pick(Annotation.objects.filter(status=AnnotationStatus.ACTIVE), step[1])
            if row:
                update_annotation(row, by=row.reviewer, expected_version=row.version,
                                  reliability=step[2])  # fmt: skip
        elif kind == "withdraw":
            row = _pick(Annotation.objects.filter(status=AnnotationStatus.ACTIVE), step[1])
            if row:
                withdraw_annotation(row, by=row.reviewer, expected_version=row.version)
        elif kind == "hide":
            row = _pick(Annotation.objects.filter(status=AnnotationStatus.ACTIVE), step[1])
            if row:
                hide_annotations([row], moderator=moderator, reason="property test")
        elif kind == "unhide":
            row = _pick(Annotation.objects.filter(status=AnnotationStatus.HIDDEN), step[1])
            if row:
                unhide_annotations([row], moderator=moderator, reason="property test")
        elif kind == "merge":
            duplicate, survivor = claims
            duplicate.refresh_from_db()
            if duplicate.merged_into_id is None:
                merge_claims(duplicate, into=survivor, moderator=moderator, reason="same claim")
    except (AnnotationInputError, NotAllowedError, ModerationError):
        pass  # a refused write changes nothing; the mirrors must still agree


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=steps)
def test_mirrors_equal_a_fresh_pull_after_every_step(
    sequence, seeded, reviewer, other_reviewer, third_reviewer, moderator
):
    document = seeded["000"]
    passages = list(document.passages.order_by("index")[:2])
    spans = [(document, passages[p].start + a, passages[p].start + b) for p, a, b in SPANS]
    with transaction.atomic():
        claims = [Claim.objects.create(text="Claim A"), Claim.objects.create(text="Claim A.")]
        mirrors = [
            Mirror(logged_in(user), what, fmt)
            for user in (moderator, reviewer)
            for what, fmt in (("annotations", "jsonl"), ("consensus", "jsonl"),
                              ("annotations", "jsonld"), ("consensus", "csv-skip"))
            if fmt != "csv-skip"
        ]  # fmt: skip
        for mirror in mirrors:
            mirror.pull()
        for step in sequence:
            apply_step(step, reviewers=[reviewer, other_reviewer, third_reviewer],
                       moderator=moderator, spans=spans, claims=claims)  # fmt: skip
            for mirror in mirrors:
                mirror.pull()
                assert mirror.rows == mirror.fresh(), (step, mirror.what, mirror.fmt)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_reviewer_learns_of_hidden_rows_without_their_content(
    seeded, reviewer, other_reviewer, third_reviewer, moderator
):
    """The scenario of the issue: a token client pulls, a moderator hides others' rows."""
    document = seeded["000"]
    passage = document.passages.order_by("index").first()
    start = passage.start
    mine = create_annotation(reviewer=reviewer, document=document, start=start, end=start + 12,
                             reliability=2)  # fmt: skip
    others = [
        create_annotation(reviewer=user, document=document, start=start, end=start + 12,
                          reliability=1, note="secret reasoning", flags=["anachronism"])
        for user in (other_reviewer, third_reviewer)
    ]  # fmt: skip
    from annotator.tokens import create_token

    _, key = create_token(reviewer, "mirror", "export")
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")
    mirror = Mirror(client, "annotations")
    mirror.pull()
    assert set(mirror.rows) == {mine.pk, *(o.pk for o in others)}
    hide_annotations(others, moderator=moderator, reason="spam")
    mirror.pull()
    assert set(mirror.rows) == {mine.pk}
    assert {t["id"] for t in mirror.tombstones_seen} == {o.pk for o in others}
    for tombstone in mirror.tombstones_seen:
        assert set(tombstone) == {"id", "status", "deleted_at"}
        assert tombstone["status"] == "hidden"
    # An outsider who never judged the passage learns nothing, not even that rows went away.
    from tests.conftest import make_user

    outsider = Mirror(logged_in(make_user("dora", groups=["Reviewer"])), "annotations")
    outsider.cursor = mirror.cursor
    outsider.pull()
    create_annotation(reviewer=other_reviewer, document=document, start=start + 1,
                      end=start + 10, reliability=3)  # fmt: skip
    withdraw_annotation(mine, by=reviewer, expected_version=mine.version)
    outsider.pull()
    assert outsider.rows == {} and outsider.tombstones_seen == []


@pytest.mark.django_db
def test_withdrawing_your_own_annotation_tombstones_what_it_unlocked(
    seeded, reviewer, other_reviewer
):
    document = seeded["000"]
    start = document.passages.order_by("index").first().start
    mine = create_annotation(reviewer=reviewer, document=document, start=start, end=start + 12,
                             reliability=2)  # fmt: skip
    theirs = create_annotation(reviewer=other_reviewer, document=document, start=start,
                               end=start + 12, reliability=4)  # fmt: skip
    annotations = Mirror(logged_in(reviewer), "annotations")
    consensus = Mirror(logged_in(reviewer), "consensus")
    annotations.pull()
    consensus.pull()
    assert theirs.pk in annotations.rows and consensus.rows
    withdraw_annotation(mine, by=reviewer, expected_version=mine.version)
    annotations.pull()
    consensus.pull()
    assert annotations.rows == annotations.fresh()
    assert theirs.pk not in annotations.rows
    assert {t["status"] for t in annotations.tombstones_seen} == {"out_of_view"}
    assert consensus.rows == consensus.fresh() == {}
    assert {t["key"] for t in consensus.tombstones_seen} >= {f"passage:{mine.passage_id}"}


@pytest.mark.django_db
def test_consensus_ids_survive_backup_and_restore(seeded, reviewer, other_reviewer, moderator,
                                                  tmp_path):  # fmt: skip
    from django.core.management import call_command

    from annotator.models import AnnotationRevision, Consensus

    document = seeded["000"]
    start = document.passages.order_by("index").first().start
    for user in (reviewer, other_reviewer):
        create_annotation(reviewer=user, document=document, start=start, end=start + 12,
                          reliability=3)  # fmt: skip
    before = Mirror(logged_in(moderator), "consensus", "jsonld").fresh()
    dump = tmp_path / "dump.jsonl"
    call_command("export", "annotations", "--output", str(dump))
    Consensus.objects.all().delete()
    AnnotationRevision.objects.all().delete()
    Annotation.flags.through.objects.all().delete()
    Annotation.objects.all().delete()
    call_command("import_annotations", str(dump))
    after = Mirror(logged_in(moderator), "consensus", "jsonld").fresh()
    assert set(after) == set(before) and after

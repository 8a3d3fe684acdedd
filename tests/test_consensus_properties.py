"""Property: after any sequence of writes, the incrementally kept consensus equals a rebuild."""

import contextlib
from dataclasses import dataclass

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from annotator import consensus, moderation
from annotator.annotations import (
    change_status,
    create_annotation,
    update_annotation,
    withdraw_annotation,
)
from annotator.errors import AnnotationInputError, NotAllowedError
from annotator.importing import DocumentRecord, import_record
from annotator.models import (
    Annotation,
    AnnotationRevision,
    AnnotationStatus,
    Claim,
    Consensus,
    User,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db

FLAGS = ["unsupported-claim", "misattributed-quote", "redacted-name"]
TEXTS = [
    ("doc1", "毛主席說:好戲開始嘍 🎭"),
    ("doc1", "好戲開始嘍"),
    ("doc1", "two ** communications"),
    ("doc1", "** communications on the withdrawal"),
    ("doc1", "Kim Il Sung"),
    ("doc2", "A wonderful drama is about to be staged."),
]
REVIEWERS = 4


@dataclass
class World:
    spans: list[tuple]  # (document, start, end, exact)
    reviewer_ids: list[int]
    claims: list[Claim | None]
    moderator: User


@pytest.fixture
def world(db, moderator):
    doc1 = import_record(
        DocumentRecord(
            body=(
                "Title 標題\n\n毛主席說:好戲開始嘍 🎭 and no source.\n\n"
                "In 1958 there were two ** communications on the withdrawal.\n\n"
                "Kim Il Sung asked; Kim Il Sung waited."
            ),
            origin="prop1.txt",
        )
    ).document
    doc2 = import_record(
        DocumentRecord(body="Mao: A wonderful drama is about to be staged.", origin="prop2.txt")
    ).document
    documents = {"doc1": doc1, "doc2": doc2}
    spans = []
    for name, text in TEXTS:
        document = documents[name]
        start = document.body.index(text)
        spans.append((document, start, start + len(text), text))
    claims = [None, Claim.objects.create(text="claim A"), Claim.objects.create(text="claim B")]
    reviewer_ids = [make_user(f"p{i}", groups=["Reviewer"]).pk for i in range(REVIEWERS)]
    return World(spans, reviewer_ids, claims, moderator)


ratings = st.sampled_from([1, 2, 3, 4, 5, None])
flag_sets = st.lists(st.sampled_from(FLAGS), max_size=2, unique=True)
pick = st.integers(min_value=0, max_value=50)
claim_choice = st.sampled_from([0, 1, 2])
reviewer_choice = st.sampled_from(range(REVIEWERS))
span_choice = st.sampled_from(range(len(TEXTS)))

STRATEGIES = {
    "create": st.tuples(
        st.just("create"), reviewer_choice, span_choice, ratings, flag_sets, claim_choice
    ),
    "update": st.tuples(st.just("update"), pick, ratings, flag_sets, claim_choice),
    "withdraw": st.tuples(st.just("withdraw"), pick),
    "hide": st.tuples(st.just("hide"), pick),
    "unhide": st.tuples(st.just("unhide"), pick),
    "suspend": st.tuples(st.just("suspend"), reviewer_choice),
    "reinstate": st.tuples(st.just("reinstate"), reviewer_choice),
    "adjudicate": st.tuples(st.just("adjudicate"), pick, st.sampled_from([1, 2, 3, 4, 5])),
}
# Creates and updates weigh more, so that sequences build up groups worth checking.
KINDS = ["create"] * 6 + ["update"] * 2 + [kind for kind in STRATEGIES if kind != "create"]
operation = st.sampled_from(KINDS).flatmap(STRATEGIES.__getitem__)


def apply(world: World, op: tuple, created: list[Annotation]) -> None:
    kind = op[0]
    if kind == "create":
        _, who, span, rating, flags, claim = op
        document, start, end, exact = world.spans[span]
        created.append(
            create_annotation(
                reviewer=User.objects.get(pk=world.reviewer_ids[who]),
                document=document,
                start=start,
                end=end,
                exact=exact,
                reliability=rating,
                flags=flags,
                claim=world.claims[claim],
            )
        )
        return
    if kind in ("suspend", "reinstate"):
        user = User.objects.get(pk=world.reviewer_ids[op[1]])
        with transaction.atomic():
            user.is_active = kind == "reinstate"
            user.save(update_fields=["is_active"])
            consensus.reviewer_status_changed(user)
        return
    if kind == "adjudicate":
        rows = list(Consensus.objects.order_by("key"))
        if rows:
            moderation.adjudicate(
                rows[op[1] % len(rows)],
                moderator=world.moderator,
                reliability=op[2],
                flags=[],
                reason="property test",
            )
        return
    if not created:
        return
    annotation = Annotation.objects.get(pk=created[op[1] % len(created)].pk)
    author = annotation.reviewer
    if kind == "update":
        _, _, rating, flags, claim = op
        update_annotation(
            annotation,
            by=author,
            expected_version=annotation.version,
            reliability=rating,
            flags=flags,
            claim=world.claims[claim],
        )
    elif kind == "withdraw":
        withdraw_annotation(annotation, by=author)
    else:
        change_status(
            annotation,
            status=AnnotationStatus.HIDDEN if kind == "hide" else AnnotationStatus.ACTIVE,
            by=world.moderator,
            action=AnnotationRevision.Action.HIDDEN
            if kind == "hide"
            else AnnotationRevision.Action.UNHIDDEN,
        )


def distinct_counted_reviewers(row: Consensus) -> int:
    annotations = Annotation.objects.counted()
    if row.kind == "passage":
        annotations = annotations.filter(passage_id=row.passage_id)
    elif row.kind == "span":
        annotations = annotations.filter(document_id=row.document_id, start=row.start, end=row.end)
    else:
        annotations = annotations.filter(claim_id=row.claim_id)
    return annotations.values("reviewer_id").distinct().count()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(operation, min_size=15, max_size=40))
def test_incremental_consensus_equals_rebuild_after_random_writes(world, operations):
    with transaction.atomic():
        created: list[Annotation] = []
        for op in operations:
            # Refused writes (duplicates, no judgment, editing a hidden one) change nothing.
            with contextlib.suppress(AnnotationInputError, NotAllowedError):
                apply(world, op, created)

        stored = {row.key: row for row in Consensus.objects.all()}
        groups, contents, _ = consensus.compute_all_groups()
        assert set(groups) <= set(stored), "every group of every annotation has a row"
        empty = consensus.empty_content()
        for key, row in stored.items():
            fresh = contents.get(key, empty)
            assert {name: getattr(row, name) for name in consensus.COMPUTED_FIELDS} == fresh, key
            assert row.reviewer_count == distinct_counted_reviewers(row), key
            assert row.status == consensus.effective_status(row), key
        stamps = dict(Consensus.objects.values_list("key", "updated_at"))
        event(f"created: {len(created)}, ops: {len(operations)}")
        event(f"adjudicated rows: {sum(row.adjudicated_at is not None for row in stored.values())}")
        stats = consensus.recompute_all(check=True)
        assert stats.differences == {}
        stats = consensus.recompute_all()
        assert (stats.created, stats.updated) == (0, 0)
        assert dict(Consensus.objects.values_list("key", "updated_at")) == stamps
        transaction.set_rollback(True)

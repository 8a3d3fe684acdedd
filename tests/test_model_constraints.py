"""Absolute rules are enforced by the database itself, not only by the application."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotator.models import Annotation, Document, ModerationAction, Passage

pytestmark = pytest.mark.django_db


def raw_annotation(document, reviewer, **overrides) -> Annotation:
    fields = {"document": document, "reviewer": reviewer, "start": 0, "end": 5}
    fields["exact"] = document.body[:5]
    fields.update(overrides)
    return Annotation.objects.create(**fields)


def assert_rejected_by_database(**overrides):
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_annotation(**overrides)


def test_offsets_must_be_ordered(seeded, reviewer):
    assert_rejected_by_database(document=seeded["000"], reviewer=reviewer, start=5, end=5)
    assert_rejected_by_database(document=seeded["000"], reviewer=reviewer, start=6, end=2)


def test_reliability_must_be_on_the_scale(seeded, reviewer):
    assert_rejected_by_database(document=seeded["000"], reviewer=reviewer, reliability=6)
    assert_rejected_by_database(document=seeded["000"], reviewer=reviewer, reliability=0)
    assert raw_annotation(seeded["000"], reviewer, reliability=5).reliability == 5


def test_one_active_annotation_per_reviewer_per_span(seeded, reviewer, other_reviewer):
    raw_annotation(seeded["000"], reviewer)
    assert_rejected_by_database(document=seeded["000"], reviewer=reviewer)
    # Another reviewer, another span, or a withdrawn one are fine.
    raw_annotation(seeded["000"], other_reviewer)
    raw_annotation(seeded["000"], reviewer, start=1, end=5, exact=seeded["000"].body[1:5])
    raw_annotation(seeded["000"], reviewer, status="withdrawn")


def test_status_must_be_known(seeded, reviewer):
    assert_rejected_by_database(document=seeded["000"], reviewer=reviewer, status="deleted")


def test_passage_offsets_must_be_ordered(seeded):
    with pytest.raises(IntegrityError), transaction.atomic():
        Passage.objects.create(document=seeded["000"], index=999, start=10, end=10)


def test_document_body_is_immutable(seeded):
    document = seeded["000"]
    original_body = document.body
    document.title = "A better title"
    document.save()  # metadata may change
    document.body = document.body + " edited"
    with pytest.raises(ValidationError, match="immutable"):
        document.save()
    assert Document.objects.get(pk=document.pk).body == original_body


def test_moderation_actions_cannot_be_changed_or_deleted_through_the_orm(moderator):
    action = ModerationAction.objects.create(
        actor=moderator, action="hide", target_type="annotation", target_id="1", reason="spam"
    )
    action.reason = "rewritten"
    with pytest.raises(ValidationError, match="append-only"):
        action.save()
    with pytest.raises(ValidationError, match="append-only"):
        action.delete()
    assert ModerationAction.objects.get(pk=action.pk).reason == "spam"


def test_moderation_action_needs_a_reason(moderator):
    with pytest.raises(IntegrityError), transaction.atomic():
        ModerationAction.objects.create(
            actor=moderator, action="hide", target_type="annotation", target_id="1", reason=""
        )

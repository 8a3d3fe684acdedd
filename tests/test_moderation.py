"""Moderation actions as domain functions: hide/unhide, suspend/reinstate, merge, retire."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from annotator import consensus, moderation
from annotator.annotations import (
    update_annotation,
    withdraw_annotation,
)
from annotator.errors import AnnotationInputError
from annotator.models import (
    Annotation,
    AnnotationRevision,
    AnnotationStatus,
    Claim,
    ConsensusStatus,
    FlagType,
    ModerationAction,
    User,
)
from tests.factories import annotate, make_user

pytestmark = pytest.mark.django_db

MAO_EN = '"A wonderful drama is about to be staged."'
MAO_ZH = "好戲開始嘍"


def span_consensus(annotation):
    return consensus.consensus_for_span(annotation.document, annotation.start, annotation.end)


@pytest.fixture
def three_on_mao(seeded, reviewer, other_reviewer, third_reviewer):
    """Three reviewers rate the unsourced Mao quote in the English seed: 1, 1 and 5."""
    doc = seeded["000"]
    return [
        annotate(reviewer, doc, MAO_EN, reliability=1, flags=["misattributed-quote"]),
        annotate(other_reviewer, doc, MAO_EN, reliability=1, flags=["misattributed-quote"]),
        annotate(third_reviewer, doc, MAO_EN, reliability=5),
    ]


# --- hide / unhide ---------------------------------------------------------------------------


def test_hidden_annotation_leaves_consensus_and_comes_back_when_unhidden(three_on_mao, moderator):
    outlier = three_on_mao[2]
    row = span_consensus(outlier)
    assert row.reviewer_count == 3
    assert row.status == ConsensusStatus.DISPUTED

    hidden = moderation.hide_annotations([outlier], moderator=moderator, reason="spam rating")

    assert [a.pk for a in hidden] == [outlier.pk]
    outlier.refresh_from_db()
    assert outlier.status == AnnotationStatus.HIDDEN
    row.refresh_from_db()
    assert row.reviewer_count == 2
    assert row.status == ConsensusStatus.PENDING
    assert row.rating_distribution.get("5", 0) == 0

    moderation.unhide_annotations([outlier], moderator=moderator, reason="appeal accepted")

    outlier.refresh_from_db()
    assert outlier.status == AnnotationStatus.ACTIVE
    row.refresh_from_db()
    assert row.reviewer_count == 3
    assert row.status == ConsensusStatus.DISPUTED


def test_hide_and_unhide_write_history_and_audit(three_on_mao, moderator):
    target = three_on_mao[0]
    moderation.hide_annotations([target], moderator=moderator, reason="  abusive note  ")
    moderation.unhide_annotations([target], moderator=moderator, reason="reviewed again")

    revisions = list(target.revisions.order_by("version"))
    assert [r.action for r in revisions] == ["created", "hidden", "unhidden"]
    assert [r.version for r in revisions] == [1, 2, 3]
    assert revisions[1].changed_by == moderator
    assert revisions[1].before["status"] == "active"
    assert revisions[1].after["status"] == "hidden"
    audit = list(ModerationAction.objects.order_by("id"))
    assert [(a.action, a.target_id, a.reason, a.actor) for a in audit] == [
        ("annotation.hide", str(target.pk), "abusive note", moderator),
        ("annotation.unhide", str(target.pk), "reviewed again", moderator),
    ]
    assert audit[0].target_type == "annotator.annotation"


def test_bulk_hide_skips_withdrawn_and_already_hidden(three_on_mao, moderator, reviewer):
    first, second, third = three_on_mao
    withdraw_annotation(first, by=reviewer)
    moderation.hide_annotations([second], moderator=moderator, reason="first pass")

    hidden = moderation.hide_annotations(
        Annotation.objects.all(), moderator=moderator, reason="second pass"
    )

    assert [a.pk for a in hidden] == [third.pk]
    statuses = dict(Annotation.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "withdrawn", second.pk: "hidden", third.pk: "hidden"}
    assert ModerationAction.objects.filter(action="annotation.hide").count() == 2


def test_hide_needs_a_reason_and_the_permission(three_on_mao, moderator, reviewer):
    target = three_on_mao[0]
    with pytest.raises(moderation.ModerationError, match="reason"):
        moderation.hide_annotations([target], moderator=moderator, reason="   ")
    with pytest.raises(PermissionDenied):
        moderation.hide_annotations([target], moderator=reviewer, reason="I dislike it")
    target.refresh_from_db()
    assert target.status == AnnotationStatus.ACTIVE
    assert not ModerationAction.objects.exists()


def test_unhide_refuses_when_the_reviewer_has_a_newer_annotation_on_the_span(
    three_on_mao, moderator, reviewer
):
    first, second, _ = three_on_mao
    moderation.hide_annotations([first, second], moderator=moderator, reason="brigading")
    annotate(reviewer, first.document, MAO_EN, reliability=2)

    with pytest.raises(moderation.ModerationError, match="another active annotation"):
        moderation.unhide_annotations([first, second], moderator=moderator, reason="appeal")

    # One transaction: the second annotation was not unhidden either.
    assert set(
        Annotation.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) == {"hidden"}
    assert not ModerationAction.objects.filter(action="annotation.unhide").exists()


# --- suspend / reinstate ---------------------------------------------------------------------


def test_suspension_removes_the_reviewer_from_consensus_and_reinstatement_restores(
    three_on_mao, moderator, third_reviewer
):
    row = span_consensus(three_on_mao[2])
    assert row.reviewer_count == 3

    moderation.suspend_reviewer(third_reviewer, moderator=moderator, reason="sock puppet")

    third_reviewer.refresh_from_db()
    assert third_reviewer.is_active is False
    assert third_reviewer.suspended_at is not None
    assert third_reviewer.suspension_reason == "sock puppet"
    row.refresh_from_db()
    assert row.reviewer_count == 2
    # Nothing is deleted: the annotation is still there and still active.
    assert Annotation.objects.get(pk=three_on_mao[2].pk).status == AnnotationStatus.ACTIVE

    moderation.reinstate_reviewer(third_reviewer, moderator=moderator, reason="verified identity")

    third_reviewer.refresh_from_db()
    assert third_reviewer.is_active is True
    assert third_reviewer.suspended_at is None
    row.refresh_from_db()
    assert row.reviewer_count == 3
    actions = list(ModerationAction.objects.order_by("id").values_list("action", "reason"))
    assert actions == [("user.suspend", "sock puppet"), ("user.reinstate", "verified identity")]
    assert (
        ModerationAction.objects.order_by("id").last().details["suspension"]["reason"]
        == "sock puppet"
    )


def test_suspension_refusals(db, moderator, reviewer):
    other_moderator = make_user("mod2", groups=["Moderator"], is_staff=True)
    admin = make_user("root", is_staff=True, is_superuser=True)
    with pytest.raises(moderation.ModerationError, match="yourself"):
        moderation.suspend_reviewer(moderator, moderator=moderator, reason="oops")
    with pytest.raises(moderation.ModerationError, match="administrator"):
        moderation.suspend_reviewer(other_moderator, moderator=moderator, reason="rivalry")
    with pytest.raises(moderation.ModerationError, match="not suspended"):
        moderation.reinstate_reviewer(reviewer, moderator=moderator, reason="nothing to undo")
    with pytest.raises(PermissionDenied):
        moderation.suspend_reviewer(moderator, moderator=reviewer, reason="revenge")

    moderation.suspend_reviewer(reviewer, moderator=moderator, reason="spam")
    with pytest.raises(moderation.ModerationError, match="already suspended"):
        moderation.suspend_reviewer(reviewer, moderator=moderator, reason="again")
    # An administrator may suspend a moderator.
    moderation.suspend_reviewer(other_moderator, moderator=admin, reason="left the project")
    assert User.objects.get(pk=other_moderator.pk).is_active is False
    assert ModerationAction.objects.count() == 2


def test_suspended_reviewer_cannot_annotate(seeded, reviewer, moderator):
    moderation.suspend_reviewer(reviewer, moderator=moderator, reason="spam")
    reviewer.refresh_from_db()
    from annotator.errors import NotAllowedError

    with pytest.raises(NotAllowedError):
        annotate(reviewer, seeded["000"], MAO_EN, reliability=1)


# --- merging claims --------------------------------------------------------------------------


def test_merge_moves_annotations_to_the_surviving_claim(
    seeded, reviewer, other_reviewer, moderator
):
    survivor = Claim.objects.create(
        text="Mao said in 1958 'a wonderful drama is about to be staged'"
    )
    duplicate = Claim.objects.create(text="毛澤東說「好戲開始嘍」", language="zh-Hant")
    older_duplicate = Claim.objects.create(text="Mao: good show begins", merged_into=duplicate)
    on_survivor = annotate(reviewer, seeded["000"], MAO_EN, reliability=1, claim=survivor)
    moved_zh = annotate(reviewer, seeded["001"], MAO_ZH, reliability=1, claim=duplicate)
    moved_zh2 = annotate(other_reviewer, seeded["001"], MAO_ZH, claim=duplicate, reliability=2)
    assert consensus.consensus_for_claim(duplicate).reviewer_count == 2

    result = moderation.merge_claims(
        duplicate, into=survivor, moderator=moderator, reason="same quotation, two languages"
    )

    assert result == survivor
    duplicate.refresh_from_db()
    older_duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert older_duplicate.merged_into == survivor
    assert set(survivor.annotations.values_list("pk", flat=True)) == {
        on_survivor.pk,
        moved_zh.pk,
        moved_zh2.pk,
    }
    moved_zh.refresh_from_db()
    assert moved_zh.version == 2
    revision = moved_zh.revisions.get(version=2)
    assert revision.action == AnnotationRevision.Action.CLAIM_MERGED
    assert revision.changed_by == moderator
    assert (revision.before["claim"], revision.after["claim"]) == (duplicate.pk, survivor.pk)
    # Consensus follows: the survivor's row counts both reviewers, the duplicate's row is empty.
    assert consensus.consensus_for_claim(survivor).reviewer_count == 2
    assert consensus.consensus_for_claim(duplicate).pk == consensus.consensus_for_claim(survivor).pk
    from annotator.models import Consensus

    assert Consensus.objects.get(key=consensus.claim_key(duplicate.pk)).reviewer_count == 0
    audit = ModerationAction.objects.get(action="claim.merge")
    assert audit.target_id == str(duplicate.pk)
    assert audit.details["into"] == survivor.pk
    assert sorted(audit.details["annotations"]) == sorted([moved_zh.pk, moved_zh2.pk])
    assert audit.details["repointed_claims"] == [older_duplicate.pk]


def test_merge_refusals(db, moderator, reviewer):
    a = Claim.objects.create(text="a")
    b = Claim.objects.create(text="b")
    c = Claim.objects.create(text="c")
    with pytest.raises(moderation.ModerationError, match="itself"):
        moderation.merge_claims(a, into=a, moderator=moderator, reason="x")
    with pytest.raises(PermissionDenied):
        moderation.merge_claims(a, into=b, moderator=reviewer, reason="x")
    moderation.merge_claims(a, into=b, moderator=moderator, reason="duplicate")
    with pytest.raises(moderation.ModerationError, match="already merged"):
        moderation.merge_claims(a, into=c, moderator=moderator, reason="x")
    with pytest.raises(moderation.ModerationError, match="merge into that one"):
        moderation.merge_claims(c, into=a, moderator=moderator, reason="x")
    assert ModerationAction.objects.count() == 1


# --- flag types ------------------------------------------------------------------------------


def test_retired_flag_is_refused_for_new_annotations_and_restorable(seeded, reviewer, moderator):
    flag = FlagType.objects.get(slug="loaded-language")
    kept = annotate(reviewer, seeded["000"], "Mao", reliability=1, flags=["loaded-language"])

    moderation.retire_flag(flag, moderator=moderator, reason="merged into unsupported-claim")

    flag.refresh_from_db()
    assert flag.is_active is False
    assert list(kept.flags.values_list("slug", flat=True)) == ["loaded-language"]
    with pytest.raises(AnnotationInputError) as error:
        annotate(reviewer, seeded["001"], MAO_ZH, reliability=1, flags=["loaded-language"])
    assert "flags" in error.value.errors
    with pytest.raises(moderation.ModerationError, match="already retired"):
        moderation.retire_flag(flag, moderator=moderator, reason="again")

    moderation.restore_flag(flag, moderator=moderator, reason="still needed")
    annotate(reviewer, seeded["001"], MAO_ZH, reliability=1, flags=["loaded-language"])
    assert list(ModerationAction.objects.order_by("id").values_list("action", flat=True)) == [
        "flag.retire",
        "flag.restore",
    ]


# --- history ---------------------------------------------------------------------------------


def test_every_change_to_an_annotation_is_kept_with_who_and_before_after(
    three_on_mao, reviewer, moderator
):
    target = three_on_mao[0]
    update_annotation(target, by=reviewer, expected_version=1, note="no source in the article")
    moderation.hide_annotations([target], moderator=moderator, reason="test")
    history = list(target.revisions.order_by("version").select_related("changed_by"))
    assert [(r.action, r.changed_by.username) for r in history] == [
        ("created", "alice"),
        ("updated", "alice"),
        ("hidden", "mod"),
    ]
    assert history[0].before is None
    assert (history[1].before["note"], history[1].after["note"]) == ("", "no source in the article")
    assert all(r.changed_at is not None for r in history)


# --- the audit log is append-only --------------------------------------------------------------


def test_audit_records_refuse_change_through_the_orm(db, moderator):
    from annotator.audit import record_action

    record = record_action(actor=moderator, action="test", target=moderator, reason="because")
    record.reason = "rewritten"
    with pytest.raises(ValidationError):
        record.save()
    with pytest.raises(ValidationError):
        record.delete()
    assert ModerationAction.objects.get().reason == "because"


@pytest.mark.postgres
def test_postgres_trigger_rejects_raw_update_and_delete(db, moderator):
    from annotator.audit import record_action

    record = record_action(actor=moderator, action="test", target=moderator, reason="because")
    for statement in (
        "UPDATE annotator_moderationaction SET reason = 'rewritten' WHERE id = %s",
        "DELETE FROM annotator_moderationaction WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [record.pk])
    # Bulk ORM paths bypass Model.save/delete; the trigger still stops them.
    with pytest.raises(DatabaseError), transaction.atomic():
        ModerationAction.objects.filter(pk=record.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        ModerationAction.objects.filter(pk=record.pk).delete()
    assert ModerationAction.objects.get(pk=record.pk).reason == "because"

"""The adjudication workbench: moderators decide with the whole case in front of them."""

import pytest
from django.urls import reverse

from annotator import consensus
from annotator.annotations import update_annotation
from annotator.models import ConsensusStatus
from tests.factories import annotate

pytestmark = pytest.mark.django_db

MAO_EN = '"A wonderful drama is about to be staged."'


@pytest.fixture
def disputed(seeded, reviewer, other_reviewer, third_reviewer):
    document = seeded["000"]
    first = annotate(
        reviewer,
        document,
        MAO_EN,
        reliability=1,
        flags=["misattributed-quote"],
        note="No source anywhere for this quotation.",
        evidence=["https://example.org/mao-archive", "doc: Selected Works vol. 5"],
    )
    update_annotation(
        first,
        by=reviewer,
        expected_version=first.version,
        note="No source anywhere; checked the archive.",
    )
    annotate(other_reviewer, document, MAO_EN, reliability=1, flags=["misattributed-quote"])
    annotate(third_reviewer, document, MAO_EN, reliability=5, note="Widely quoted.")
    row = consensus.consensus_for_span(document, first.start, first.end)
    assert row.status == ConsensusStatus.DISPUTED
    return row


@pytest.fixture
def workbench(client, moderator, disputed):
    client.force_login(moderator)
    return reverse("admin:annotator_consensus_adjudicate", args=[disputed.pk])


def test_the_workbench_shows_the_text_and_every_judgment(client, workbench, disputed):
    page = client.get(workbench)
    assert page.status_code == 200
    html = page.content.decode()
    # The passage's words, marked, not an internal key.
    assert "wonderful drama is about to be staged" in html and "<mark" in html
    assert f"span:{disputed.document_id}:" not in page.context["title"]
    assert "Span “" in page.context["title"]
    # Each reviewer by name, with rating label, note, evidence (links are links) and history.
    for name in ("alice", "bob", "chen"):
        assert f">{name}</a>" in html
    assert "Fabricated / false" in html and "Reliable" in html
    assert "No source anywhere; checked the archive." in html
    assert '<a href="https://example.org/mao-archive"' in html
    assert "doc: Selected Works vol. 5" in html
    assert "2 versions" in html
    # Agreement figures and these reviewers' calibration are on the page.
    assert page.context["case"]["agreement"]["reviewers"] == 3
    assert 'id="wb-alpha"' in html


def test_no_rating_is_preselected_and_only_decided_flags_are_ticked(client, workbench):
    form = client.get(workbench).context["form"]
    assert form.initial.get("reliability") is None
    assert form.initial["flags"] == ["misattributed-quote"]  # 2 of 3: the rule decided it


def test_a_reason_alone_does_not_confirm_a_value(client, workbench, disputed):
    refused = client.post(workbench, {"reason": "looks fine", "flags": ["misattributed-quote"]})
    assert refused.status_code == 200
    assert "reliability" in refused.context["form"].errors
    disputed.refresh_from_db()
    assert disputed.status == ConsensusStatus.DISPUTED


def test_no_rating_is_an_explicit_choice(client, workbench, disputed):
    done = client.post(
        workbench,
        {"reliability": "none", "flags": ["misattributed-quote"], "reason": "unsourced"},
    )
    assert done.status_code == 302
    disputed.refresh_from_db()
    assert disputed.status == ConsensusStatus.ADJUDICATED
    assert disputed.adjudicated_reliability is None
    assert disputed.adjudicated_flags == ["misattributed-quote"]


def test_annotations_are_labelled_by_reviewer_and_words(disputed):
    from annotator.models import Annotation

    annotation = Annotation.objects.filter(reviewer__username="alice").get()
    # The quotation is 42 characters: cut to 39 and an ellipsis.
    assert (
        str(annotation)
        == f"alice on '\"A wonderful drama is about to be stage…' (#{annotation.pk})"
    )


def test_the_annotation_page_offers_hide_then_unhide(client, workbench):
    from annotator.models import Annotation, ModerationAction

    annotation = Annotation.objects.filter(reviewer__username="bob").get()
    page = client.get(reverse("admin:annotator_annotation_change", args=[annotation.pk]))
    html = page.content.decode()
    assert 'value="hide_selected"' in html and 'value="unhide_selected"' not in html
    changelist = reverse("admin:annotator_annotation_changelist")
    asked = client.post(
        changelist, {"action": "hide_selected", "index": "0", "_selected_action": annotation.pk}
    )
    assert asked.status_code == 200 and "reason" in asked.context["form"].fields
    client.post(
        changelist,
        {
            "action": "hide_selected",
            "_selected_action": annotation.pk,
            "apply": "yes",
            "reason": "duplicate account",
        },
    )
    annotation.refresh_from_db()
    assert annotation.status == "hidden"
    assert ModerationAction.objects.filter(action="annotation.hide").count() == 1
    page = client.get(reverse("admin:annotator_annotation_change", args=[annotation.pk]))
    assert 'value="unhide_selected"' in page.content.decode()


def test_the_queue_labels_groups_by_their_words_and_can_be_ordered(client, workbench, disputed):
    queue = reverse("admin:annotator_moderation_queue")
    html = client.get(queue).content.decode()
    assert "Span “" in html and "wonderful drama" in html
    assert disputed.key not in html  # no internal key as a label
    assert "adjudicate</a>" in html
    only_claims = client.get(queue, {"kind": "claim"})
    assert list(only_claims.context["queue"]["disputed"]) == []
    by_age = client.get(queue, {"order": "oldest", "language": "en"})
    assert disputed.pk in [row.pk for row in by_age.context["queue"]["disputed"]]
    other_language = client.get(queue, {"language": "zh-Hant"})
    assert list(other_language.context["queue"]["disputed"]) == []
    assert client.get(queue, {"order": "nonsense"}).status_code == 200

"""Hidden annotations and suspended reviewers vanish from consensus and exports, and come back."""

import json

import pytest

from annotator import consensus, moderation
from annotator.models import Consensus
from tests.factories import annotate
from tests.test_moderation import MAO_EN

pytestmark = pytest.mark.django_db


def export(client, name, **params):
    response = client.get(f"/api/v1/exports/{name}", params)
    assert response.status_code == 200
    return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]


def span_row(rows, annotation):
    key = consensus.span_key(annotation.document_id, annotation.start, annotation.end)
    return next(row for row in rows if row["key"] == key)


@pytest.fixture
def three_on_mao(seeded, reviewer, other_reviewer, third_reviewer):
    doc = seeded["000"]
    return [
        annotate(reviewer, doc, MAO_EN, reliability=1, flags=["misattributed-quote"]),
        annotate(other_reviewer, doc, MAO_EN, reliability=1, flags=["misattributed-quote"]),
        annotate(third_reviewer, doc, MAO_EN, reliability=5, flags=["loaded-language"]),
    ]


def test_hidden_annotation_vanishes_from_consensus_and_exports_and_comes_back(
    client, three_on_mao, moderator, reviewer
):
    outlier = three_on_mao[2]
    client.force_login(reviewer)
    before = span_row(export(client, "consensus"), outlier)
    assert (before["reviewer_count"], before["status"]) == (3, "disputed")
    assert before["rating_distribution"]["5"] == 1
    assert outlier.pk in {row["id"] for row in export(client, "annotations")}

    moderation.hide_annotations([outlier], moderator=moderator, reason="vote brigading")

    row = Consensus.objects.get(
        key=consensus.span_key(outlier.document_id, outlier.start, outlier.end)
    )
    assert (row.reviewer_count, row.rating_distribution["5"]) == (2, 0)
    assert "loaded-language" not in {k for k, v in row.flag_support.items() if v}
    hidden = span_row(export(client, "consensus"), outlier)
    assert (hidden["reviewer_count"], hidden["rating_distribution"]["5"]) == (2, 0)
    assert outlier.pk not in {row["id"] for row in export(client, "annotations")}

    moderation.unhide_annotations([outlier], moderator=moderator, reason="appeal upheld")

    back = span_row(export(client, "consensus"), outlier)
    assert (back["reviewer_count"], back["status"]) == (3, "disputed")
    assert back["rating_distribution"]["5"] == 1
    assert outlier.pk in {row["id"] for row in export(client, "annotations")}


def test_suspended_reviewers_annotations_leave_the_consensus_export(
    client, three_on_mao, moderator, reviewer, third_reviewer
):
    client.force_login(reviewer)
    moderation.suspend_reviewer(third_reviewer, moderator=moderator, reason="sock puppet")
    assert span_row(export(client, "consensus"), three_on_mao[2])["reviewer_count"] == 2
    moderation.reinstate_reviewer(third_reviewer, moderator=moderator, reason="verified")
    assert span_row(export(client, "consensus"), three_on_mao[2])["reviewer_count"] == 3


def test_incremental_export_picks_up_the_hide(client, three_on_mao, moderator, reviewer):
    client.force_login(reviewer)
    first = client.get("/api/v1/exports/consensus")
    list(first.streaming_content)
    cursor = first["X-Export-Cursor"]
    moderation.hide_annotations([three_on_mao[2]], moderator=moderator, reason="spam")
    changed = export(client, "consensus", cursor=cursor)
    assert span_row(changed, three_on_mao[2])["reviewer_count"] == 2

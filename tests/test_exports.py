"""Consensus and annotation exports: formats, JSON-LD shapes, incremental pulls, round trip."""

import csv
import io
import json
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from annotator.annotations import create_annotation, update_annotation
from annotator.models import Annotation, AnnotationRevision, Claim, Consensus, FlagType
from annotator.tokens import create_token

MAO_QUOTE = "A wonderful drama is about to be staged"
MAO_QUOTE_ZH = "好戲開始嘍"

# Terms of the W3C Web Annotation JSON-LD context (http://www.w3.org/ns/anno.jsonld) that an
# export may use, and the class / vocabulary values it defines.
W3C_TERMS = {
    "@context", "id", "type", "motivation", "modified", "created", "body", "target", "source",
    "selector", "exact", "prefix", "suffix", "start", "end", "value", "purpose", "format",
    "language", "label", "first", "items", "total", "next", "partOf", "creator", "generator",
    "nickname", "name", "homepage",
}  # fmt: skip
W3C_TYPES = {
    "Annotation", "AnnotationCollection", "AnnotationPage", "TextualBody",
    "TextQuoteSelector", "TextPositionSelector", "SpecificResource", "Text", "Person",
    "Software",
}  # fmt: skip
W3C_MOTIVATIONS = {"assessing", "tagging", "commenting", "describing", "identifying"}


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()


def at(document, text):
    start = document.body.index(text)
    return {"document": document, "start": start, "end": start + len(text), "exact": text}


@pytest.fixture
def judged(seeded, reviewer, other_reviewer, third_reviewer):
    """Three reviewers rate the Mao quote in English and Chinese, linked to one claim."""
    claim = Claim.objects.create(text="Mao said 'a wonderful drama is about to be staged'")
    flag = ["misattributed-quote"]
    for user, rating in ((reviewer, 2), (other_reviewer, 2), (third_reviewer, 1)):
        create_annotation(
            reviewer=user, **at(seeded["000"], MAO_QUOTE), reliability=rating, flags=flag,
            claim=claim,
        )  # fmt: skip
        create_annotation(
            reviewer=user, **at(seeded["001"], MAO_QUOTE_ZH), reliability=rating, flags=flag,
            claim=claim, note="無出處 🙈",
        )  # fmt: skip
    return {"claim": claim, "docs": seeded}


def logged_in(user):
    client = APIClient()
    client.force_login(user)
    return client


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def item_key(item) -> str:
    return item["id"].rstrip("/").rsplit("/", 1)[1]


def walk_keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from walk_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_keys(item)


@pytest.mark.django_db
def test_consensus_jsonl_is_default(judged, moderator):
    response = logged_in(moderator).get("/api/v1/exports/consensus")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in body(response).splitlines()]
    assert len(rows) == Consensus.objects.count() > 0
    claim_row = next(row for row in rows if row["kind"] == "claim")
    assert claim_row["claim"] == judged["claim"].pk
    assert claim_row["reviewer_count"] == 3
    assert claim_row["median_reliability"] == 2
    assert response["X-Export-Cursor"]


@pytest.mark.django_db
def test_consensus_status_filter_and_formats(judged, moderator):
    client = logged_in(moderator)
    statuses = set(Consensus.objects.values_list("status", flat=True))
    for status in statuses:
        rows = body(client.get(f"/api/v1/exports/consensus?status={status}")).splitlines()
        assert {json.loads(row)["status"] for row in rows} == {status}
    data = json.loads(body(client.get("/api/v1/exports/consensus?format=json")))
    assert len(data["results"]) == Consensus.objects.count()
    assert data["next_cursor"]
    table = list(
        csv.DictReader(io.StringIO(body(client.get("/api/v1/exports/consensus?format=csv"))))
    )
    assert len(table) == Consensus.objects.count()
    assert {"key", "status", "median_reliability", "decided_flags"} <= set(table[0])
    bad = client.get("/api/v1/exports/consensus?format=xml")
    assert bad.status_code == 400
    assert "format" in bad.json()


@pytest.mark.django_db
def test_web_annotation_jsonld_shape(judged, moderator):
    response = logged_in(moderator).get("/api/v1/exports/consensus?format=jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    collection = json.loads(body(response))
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection"
    assert collection["first"]["type"] == "AnnotationPage"
    items = collection["first"]["items"]
    assert items
    assert set(walk_keys(collection)) <= W3C_TERMS
    docs = {doc.pk: doc for doc in judged["docs"].values()}
    for item in items:
        assert item["type"] == "Annotation"
        assert item["motivation"] == "assessing"
        assert item["id"] == f"http://testserver/api/v1/consensus/{item_key(item)}/"
        assert {b["type"] for b in item["body"]} == {"TextualBody"}
        assert {b["purpose"] for b in item["body"]} <= W3C_MOTIVATIONS
        quote, position = item["target"]["selector"]
        assert quote["type"] == "TextQuoteSelector"
        assert position["type"] == "TextPositionSelector"
        assert isinstance(position["start"], int)
        doc_id = int(item["target"]["source"]["id"].rstrip("/").rsplit("/", 1)[1])
        doc_body = docs[doc_id].body
        assert doc_body[position["start"] : position["end"]] == quote["exact"]
        assert doc_body[: position["start"]].endswith(quote["prefix"])
        assert doc_body[position["end"] :].startswith(quote["suffix"])
    exacts = {item["target"]["selector"][0]["exact"] for item in items}
    assert MAO_QUOTE_ZH in exacts
    assert {t for item in items for t in [item["type"]]} <= W3C_TYPES


@pytest.mark.django_db
def test_claim_review_lists_only_published_fact_checks(judged, moderator):
    """A consensus alone is not a fact-check: see tests/test_factchecks.py for published ones."""
    response = logged_in(moderator).get("/api/v1/exports/consensus?format=claimreview")
    graph = json.loads(body(response))
    assert graph == {"@context": "https://schema.org", "@graph": []}


@pytest.mark.django_db
def test_blind_review_applies_to_exports(judged, make_outsider):
    outsider = make_outsider
    client = logged_in(outsider)
    assert body(client.get("/api/v1/exports/consensus")) == ""
    assert body(client.get("/api/v1/exports/annotations")) == ""


@pytest.fixture
def make_outsider(db):
    from tests.factories import make_user

    return make_user("dora", groups=["Reviewer"])


@pytest.mark.django_db
def test_incremental_pull_returns_only_changes(judged, reviewer, moderator):
    client = logged_in(moderator)
    first = client.get("/api/v1/exports/annotations")
    assert len(body(first).splitlines()) == 6
    cursor = first["X-Export-Cursor"]
    assert body(client.get(f"/api/v1/exports/annotations?cursor={cursor}")) == ""
    mine = Annotation.objects.filter(reviewer=reviewer).first()
    update_annotation(mine, by=reviewer, expected_version=1, note="Checked the archive.")
    second = client.get(f"/api/v1/exports/annotations?cursor={cursor}")
    rows = [json.loads(line) for line in body(second).splitlines()]
    assert [(row["id"], row["note"]) for row in rows] == [(mine.pk, "Checked the archive.")]
    assert second["X-Export-Cursor"] != cursor
    consensus_pull = client.get(f"/api/v1/exports/consensus?cursor={cursor}")
    assert consensus_pull.status_code == 200
    assert client.get("/api/v1/exports/annotations?cursor=garbage").status_code == 400


@pytest.mark.django_db
def test_updated_since_filter(judged, moderator):
    client = logged_in(moderator)
    assert body(client.get("/api/v1/exports/annotations?updated_since=2999-01-01T00:00:00Z")) == ""
    rows = body(client.get("/api/v1/exports/annotations?updated_since=2000-01-01T00:00:00Z"))
    assert len(rows.splitlines()) == 6
    bad = client.get("/api/v1/exports/annotations?updated_since=yesterday")
    assert bad.status_code == 400
    assert "updated_since" in bad.json()


@pytest.mark.django_db
def test_export_token_reads_and_exports_but_cannot_write(judged, moderator, seeded):
    _, key = create_token(moderator, "nightly export", "export")
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/exports/consensus?format=csv").status_code == 200
    response = client.post("/api/v1/claims/", {"text": "something"}, format="json")
    assert response.status_code == 403
    assert "export" in response.json()["detail"]


@pytest.mark.django_db
def test_annotations_web_annotation_export(judged, moderator):
    collection = json.loads(
        body(logged_in(moderator).get("/api/v1/exports/annotations?format=jsonld"))
    )
    items = collection["first"]["items"]
    assert len(items) == 6
    assert set(walk_keys(collection)) <= W3C_TERMS
    tags = {b["value"] for item in items for b in item["body"] if b["purpose"] == "tagging"}
    assert tags == {"misattributed-quote"}


@pytest.mark.django_db
def test_moderation_log_export_is_for_moderators(judged, moderator, reviewer):
    from annotator.audit import record_action

    record_action(actor=moderator, action="hide", target=judged["claim"], reason="spam test")
    response = logged_in(moderator).get("/api/v1/exports/moderation-actions")
    rows = [json.loads(line) for line in body(response).splitlines()]
    assert [(row["action"], row["actor"], row["reason"]) for row in rows] == [
        ("hide", "mod", "spam test")
    ]
    assert logged_in(reviewer).get("/api/v1/exports/moderation-actions").status_code == 403


@pytest.mark.django_db
def test_export_command_matches_api_and_round_trips(judged, tmp_path, reviewer):
    mine = Annotation.objects.filter(reviewer=reviewer).first()
    update_annotation(mine, by=reviewer, expected_version=1, evidence=["https://example.org/a"])
    first = tmp_path / "first.jsonl"
    call_command("export", "annotations", "--output", str(first))
    text = first.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 6
    assert "無出處 🙈" in text
    consensus_before = sorted(
        Consensus.objects.values_list("key", "status", "median_reliability", "reviewer_count")
    )

    # Empty the annotation side of the database, then restore.
    Consensus.objects.all().delete()
    AnnotationRevision.objects.all().delete()
    Annotation.flags.through.objects.all().delete()
    Annotation.objects.all().delete()
    Claim.objects.all().delete()
    call_command("import_annotations", str(first))

    second = tmp_path / "second.jsonl"
    call_command("export", "annotations", "--output", str(second))
    assert second.read_bytes() == first.read_bytes()
    restored = sorted(
        Consensus.objects.values_list("key", "status", "median_reliability", "reviewer_count")
    )
    assert restored == consensus_before
    # Restored sequences: new rows get fresh ids.
    new = create_annotation(
        reviewer=reviewer, **at(judged["docs"]["002"], judged["docs"]["002"].body[:10]),
        reliability=3,
    )  # fmt: skip
    assert new.pk > max(json.loads(line)["id"] for line in text.splitlines())


@pytest.mark.django_db
def test_import_refuses_existing_and_bad_input(judged, tmp_path):
    dump = tmp_path / "dump.jsonl"
    call_command("export", "annotations", "--output", str(dump))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="already exists"):
        call_command("import_annotations", str(dump))
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Line 1"):
        call_command("import_annotations", str(bad))
    assert FlagType.objects.exists()


@pytest.mark.django_db
def test_export_command_consensus_formats(judged, tmp_path, moderator):
    for fmt in ("jsonl", "json", "csv", "jsonld", "claimreview"):
        path = tmp_path / f"c.{fmt}"
        call_command("export", "consensus", "--format", fmt, "--output", str(path))
        assert path.stat().st_size > 0
    # One IRI per resource: the command names things exactly as the API does.
    collection = json.loads((tmp_path / "c.jsonld").read_text(encoding="utf-8"))
    assert collection["first"]["items"][0]["id"].startswith("http://testserver/api/v1/consensus/")
    api = logged_in(moderator).get("/api/v1/exports/consensus?format=jsonld")
    assert json.loads(body(api)) == collection


@pytest.mark.postgres
def test_postgresql_json_lines_equal_the_python_records(judged, reviewer):
    """The fast path (JSON written by PostgreSQL) writes exactly the Python path's lines."""
    from django.db import transaction
    from django.utils import timezone

    from annotator.exports import formats, records, streams

    withdrawn = Annotation.objects.filter(reviewer=reviewer).first()
    update_annotation(
        withdrawn, by=reviewer, expected_version=withdrawn.version, note='quote "x" \\ 🎭\n',
        evidence=["https://example.org/a?b=1&c=2", "People's Daily, 1958"], reliability=None,
    )  # fmt: skip
    # A timestamp with no microseconds: Python's isoformat() then omits them.
    Annotation.objects.filter(pk=withdrawn.pk).update(
        created_at=timezone.now().replace(microsecond=0)
    )
    queryset = Annotation.objects.order_by("updated_at", "id")
    fast = "".join(streams.annotations_export(queryset, fmt="jsonl").chunks).splitlines()
    with transaction.atomic():
        slow = "".join(formats.json_lines(records.annotation_records(queryset))).splitlines()
    assert len(fast) == len(slow) == Annotation.objects.count() == 6
    assert fast == slow  # byte for byte (tests/test_exports_fastpaths.py covers every format)
    assert any(re.search(r'"created_at":"[^".]+\+00:00"', line) for line in fast)


@pytest.mark.django_db
def test_fractional_median_labels_round_half_up(seeded, reviewer, other_reviewer, moderator):
    doc = seeded["002"]
    for user, rating in ((reviewer, 2), (other_reviewer, 3)):
        create_annotation(reviewer=user, document=doc, start=0, end=12, reliability=rating)
    create_annotation(reviewer=reviewer, document=doc, start=20, end=30, flags=["anachronism"])
    rows = [json.loads(line) for line in body(logged_in(moderator).get("/api/v1/exports/consensus"))
            .splitlines()]  # fmt: skip
    span = next(r for r in rows if r["kind"] == "span" and r["start"] == 0)
    assert (span["median_reliability"], span["median_label"]) == (2.5, "Unverified / mixed")
    assert span["decided_label"] == "Unverified / mixed"
    flags_only = next(r for r in rows if r["kind"] == "span" and r["start"] == 20)
    assert (flags_only["median_label"], flags_only["decided_label"]) == (None, None)

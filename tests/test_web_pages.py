"""Server-rendered pages of the reviewer web UI: dashboard, reading view, claim page, queue."""

import html
import json
import re

import pytest
from django.conf import settings
from django.test import override_settings

from annotator.annotations import withdraw_annotation
from annotator.models import Claim, Consensus, FlagType, Passage, Suggestion
from annotator.web.reading import Span, split_segments
from tests.factories import annotate, make_document, make_user

pytestmark = pytest.mark.django_db

QUOTE_EN = '"A wonderful drama is about to be staged."'
QUOTE_ZH = "好戲開始嘍"
OTHER_MARK = re.compile(r'<mark class="[^"]*hl-other[^"]*" data-ann=')


def passage_elements(page: str) -> list[dict]:
    """Each rendered passage: its data attributes and its visible text (tags stripped)."""
    found = []
    for match in re.finditer(r'<p class="passage"([^>]*)>(.*?)</p>', page, re.S):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1)))
        text = html.unescape(re.sub(r"<[^>]+>", "", match.group(2)))
        found.append({**attributes, "text": text, "html": match.group(2)})
    return found


def json_data(page: str, element_id: str):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S
    )
    return json.loads(match.group(1))


# --- segments ---------------------------------------------------------------------------------


def test_split_segments_cuts_overlapping_spans_at_every_boundary():
    spans = [Span(2, 8, "a1"), Span(5, 12, "a2"), Span(5, 8, "s3"), Span(20, 30, "a4")]
    assert split_segments(0, 15, spans) == [
        (0, 2, []),
        (2, 5, ["a1"]),
        (5, 8, ["a1", "a2", "s3"]),
        (8, 12, ["a2"]),
        (12, 15, []),
    ]


def test_split_segments_clips_spans_running_past_the_passage():
    assert split_segments(10, 20, [Span(0, 15, "a1"), Span(18, 40, "a2")]) == [
        (10, 15, ["a1"]),
        (15, 18, []),
        (18, 20, ["a2"]),
    ]


# --- dashboard --------------------------------------------------------------------------------


def test_dashboard_lists_documents_with_progress_and_consensus(
    client, seeded, reviewer, other_reviewer, third_reviewer
):
    doc = seeded["000"]
    for who in (reviewer, other_reviewer, third_reviewer):
        annotate(who, doc, QUOTE_EN, reliability=1)
    client.force_login(reviewer)
    page = client.get("/").content.decode()
    total = Passage.objects.filter(document=doc).count()
    row = re.search(rf'href="/documents/{doc.pk}/".*?</tr>', page, re.S).group(0)
    assert "Mondo Military" in row and ">en<" in row
    assert f">{total}<" in row
    assert f"1 / {total}" in row  # this reviewer annotated one passage
    assert f"1 of {total} at quorum" in row
    zh_row = re.search(rf'href="/documents/{seeded["001"].pk}/".*?</tr>', page, re.S).group(0)
    assert "華文頭條" in zh_row and 'lang="zh-Hant"' in zh_row
    assert "0 / " in zh_row


def test_dashboard_search_and_filters(client, seeded, reviewer):
    client.force_login(reviewer)

    def titles(query):
        page = client.get("/", query).content.decode()
        return set(re.findall(r'href="/documents/(\d+)/"', page))

    every = {str(doc.pk) for doc in seeded.values()}
    assert titles({}) == every
    assert titles({"language": "zh-Hant"}) == {str(seeded["001"].pk)}
    mondo = seeded["000"].source
    assert titles({"source": mondo.pk}) == {str(seeded["000"].pk), str(seeded["002"].pk)}
    # The search covers bodies too (annotator/search): every document that names Stalin.
    assert titles({"q": "stalin"}) == {
        str(doc.pk) for doc in seeded.values() if "stalin" in (doc.title + doc.body).lower()
    }
    assert len(titles({"q": "stalin"})) >= 3
    assert titles({"q": "好戲"}) == {str(seeded["001"].pk)}
    assert titles({"status": "needs-reviewers"}) == every
    assert titles({"status": "disputed"}) == set()
    assert titles({"status": "settled"}) == set()


def test_dashboard_filter_rejects_unknown_values_without_error(client, seeded, reviewer):
    client.force_login(reviewer)
    response = client.get("/", {"status": "bogus", "source": "x", "language": "<b>"})
    assert response.status_code == 200
    # Invalid filters are ignored: every document is listed.
    assert len(set(re.findall(r'href="/documents/(\d+)/"', response.content.decode()))) == 5


# --- reading view -----------------------------------------------------------------------------


def test_reading_view_renders_every_passage_with_code_point_offsets(client, seeded, reviewer):
    client.force_login(reviewer)
    for key in ("000", "001"):
        doc = seeded[key]
        page = client.get(f"/documents/{doc.pk}/").content.decode()
        rendered = passage_elements(page)
        stored = list(Passage.objects.filter(document=doc).order_by("index"))
        assert len(rendered) == len(stored)
        for element, passage in zip(rendered, stored, strict=True):
            assert element["lang"] == doc.language
            assert int(element["data-start"]) == passage.start
            assert int(element["data-end"]) == passage.end
            assert element["text"] == doc.body[passage.start : passage.end]
            assert element["tabindex"] == "0"
    assert 'lang="zh-Hant"' in page and QUOTE_ZH in page


def test_own_annotations_are_highlighted(client, seeded, reviewer):
    doc = seeded["000"]
    mine = annotate(reviewer, doc, QUOTE_EN, reliability=1, flags=["misattributed-quote"])
    client.force_login(reviewer)
    page = client.get(f"/documents/{doc.pk}/").content.decode()
    marks = re.findall(r'<mark class="([^"]*)" data-ann="([^"]*)"[^>]*>(.*?)</mark>', page)
    own = [m for m in marks if str(mine.pk) in m[1].split()]
    assert own and all("hl-own" in m[0] for m in own)
    assert html.unescape("".join(m[2] for m in own)) == QUOTE_EN
    data = {a["id"]: a for a in json_data(page, "annotations-data")}
    assert data[mine.pk]["is_own"] is True
    assert data[mine.pk]["flags"] == ["misattributed-quote"]
    assert data[mine.pk]["reliability"] == 1
    assert data[mine.pk]["evidence"] == []


def test_others_notes_are_not_embedded_but_served_by_the_api(
    client, seeded, reviewer, other_reviewer
):
    doc = seeded["000"]
    annotate(reviewer, doc, QUOTE_EN, reliability=1, note="my note")
    theirs = annotate(other_reviewer, doc, QUOTE_EN, reliability=2, note="their private note")
    client.force_login(reviewer)
    page = client.get(f"/documents/{doc.pk}/").content.decode()
    data = {a["id"]: a for a in json_data(page, "annotations-data")}
    assert "note" not in data[theirs.pk] and "is_own" not in data[theirs.pk]
    assert "their private note" not in page
    # The panel asks the API for them, by passage, with the same visibility.
    listed = client.get(f"/api/v1/annotations/?passage={theirs.passage_id}&page_size=500")
    notes = {a["id"]: a["note"] for a in listed.json()["results"]}
    assert notes[theirs.pk] == "their private note"


def test_blind_review_hides_others_until_own_judgment_on_that_passage(
    client, seeded, reviewer, other_reviewer
):
    doc = seeded["000"]
    theirs = annotate(other_reviewer, doc, QUOTE_EN, reliability=1, note="bob's secret note")
    client.force_login(reviewer)

    page = client.get(f"/documents/{doc.pk}/").content.decode()
    assert "bob's secret note" not in page and "bob&#x27;s secret note" not in page
    assert str(theirs.pk) not in [str(a["id"]) for a in json_data(page, "annotations-data")]
    assert not OTHER_MARK.search(page)

    # Judging another passage unlocks nothing here.
    annotate(reviewer, doc, "Mondo Military Updated on 2024-01-28", reliability=3)
    page = client.get(f"/documents/{doc.pk}/").content.decode()
    assert not OTHER_MARK.search(page)

    # Judging the same passage (any span in it) unlocks the others' annotations there.
    annotate(reviewer, doc, "he calmly told the staff", reliability=2)
    page = client.get(f"/documents/{doc.pk}/").content.decode()
    assert theirs.pk in [a["id"] for a in json_data(page, "annotations-data")]
    assert re.search(rf'<mark class="[^"]*hl-other[^"]*" data-ann="[^"]*\b{theirs.pk}\b', page)

    # Withdrawing one's own judgment hides them again.
    mine = [a for a in reviewer.annotations.all() if a.exact == "he calmly told the staff"][0]
    withdraw_annotation(mine, by=reviewer)
    page = client.get(f"/documents/{doc.pk}/").content.decode()
    assert theirs.pk not in [a["id"] for a in json_data(page, "annotations-data")]


@override_settings(ANNOTATOR={**settings.ANNOTATOR, "BLIND_REVIEW": False})
def test_without_blind_review_others_are_visible_at_once(client, seeded, reviewer, other_reviewer):
    doc = seeded["000"]
    theirs = annotate(other_reviewer, doc, QUOTE_EN, reliability=1)
    client.force_login(reviewer)
    page = client.get(f"/documents/{doc.pk}/").content.decode()
    assert theirs.pk in [a["id"] for a in json_data(page, "annotations-data")]
    assert "Blind review is on" not in page


def test_moderators_see_every_annotation(client, seeded, other_reviewer, moderator):
    doc = seeded["000"]
    theirs = annotate(other_reviewer, doc, QUOTE_EN, reliability=1)
    client.force_login(moderator)
    page = client.get(f"/documents/{doc.pk}/").content.decode()
    assert theirs.pk in [a["id"] for a in json_data(page, "annotations-data")]


def test_reviewer_text_is_escaped(client, seeded, reviewer):
    doc = seeded["000"]
    claim = Claim.objects.create(text="<img src=x onerror=alert(1)> claim", created_by=reviewer)
    annotate(
        reviewer,
        doc,
        QUOTE_EN,
        reliability=3,
        note="</script><script>alert('x')</script>",
        evidence=["javascript-free citation <b>bold</b>"],
        claim=claim,
    )
    client.force_login(reviewer)
    page = client.get(f"/documents/{doc.pk}/").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    data = json_data(page, "annotations-data")
    notes = [a["note"] for a in data]
    assert "</script><script>alert('x')</script>" in notes
    assert [a["evidence"] for a in data] == [["javascript-free citation <b>bold</b>"]]
    claim_page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "<img src=x" not in claim_page and "&lt;img src=x" in claim_page
    assert "<script>alert" not in claim_page


def test_overlapping_spans_with_emoji_and_cjk_render_exactly(client, reviewer, other_reviewer):
    body = "第一段：好戲開始嘍 😀 𠀋字在此。\n\nSecond paragraph with 🎭 drama."
    doc = make_document(body, language="zh-Hant")
    outer = annotate(reviewer, doc, "好戲開始嘍 😀 𠀋字", reliability=2)
    inner = annotate(reviewer, doc, "😀 𠀋", flags=["unsupported-claim"], reliability=None)
    client.force_login(reviewer)
    page = client.get(f"/documents/{doc.pk}/").content.decode()
    first = passage_elements(page)[0]
    assert first["text"] == "第一段：好戲開始嘍 😀 𠀋字在此。"
    segments = re.findall(
        r'<mark class="[^"]*" data-ann="([^"]*)"[^>]*>(.*?)</mark>', first["html"]
    )
    assert segments == [
        (str(outer.pk), "好戲開始嘍 "),
        (f"{outer.pk} {inner.pk}", "😀 𠀋"),
        (str(outer.pk), "字"),
    ]
    second = passage_elements(page)[1]
    assert int(second["data-start"]) == body.index("Second")
    assert second["data-gap"] == ""  # last passage
    assert first["data-gap"] == "\n\n"


def test_machine_suggestions_are_marked_as_suggestions(client, seeded, reviewer):
    doc = seeded["000"]
    suggestion = Suggestion.objects.filter(document=doc).first()
    assert suggestion is not None, "the seeds should produce machine suggestions"
    client.force_login(reviewer)
    page = client.get(f"/documents/{doc.pk}/").content.decode()
    assert re.search(rf'<mark class="hl hl-suggestion" data-sugg="[^"]*\b{suggestion.pk}\b', page)
    data = {s["id"]: s for s in json_data(page, "suggestions-data")}
    assert data[suggestion.pk]["flag"] == suggestion.flag.slug
    assert "machine suggestion" in page


def test_panel_has_the_scale_every_active_flag_and_labelled_controls(client, seeded, reviewer):
    FlagType.objects.filter(slug="anachronism").update(is_active=False)
    client.force_login(reviewer)
    page = client.get(f"/documents/{seeded['000'].pk}/").content.decode()
    for value, label in [(1, "Fabricated / false"), (3, "Unverified / mixed"), (5, "Reliable")]:
        assert re.search(
            rf'value="{value}"><span class="scale-value">{value}</span>'
            rf'<span class="scale-label">{re.escape(label)}<',
            page,
        )
    for slug in ["misattributed-quote", "unsupported-claim", "content-farm", "machine-translation"]:
        assert f'value="{slug}"' in page
    assert 'value="anachronism"' not in page
    for control in ["note", "evidence", "claim-search"]:
        assert f'<label for="{control}">' in page
    assert 'class="skip-link" href="#main"' in page
    assert "style=" not in page and "onclick" not in page.lower()
    assert re.search(r"<script>(?!</script>)", page) is None  # no inline executable script


def test_text_fragment_for_in_place_refresh(client, seeded, reviewer):
    client.force_login(reviewer)
    response = client.get(f"/documents/{seeded['001'].pk}/?fragment=text")
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="document-text"')
    assert "<html" not in fragment and 'id="annotations-data"' in fragment


def test_old_revision_points_to_the_current_text(client, reviewer):
    old = make_document("First version.\n\nSecond.", origin="rev.txt")
    new = make_document("First version, corrected.\n\nSecond.", origin="rev.txt")
    client.force_login(reviewer)
    page = client.get(f"/documents/{old.pk}/").content.decode()
    assert "This is an old revision" in page and f'href="/documents/{new.pk}/"' in page


def test_missing_document_is_404(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/documents/999999/").status_code == 404


# --- claim page -------------------------------------------------------------------------------


def test_claim_page_lists_spans_across_documents_and_languages_with_consensus(
    client, seeded, reviewer, other_reviewer, third_reviewer
):
    claim = Claim.objects.create(text="Mao said 'a wonderful drama is about to be staged'")
    for who in (reviewer, other_reviewer, third_reviewer):
        annotate(
            who, seeded["000"], QUOTE_EN, reliability=1, claim=claim, flags=["misattributed-quote"]
        )
    annotate(reviewer, seeded["001"], QUOTE_ZH, reliability=1, claim=claim, occurrence=1)
    client.force_login(reviewer)
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "wonderful drama is about to be staged" in page and QUOTE_ZH in page
    assert (
        f'href="/documents/{seeded["000"].pk}/' in page
        and f'href="/documents/{seeded["001"].pk}/' in page
    )
    assert "4 linked spans" in page and "2 documents" in page
    consensus = Consensus.objects.get(kind="claim", claim=claim)
    assert consensus.reviewer_count == 3
    assert f"<dd>{consensus.reviewer_count}</dd>" in page
    assert consensus.get_status_display() in page
    assert "misattributed-quote" in page


def test_claim_consensus_is_blind_until_own_link(client, seeded, reviewer, other_reviewer):
    claim = Claim.objects.create(text="A claim")
    annotate(other_reviewer, seeded["000"], QUOTE_EN, reliability=1, claim=claim)
    client.force_login(reviewer)
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "Link one of your own annotations to this claim to see its consensus" in page
    assert "other_reviewer" not in page and "bob" not in page


def test_merged_claim_redirects_to_the_surviving_claim(client, reviewer):
    survivor = Claim.objects.create(text="Survivor")
    duplicate = Claim.objects.create(text="Duplicate", merged_into=survivor)
    client.force_login(reviewer)
    response = client.get(f"/claims/{duplicate.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/claims/{survivor.pk}/"


# --- queue ------------------------------------------------------------------------------------


def test_next_passage_skips_own_and_those_at_quorum(
    client, reviewer, other_reviewer, third_reviewer, moderator
):
    doc = make_document("Alpha one.\n\nBeta two.\n\nGamma three.\n\nDelta four.", origin="q.txt")
    passages = list(Passage.objects.filter(document=doc).order_by("index"))
    client.force_login(reviewer)
    assert client.get("/next/")["Location"] == f"/documents/{doc.pk}/#p0"

    annotate(reviewer, doc, "Alpha one.", reliability=3)  # own: skipped
    fourth = make_user("dora")
    for who in (other_reviewer, third_reviewer, fourth):  # quorum (3) reached ...
        annotate(who, doc, "Beta two.", reliability=3)
    # ... but a blind reviewer does not know that before judging it: not skipped for them.
    assert client.get("/next/")["Location"] == f"/documents/{doc.pk}/#p1"
    # "n" from a passage goes to the next one after it.
    assert client.get("/next/", {"after": passages[2].pk})["Location"] == f"/documents/{doc.pk}/#p3"
    # After the last one it wraps round to the first still open.
    assert client.get("/next/", {"after": passages[3].pk})["Location"] == f"/documents/{doc.pk}/#p1"

    annotate(reviewer, doc, "Beta two.", reliability=3)
    annotate(reviewer, doc, "Gamma three.", reliability=3)
    annotate(reviewer, doc, "Delta four.", reliability=3)
    response = client.get("/next/")
    assert response.status_code == 200 and b"Nothing left for you" in response.content

    # Moderators see every group: their queue skips the passage at quorum.
    client.force_login(moderator)
    assert client.get("/next/", {"after": passages[0].pk})["Location"] == (
        f"/documents/{doc.pk}/#p2"
    )
    # Below quorum still counts as needing reviewers.
    annotate(other_reviewer, doc, "Gamma three.", reliability=3)
    assert client.get("/next/", {"after": passages[0].pk})["Location"] == (
        f"/documents/{doc.pk}/#p2"
    )


def test_next_passage_ignores_old_revisions(client, reviewer):
    make_document("Old text.", origin="r.txt")
    new = make_document("New text.", origin="r.txt")
    client.force_login(reviewer)
    assert client.get("/next/")["Location"] == f"/documents/{new.pk}/#p0"


def test_claim_page_shows_evidence_and_cuts_context_at_words(client, seeded, reviewer):
    claim = Claim.objects.create(text="Mao said 'a wonderful drama is about to be staged'")
    annotate(
        reviewer,
        seeded["000"],
        QUOTE_EN,
        reliability=1,
        claim=claim,
        evidence=["https://example.org/archive", "Selected Works, vol. 5"],
    )
    client.force_login(reviewer)
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert '<a href="https://example.org/archive"' in page and "Selected Works, vol. 5" in page
    context = re.search(r'<span class="context">(.*?)</span><mark', page, re.S).group(1)
    prefix = html.unescape(context).removeprefix("…")
    body = seeded["000"].body
    start = body.index(QUOTE_EN)
    assert body[:start].endswith(prefix)
    # The context starts at a word: the character before it is a space (or the text's start).
    assert start - len(prefix) == 0 or body[start - len(prefix) - 1].isspace()


def test_download_menu_links_to_the_exports_through_the_session(client, seeded, reviewer):
    document = seeded["000"]
    annotate(reviewer, document, QUOTE_EN, reliability=1, note="mine")
    client.force_login(reviewer)
    page = client.get(f"/documents/{document.pk}/").content.decode()
    links = re.findall(r'<a href="(/api/v1/exports/[^"]+)" download>', page)
    formats = {html.unescape(link).rsplit("format=", 1)[1] for link in links}
    assert formats == {"jsonl", "json", "csv", "jsonld", "claimreview", "parquet"}
    assert all(f"document={document.pk}" in link for link in links)
    csv_link = next(
        html.unescape(link) for link in links if "annotations" in link and "csv" in link
    )
    download = client.get(csv_link)
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode()
    assert "mine" in body
    dashboard = client.get("/").content.decode()
    assert "/api/v1/exports/consensus?format=claimreview" in html.unescape(dashboard)

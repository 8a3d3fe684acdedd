"""Spans may not start or end inside an extended grapheme cluster (UAX #29; W3C selectors)."""

import pytest
import regex
from django.core.cache import cache
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from annotator.importing import DocumentRecord, import_record
from annotator.text import grapheme_around

FLAG = "\U0001f1f0\U0001f1f7"  # 🇰🇷: two regional indicators
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧: three people joined by ZWJ
E_ACUTE = "e\u0301"  # e + COMBINING ACUTE ACCENT: NFC composes it into é, one code point
# A second mark has no precomposed form: NFC keeps é + U+0302, one cluster of two code points.
E_MARKS = "e\u0301\u0302"
E_MARKS_NFC = "\u00e9\u0302"
EXT_B = "\U00020000"  # 𠀀 CJK Extension B: one astral code point, one cluster

# NFC composes e + U+0301 into é, so the combining case uses a letter with no precomposed form.
Q_DOT = "q\u0307"  # q + COMBINING DOT ABOVE stays two code points after NFC
BODY = (
    f"Seoul {FLAG} flag.\nA family {FAMILY} here.\nCaf{E_ACUTE}, {E_MARKS} and {Q_DOT}.\n"
    f"{EXT_B}{EXT_B} ok."
)


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()


@pytest.fixture
def doc(db):
    return import_record(DocumentRecord(body=BODY, origin="graphemes")).document


@pytest.fixture
def client(reviewer):
    client = APIClient()
    client.force_authenticate(reviewer)
    return client


def post(client, doc, start, end):
    body = doc.body
    return client.post(
        "/api/v1/annotations/",
        {
            "document": doc.pk,
            "start": start,
            "end": end,
            "exact": body[start:end],
            "reliability": 3,
        },
        format="json",
    )


def test_body_keeps_the_clusters_after_normalisation(doc):
    for cluster in (FLAG, FAMILY, Q_DOT, EXT_B, E_MARKS_NFC):
        assert cluster in doc.body
    assert "e\u0301" not in doc.body  # composed to é by NFC: one code point, nothing to split


@pytest.mark.parametrize(
    ("cluster", "inside"),
    [(FLAG, [1]), (FAMILY, [1, 2, 3, 4]), (E_MARKS_NFC, [1]), (Q_DOT, [1])],
)
def test_offsets_inside_a_cluster_are_refused(doc, client, cluster, inside):
    start = doc.body.index(cluster)
    end = start + len(cluster)
    for offset in (start + step for step in inside):
        response = post(client, doc, offset, end)
        assert response.status_code == 400, response.content
        message = response.json()["start"][0]
        assert "grapheme cluster" in message and f"use {start} or {end}" in message
        response = post(client, doc, start, offset)
        assert response.status_code == 400
        assert "end" in response.json() and "start" not in response.json()


@pytest.mark.parametrize(
    "cluster", [FLAG, FAMILY, E_MARKS_NFC, Q_DOT, EXT_B, EXT_B + EXT_B, "\u00e9"]
)
def test_spans_on_cluster_boundaries_are_accepted(doc, client, cluster):
    start = doc.body.index(cluster)
    response = post(client, doc, start, start + len(cluster))
    assert response.status_code == 201, response.content
    assert response.json()["exact"] == cluster


def test_a_span_around_a_cluster_is_accepted(doc, client):
    start = doc.body.index("Seoul")
    end = doc.body.index(" flag.")
    assert post(client, doc, start, end).status_code == 201


def test_grapheme_around_matches_whole_text_segmentation():
    """Segmenting from the line start gives what segmenting the whole text gives."""
    text = BODY.replace("\n", " \n") + FLAG * 3 + "\n" + FLAG * 3
    boundaries = {0}
    for match in regex.finditer(r"\X", text):
        boundaries.add(match.end())
    for offset in range(len(text) + 1):
        assert (grapheme_around(text, offset) is None) == (offset in boundaries), offset


def test_regional_indicators_pair_from_the_line_start():
    line = FLAG * 3  # six indicators: three flags, boundaries every two code points
    assert [grapheme_around(line, i) for i in range(7)] == [
        None,
        (0, 2),
        None,
        (2, 4),
        None,
        (4, 6),
        None,
    ]


# Characters with every cluster role: controls, combining marks, ZWJ, emoji and modifiers,
# regional indicators, Hangul jamo, Indic virama sequences, prepend, spacing marks, astral CJK.
TRICKY = list(
    "ab \n\r\u0301\u0302\u200d\ufe0f\u00a9\u1100\u1161\u11a8\uac00"
    "\u0915\u094d\u0937\u0600\u0903\u00e9"
) + ["\U0001f468", "\U0001f469", "\U0001f1f0", "\U0001f1f7", "\U0001f3fb", EXT_B]


@settings(deadline=None)  # each example checks every offset; a busy machine is slow
@given(st.lists(st.sampled_from(TRICKY), min_size=1, max_size=30).map("".join))
def test_grapheme_around_equals_segmenting_the_whole_text(text):
    spans = [match.span() for match in regex.finditer(r"\X", text)]
    for offset in range(len(text) + 1):
        inside = next((span for span in spans if span[0] < offset < span[1]), None)
        assert grapheme_around(text, offset) == inside, (text, offset)

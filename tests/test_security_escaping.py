"""What reviewers write is rendered inert: payloads posted through the API (token) and the way
the web UI posts (session + CSRF token) come back escaped on the reading view and claim page;
evidence links are limited to http(s) URLs."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from annotator.tokens import create_token

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE_BREAKOUT = '"><img src=x onerror=alert(1)>'
JAVASCRIPT_URL = "javascript:alert(1)"
PAYLOAD = f"{SCRIPT} {ATTRIBUTE_BREAKOUT} {JAVASCRIPT_URL}"


class ActiveContent(HTMLParser):
    """Collects everything in a page that could run script."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.json_scripts: dict[str, str] = {}
        self._json_id = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            scheme = (value or "").strip().lower()
            # data: documents can run script where a page navigates or embeds (a link, a
            # frame); an empty data: favicon cannot.
            dangerous = ("javascript:", "vbscript:") + (
                ("data:",) if tag in {"a", "area", "iframe", "object", "embed", "form"} else ()
            )
            if name in {"href", "src", "action", "formaction"} and scheme.startswith(dangerous):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and attributes.get("src") == "x":
            self.problems.append("injected <img>")
        if tag == "script":
            if attributes.get("type") == "application/json":
                self._json_id = attributes.get("id")
                self.json_scripts[self._json_id] = ""
            elif "src" not in attributes:
                self.problems.append("inline <script>")

    def handle_data(self, data):
        if self._json_id is not None:
            self.json_scripts[self._json_id] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._json_id = None


def active_content(html: str) -> ActiveContent:
    parser = ActiveContent()
    parser.feed(html)
    return parser


def span_of(document, text: str) -> dict:
    start = document.body.index(text)
    return {"document": document.pk, "start": start, "end": start + len(text), "exact": text}


@pytest.fixture
def token_client(reviewer):
    _, key = create_token(reviewer, "escaping test", scope="write")
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def browser_like_client(other_reviewer, seeded):
    """Posts as the reader page does: session cookie plus the page's CSRF token, CSRF enforced."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(other_reviewer)
    page = client.get(f"/documents/{seeded['000'].pk}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token, "the reading view must carry a CSRF token for its form"
    client.csrf_token_value = token.group(1)
    return client


def post_json(client, path, payload, **headers):
    return client.post(
        path, data=json.dumps(payload), content_type="application/json", headers=headers
    )


@pytest.fixture
def hostile_claim(token_client):
    response = post_json(token_client, "/api/v1/claims/", {"text": f"Claim {PAYLOAD}"})
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def hostile_annotations(seeded, token_client, browser_like_client, hostile_claim):
    document = seeded["000"]
    quote = "A wonderful drama is about to be staged"
    by_token = post_json(
        token_client,
        "/api/v1/annotations/",
        {
            **span_of(document, quote),
            "reliability": 2,
            "note": f"Token note {PAYLOAD}",
            "evidence": [
                f"https://example.org/search?q={SCRIPT}",
                f"Citation {ATTRIBUTE_BREAKOUT}",
            ],
            "claim": hostile_claim["id"],
        },
    )
    assert by_token.status_code == 201, by_token.content
    by_session = post_json(
        browser_like_client,
        "/api/v1/annotations/",
        {
            **span_of(document, quote),
            "reliability": 1,
            "note": f"Session note {PAYLOAD}",
            "evidence": [],
            "claim": hostile_claim["id"],
        },
        **{"X-CSRFToken": browser_like_client.csrf_token_value},
    )
    assert by_session.status_code == 201, by_session.content
    return document, hostile_claim


def assert_escaped(html: str):
    assert SCRIPT not in html
    assert "<img src=x" not in html
    assert active_content(html).problems == []


def test_reading_view_renders_notes_and_evidence_inert(hostile_annotations, reviewer):
    document, _ = hostile_annotations
    client = Client()
    client.force_login(reviewer)
    response = client.get(f"/documents/{document.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_escaped(html)
    # One's own notes travel to the page's script as JSON data, escaped, and decode to the exact
    # text (others' notes are fetched from the API when shown).
    annotations = json.loads(active_content(html).json_scripts["annotations-data"])
    notes = {annotation.get("note") for annotation in annotations}
    assert f"Token note {PAYLOAD}" in notes


def test_claim_page_renders_claim_text_and_notes_escaped(hostile_annotations, reviewer):
    _, claim = hostile_annotations
    client = Client()
    client.force_login(reviewer)
    response = client.get(f"/claims/{claim['id']}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_escaped(html)
    assert "Claim &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Token note &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Session note &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_api_returns_what_was_written_as_data(hostile_annotations, token_client):
    _, claim = hostile_annotations
    response = token_client.get(f"/api/v1/claims/{claim['id']}/")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["text"] == f"Claim {PAYLOAD}"


@pytest.mark.parametrize(
    "evidence",
    [
        JAVASCRIPT_URL,
        "JaVaScRiPt:alert(1)",
        "  javascript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ftp://example.org/file",
    ],
)
def test_evidence_other_than_http_urls_is_refused(seeded, token_client, evidence):
    response = post_json(
        token_client,
        "/api/v1/annotations/",
        {**span_of(seeded["000"], "A wonderful drama"), "reliability": 3, "evidence": [evidence]},
    )
    assert response.status_code == 400
    errors = response.json()
    assert "evidence" in json.dumps(errors)
    assert "http(s)" in json.dumps(errors)


def test_http_and_https_evidence_is_accepted(seeded, token_client):
    response = post_json(
        token_client,
        "/api/v1/annotations/",
        {
            **span_of(seeded["000"], "A wonderful drama"),
            "reliability": 3,
            "evidence": ["https://example.org/a", "http://example.org/b"],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["evidence"] == ["https://example.org/a", "http://example.org/b"]

"""POST /api/v1/documents/: each way in, duplicates, revisions and every error."""

import hashlib
import io
import json

import pytest
from django.core.files.storage import default_storage
from rest_framework.test import APIClient

from annotator.models import Document, Passage, Snapshot, Suggestion, User
from annotator.tokens import create_token

from . import document_files as files
from .conftest import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/documents/"


@pytest.fixture
def editor(db):
    return make_user("eddie", groups=["Editor"])


@pytest.fixture
def api(editor):
    client = APIClient()
    client.force_login(editor)
    return client


def upload(client, name, data, **fields):
    part = io.BytesIO(data)
    part.name = name
    return client.post(URL, {"file": part, **fields}, format="multipart")


def test_json_text_creates_a_document_with_passages_snapshot_and_suggestions(api):
    body = 'He said: "A wonderful drama is about to be staged."\n\nSecond paragraph here.'
    response = api.post(
        URL,
        {
            "title": "A quote",
            "body": body,
            "source": "Desk",
            "language": "en",
            "url": "https://example.org/a",
            "published": "2024-01-02",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["result"] == "created" and data["title"] == "A quote" and data["passages"] == 2
    document = Document.objects.get(pk=data["id"])
    assert document.source.name == "Desk" and str(document.published) == "2024-01-02"
    snapshot = document.snapshot
    assert snapshot.media_type == "text/plain" and snapshot.sha256 == data["snapshot"]["sha256"]
    with default_storage.open(snapshot.file.name, "rb") as handle:
        stored = handle.read()
    assert hashlib.sha256(stored).hexdigest() == snapshot.sha256 == data["snapshot"]["sha256"]
    assert snapshot.size == len(stored)
    assert Suggestion.objects.filter(document=document, flag__slug="misattributed-quote").exists()


def test_the_same_normalised_body_answers_200_and_creates_nothing(api):
    first = api.post(URL, {"body": "Café news.\n\nMore."}, format="json")
    assert first.status_code == 201
    counts = (Document.objects.count(), Passage.objects.count(), Snapshot.objects.count())
    # The same text, decomposed and with CRLF line ends: the same normalised body.
    again = api.post(URL, {"body": "Cafe\u0301 news.\r\n\r\nMore."}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["result"] == "unchanged"
    assert (Document.objects.count(), Passage.objects.count(), Snapshot.objects.count()) == counts


def test_a_changed_text_for_the_same_url_becomes_a_revision(api):
    url = "https://courier.example/news/millford-bridge"
    first = upload(api, "bridge.html", files.news_page())
    assert first.status_code == 201 and first.json()["url"] == url
    changed = files.NEWS_ARTICLE + ["Update: the heritage society will appeal the decision."]
    second = upload(api, "bridge-v2.html", files.news_page(paragraphs=changed))
    assert second.status_code == 201, second.json()
    assert second.json()["result"] == "revised"
    assert second.json()["previous"] == first.json()["id"]
    assert not Document.objects.get(pk=first.json()["id"]).is_current


def test_html_news_page_keeps_the_article_and_its_metadata_and_drops_boilerplate(api):
    response = upload(api, "news.html", files.news_page())
    assert response.status_code == 201, response.json()
    data = response.json()
    document = Document.objects.get(pk=data["id"])
    assert document.title == "Millford votes to rebuild its stone bridge"
    assert document.author == "Jane Porter" and str(document.published) == "2024-05-14"
    assert document.source.name == "The Valley Courier" and document.language == "en"
    assert "heritage society" in document.body.lower()
    for boilerplate in ("cookies", "Another story number", "All rights reserved", "Sport"):
        assert boilerplate not in document.body
    assert document.snapshot.media_type == "text/html"
    assert document.snapshot.size == len(files.news_page())


def test_content_farm_page_gets_its_suggestions(api):
    response = upload(api, "farm.htm", files.content_farm_page())
    assert response.status_code == 201, response.json()
    document = Document.objects.get(pk=response.json()["id"])
    assert document.source.name == "Mondo Military"
    flags = set(Suggestion.objects.filter(document=document).values_list("flag__slug", flat=True))
    assert {"content-farm", "redacted-name", "misattributed-quote"} <= flags


def test_chinese_pdf_passages_know_their_page(api):
    response = upload(api, "report.pdf", files.chinese_pdf(), source="新華")
    assert response.status_code == 201, response.json()
    document = Document.objects.get(pk=response.json()["id"])
    assert "好戲開始嘍" in document.body and document.language == "zh-Hant"
    pages = {document.body[p.start : p.end]: p.page for p in document.passages.all()}
    assert pages["毛澤東看完信後說：好戲開始嘍。"] == 1
    assert pages["第二頁：數以萬計的朝鮮人民到車站送別。"] == 2
    assert document.snapshot.media_type == "application/pdf"


def test_docx_and_markdown_and_text_files(api):
    docx = upload(api, "minutes.docx", files.word_document())
    assert docx.status_code == 201, docx.json()
    assert docx.json()["title"] == "Minutes of the harbour committee"
    assert docx.json()["author"] == "Harbour Office"
    markdown = upload(api, "notes.md", b"# Notes\n\nSome *text* here.")
    assert markdown.status_code == 201 and markdown.json()["title"] == "# Notes"
    latin1 = upload(api, "old.txt", "Ça coûte très cher à Genève, déjà.".encode("latin-1"))
    assert latin1.status_code == 201, latin1.json()
    assert "Genève" in Document.objects.get(pk=latin1.json()["id"]).body


def test_jsonl_batch_creates_every_line(api):
    lines = [
        {"key": "a", "title": "First", "body": "First text.", "language": "en"},
        {"key": "b", "body": "第二篇文章的內容。"},
    ]
    data = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()
    response = upload(api, "batch.jsonl", data)
    assert response.status_code == 201, response.json()
    results = response.json()["results"]
    assert [r["result"] for r in results] == ["created", "created"]
    assert Document.objects.get(origin="a").title == "First"
    again = upload(api, "batch.jsonl", data)
    assert again.status_code == 200
    assert [r["result"] for r in again.json()["results"]] == ["unchanged", "unchanged"]


def test_a_bad_line_refuses_the_whole_batch(api):
    data = b'{"key": "a", "body": "Fine."}\n{"key": "b", "body": "Bad", "language": "not a tag"}\n'
    response = upload(api, "batch.jsonl", data)
    assert response.status_code == 400
    assert "batch.jsonl:2" in response.json()["file"][0]
    assert "language" in response.json()["file"][0]
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"body": "   "}, "body", "empty"),
        ({}, "body", "empty"),
        ({"body": 42}, "body", "string"),
        ({"body": "Text.", "url": "ftp://example.org/x"}, "url", "http"),
        ({"body": "Text.", "url": "not a url"}, "url", "http"),
        ({"body": "Text.", "language": "english!"}, "language", "BCP 47"),
        ({"body": "Text.", "published": "May 2024"}, "published", "YYYY-MM-DD"),
        ({"body": "Text.", "title": "x" * 501}, "title", "500"),
    ],
)
def test_bad_json_fields_are_named_and_nothing_is_stored(api, payload, field, words):
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400, response.json()
    assert words in response.json()[field][0]
    assert not Document.objects.exists() and not Snapshot.objects.exists()


def test_file_errors(api, settings):
    empty = upload(api, "empty.txt", b"")
    assert empty.status_code == 400 and "empty" in empty.json()["file"][0]
    binary = upload(api, "broken.pdf", b"%PDF-1.4 this is not really a pdf")
    assert binary.status_code == 400 and "Unreadable PDF" in binary.json()["file"][0]
    scanned = upload(api, "scan.pdf", files.image_only_pdf())
    assert scanned.status_code == 400
    assert "no extractable text" in scanned.json()["file"][0]
    bad_docx = upload(api, "x.docx", b"PK\x03\x04 not a zip")
    assert bad_docx.status_code == 400 and "Word" in bad_docx.json()["file"][0]
    unsupported = upload(api, "picture.png", b"\x89PNG\r\n")
    assert unsupported.status_code == 415
    assert ".pdf" in unsupported.json()["file"][0] and ".docx" in unsupported.json()["file"][0]
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 1000
    too_large = upload(api, "big.txt", b"x" * 2000)
    assert too_large.status_code == 413 and "1,000" in too_large.json()["file"][0]
    assert not Document.objects.exists() and not Snapshot.objects.exists()


def test_who_may_add_documents(db, settings, editor):
    reviewer = make_user("rita", groups=["Reviewer"])
    moderator = make_user("moe", groups=["Moderator"])
    _, export_key = create_token(editor, "e", "export")
    _, write_key = create_token(editor, "w", "write")
    _, reviewer_key = create_token(reviewer, "r", "write")

    def post(client, text):
        return client.post(URL, {"body": text}, format="json").status_code

    anonymous = APIClient()
    assert post(anonymous, "a") == 401
    assert post(APIClient(HTTP_AUTHORIZATION=f"Bearer {export_key}"), "b") == 403
    assert post(APIClient(HTTP_AUTHORIZATION=f"Bearer {write_key}"), "c") == 201
    assert post(APIClient(HTTP_AUTHORIZATION=f"Bearer {reviewer_key}"), "d") == 403
    client = APIClient()
    client.force_login(moderator)
    assert post(client, "e") == 201
    settings.DOCUMENT_REVIEWER_SUBMISSIONS = True
    assert post(APIClient(HTTP_AUTHORIZATION=f"Bearer {reviewer_key}"), "f") == 201
    assert Document.objects.count() == 3


def test_create_user_makes_editors(db):
    from django.core.management import call_command

    call_command("create_user", "newsdesk", "--role", "editor", "--password", "long-pass-2026!x")
    client = APIClient()
    client.force_login(User.objects.get(username="newsdesk"))
    assert client.post(URL, {"body": "From the desk."}, format="json").status_code == 201


def test_a_multipart_form_may_carry_the_text_instead_of_a_file(api):
    """The schema's multipart form has an optional ``file``: ``body`` works there as in JSON."""
    response = api.post(
        URL, {"title": "Pasted", "body": "One paragraph.\n\nTwo."}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["passages"] == 2
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    form = schema.json()["paths"][URL]["post"]["requestBody"]["content"]["multipart/form-data"]
    ref = form["schema"]["$ref"].rsplit("/", 1)[1]
    assert "file" not in schema.json()["components"]["schemas"][ref].get("required", [])

"""The "Add a document" page: paste, upload (with preview and corrections), batch, original."""

import io
import re

import pytest

from annotator.models import Document

from . import document_files as files
from .conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, db):
    client.force_login(make_user("eddie", groups=["Editor"]))
    return client


def token_of(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def test_dashboard_links_to_the_page_for_editors_only(client, editor_client, reviewer):
    assert 'href="/documents/new/"' in editor_client.get("/").content.decode()
    client.force_login(reviewer)
    assert 'href="/documents/new/"' not in client.get("/").content.decode()
    assert client.get("/documents/new/").status_code == 403


def test_upload_preview_correct_and_save(editor_client):
    upload = io.BytesIO(files.news_page())
    upload.name = "bridge.html"
    preview = editor_client.post("/documents/new/", {"file": upload})
    assert preview.status_code == 200
    page = preview.content.decode()
    for shown in (
        "Millford votes to rebuild its stone bridge",
        "Jane Porter",
        "2024-05-14",
        "The Valley Courier",
        "Heritage Society",
    ):
        assert shown in page
    assert "Accept all cookies" not in page
    assert not Document.objects.exists()  # a preview stores nothing
    saved = editor_client.post(
        "/documents/new/save/",
        {
            "token": token_of(page),
            "title": "Bridge vote (corrected)",
            "language": "en-GB",
            "source": "Courier",
            "url": "",
            "published": "2024-05-14",
        },
    )
    document = Document.objects.get()
    assert saved.status_code == 302 and saved["Location"].startswith(f"/documents/{document.pk}/")
    assert document.title == "Bridge vote (corrected)" and document.language == "en-GB"
    assert document.source.name == "Courier" and document.author == "Jane Porter"
    reading = editor_client.get(f"/documents/{document.pk}/").content.decode()
    assert f'href="/documents/{document.pk}/original/"' in reading
    original = editor_client.get(f"/documents/{document.pk}/original/")
    assert b"".join(original.streaming_content) == files.news_page()
    assert "sandbox" in original["Content-Security-Policy"]


def test_paste_with_warnings_shown(editor_client):
    text = files.content_farm_page().decode()  # pasted as text: the HTML is kept as typed
    body = "Some article.\n\n**From the Internet, if there is any infringement, contact to delete!"
    preview = editor_client.post("/documents/new/", {"body": body, "title": "Pasted"})
    page = preview.content.decode()
    assert "Content-farm markers" in page and "Pasted" in page
    saved = editor_client.post(
        "/documents/new/save/",
        {
            "token": token_of(page),
            "title": "Pasted",
            "language": "",
            "source": "",
            "url": "",
            "published": "",
        },
    )
    assert saved.status_code == 302
    document = Document.objects.get()
    assert document.title == "Pasted" and document.snapshot.media_type == "text/plain"
    assert text  # the page builder itself works


def test_pdf_preview_shows_pages(editor_client):
    upload = io.BytesIO(files.chinese_pdf())
    upload.name = "report.pdf"
    page = editor_client.post("/documents/new/", {"file": upload}).content.decode()
    assert "好戲開始嘍" in page and "page 2" in page and "zh-Hant" in page


def test_errors_are_shown_on_the_field_and_nothing_is_stored(editor_client):
    both = editor_client.post("/documents/new/", {"body": "x", "url": "https://a.example"})
    assert both.status_code == 200  # a valid paste: preview
    none = editor_client.post("/documents/new/", {"title": "nothing"})
    assert none.status_code == 400 and "one of them" in none.content.decode()
    scan = io.BytesIO(files.image_only_pdf())
    scan.name = "scan.pdf"
    refused = editor_client.post("/documents/new/", {"file": scan})
    assert refused.status_code == 400 and "no extractable text" in refused.content.decode()
    bad = editor_client.post("/documents/new/", {"body": "Text.", "language": "!!"})
    assert bad.status_code == 400 and "BCP 47" in bad.content.decode()
    forged = editor_client.post("/documents/new/save/", {"token": "forged", "title": "x"})
    assert forged.status_code == 400
    assert not Document.objects.exists()


def test_batch_upload(editor_client):
    upload = io.BytesIO(
        b'{"key": "k1", "title": "One", "body": "First."}\n'
        b'{"key": "k2", "title": "Two", "body": "Second."}\n'
    )
    upload.name = "two.jsonl"
    page = editor_client.post("/documents/new/", {"file": upload}).content.decode()
    assert "One" in page and "Two" in page and not Document.objects.exists()
    done = editor_client.post("/documents/new/save/", {"token": token_of(page)})
    assert done.status_code == 200 and Document.objects.count() == 2

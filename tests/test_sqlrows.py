"""annotator.sqlrows: hand-written statements must read and write rows exactly as the ORM."""

import datetime

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from annotator.models import Consensus
from annotator.sqlrows import ModelSQL


def _fields(row: Consensus) -> dict:
    values = model_to_dict(row)
    values.update(id=row.pk, updated_at=row.updated_at, adjudicated_at=row.adjudicated_at)
    return values


def _select_all(table: ModelSQL) -> list[Consensus]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {table.columns} FROM {table.table} c ORDER BY {table.column('key')}"  # noqa: S608
        )
        return [table.instance(values) for values in cursor.fetchall()]


@pytest.mark.django_db
def test_insert_select_update_round_trip_like_the_orm(seeded, moderator):
    doc = seeded["001"]
    table = ModelSQL.for_model(Consensus, "c")
    decided = datetime.datetime(2026, 11, 23, 12, 30, 15, 123456, tzinfo=datetime.UTC)
    rows = [
        Consensus(
            kind="span", key="span:test:1", document=doc, start=0, end=5,
            rating_distribution={"1": 0, "2": 3}, flag_support={"misattributed-quote": 0.5},
            median_reliability=2.5, computed_status="disputed", status="disputed",
        ),
        Consensus(
            kind="span", key="span:test:2", document=doc, start=6, end=9,
            adjudicated_flags=["好戲", "🎭"], adjudication_reason="checked 好戲開始嘍",
            adjudicated_by=moderator, adjudicated_at=decided, adjudicated_reliability=1,
            computed_status="agreed", status="adjudicated",
        ),
    ]  # fmt: skip
    with transaction.atomic():
        table.insert_ignoring_conflicts(rows, unique_field="key")
        # The same keys again: ignored, nothing changes, no error.
        clash = Consensus(kind="span", key="span:test:1", document=doc, start=1, end=2)
        table.insert_ignoring_conflicts([clash], unique_field="key")

    loaded = _select_all(table)
    through_orm = list(Consensus.objects.order_by("key"))
    assert [_fields(row) for row in loaded] == [_fields(row) for row in through_orm]
    first, second = loaded
    assert (first.start, first.end, first.flag_support) == (0, 5, {"misattributed-quote": 0.5})
    assert second.adjudicated_flags == ["好戲", "🎭"]
    assert second.adjudicated_at == decided and second.updated_at.tzinfo is not None
    assert second._state.adding is False and second._state.db == "default"

    first.reviewer_count, first.flag_support = 7, {"loaded-language": 1.0}
    first.adjudication_reason = "not saved: not among the updated fields"
    first.updated_at = timezone.now()
    table.update(first, ["reviewer_count", "flag_support", "updated_at"])
    stored = Consensus.objects.get(pk=first.pk)
    assert (stored.reviewer_count, stored.flag_support) == (7, {"loaded-language": 1.0})
    assert stored.adjudication_reason == ""
    assert stored.updated_at == first.updated_at

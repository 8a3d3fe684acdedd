"""Apache Parquet export (optional: ``pip install .[parquet]`` brings pyarrow).

Written in row groups of ``ROW_GROUP`` rows: each group is encoded and sent as soon as it is
full, so memory stays flat whatever the size of the export. Lists stay lists
(``list<string>``), maps stay maps, times are UTC timestamps: no JSON inside cells.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime

ROW_GROUP = 10_000
CONTENT_TYPE = "application/vnd.apache.parquet"


def available() -> bool:
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


def _time(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _schemas():
    import pyarrow as pa

    utc = pa.timestamp("us", tz="UTC")
    text_list = pa.list_(pa.string())
    annotations = pa.schema(
        [
            ("id", pa.int64()),
            ("document", pa.int64()),
            ("document_sha256", pa.string()),
            ("reviewer", pa.string()),
            ("start", pa.int32()),
            ("end", pa.int32()),
            ("exact", pa.string()),
            ("prefix", pa.string()),
            ("suffix", pa.string()),
            ("reliability", pa.int8()),
            ("reliability_label", pa.string()),
            ("flags", text_list),
            ("note", pa.string()),
            ("evidence", text_list),
            ("claim_id", pa.int64()),
            ("claim_text", pa.string()),
            ("claim_language", pa.string()),
            ("suggestion", pa.int64()),
            ("status", pa.string()),
            ("version", pa.int32()),
            ("created_at", utc),
            ("updated_at", utc),
            ("deleted_at", utc),
        ]
    )
    consensus = pa.schema(
        [
            ("id", pa.int64()),
            ("key", pa.string()),
            ("kind", pa.string()),
            ("document", pa.int64()),
            ("passage", pa.int64()),
            ("claim", pa.int64()),
            ("start", pa.int32()),
            ("end", pa.int32()),
            ("reviewer_count", pa.int32()),
            ("rating_count", pa.int32()),
            ("median_reliability", pa.float64()),
            ("median_label", pa.string()),
            ("q1_reliability", pa.float64()),
            ("q3_reliability", pa.float64()),
            ("rating_distribution", pa.map_(pa.string(), pa.int64())),
            ("flag_support", pa.map_(pa.string(), pa.float64())),
            ("computed_status", pa.string()),
            ("status", pa.string()),
            ("decided_reliability", pa.float64()),
            ("decided_label", pa.string()),
            ("decided_flags", text_list),
            ("adjudication_reason", pa.string()),
            ("adjudicated_at", utc),
            ("adjudication_stale", pa.bool_()),
            ("updated_at", utc),
            ("deleted_at", utc),
        ]
    )
    return {"annotations": annotations, "consensus": consensus}


class _Sink:
    """A write-only file for ParquetWriter whose bytes are taken out after each row group."""

    def __init__(self):
        self.buffer = bytearray()
        self.closed = False

    def write(self, data) -> int:
        self.buffer += data
        return len(data)

    def flush(self):
        pass

    def close(self):
        self.closed = True

    def take(self) -> bytes:
        data = bytes(self.buffer)
        self.buffer.clear()
        return data


def _column_value(name: str, value):
    if value is None:
        return None
    if name.endswith("_at"):
        return _time(value)
    if name in ("rating_distribution", "flag_support"):
        return list(value.items())
    return value


def parquet_document(records: Iterable[dict], what: str) -> Iterator[bytes]:
    """``what``: "annotations" or "consensus"; records as the JSON formats carry them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _schemas()[what]
    names = schema.names

    def parts():
        sink = _Sink()
        writer = pq.ParquetWriter(sink, schema, compression="zstd")
        batch: list[dict] = []

        def flush():
            columns = {
                name: [_column_value(name, record.get(name)) for record in batch] for name in names
            }
            writer.write_table(pa.Table.from_pydict(columns, schema=schema))
            batch.clear()
            return sink.take()

        for record in records:
            batch.append(record)
            if len(batch) >= ROW_GROUP:
                yield flush()
        if batch:
            yield flush()
        writer.close()
        yield sink.take()

    return parts()

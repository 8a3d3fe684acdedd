"""Apache Parquet export (optional: ``pip install .[parquet]`` brings pyarrow).

Written in row groups of ``ROW_GROUP`` rows: each group is encoded and sent as soon as it is
full, so memory stays flat whatever the size of the export. On PostgreSQL the rows come as
JSON lines written by the database (``pgrows``) and Arrow's JSON reader parses a whole row
group at once; elsewhere, and for tombstones, from records. Lists stay lists
(``list<string>``), maps stay maps, times are UTC timestamps: no JSON inside cells.
"""

import os
from collections.abc import Iterable, Iterator
from datetime import datetime

# Arrow's default allocator (mimalloc) keeps memory it has freed, and its arenas are set up
# when pyarrow is first imported; the system allocator returns large blocks at once, so a
# streamed export's memory stays flat. Set before pyarrow loads (it is imported lazily, only
# by exports); a value in the environment wins.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

ROW_GROUP = 2_000
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


def _entries_type(map_type):
    """A map as ``pgrows`` writes it for Arrow's JSON reader: ``{"k": [keys], "v": [values]}``."""
    import pyarrow as pa

    return pa.struct([("k", pa.list_(map_type.key_type)), ("v", pa.list_(map_type.item_type))])


# Columns with few distinct values, dictionary-encoded; the others (texts, ids, times) are
# mostly distinct, where a dictionary costs memory and time and saves nothing.
_REPEATED = {
    "document_sha256", "reviewer", "reliability_label", "status", "claim_text",
    "claim_language", "kind", "median_label", "computed_status", "decided_label",
}  # fmt: skip
_CLAIM_COLUMNS = {"claim_id": "id", "claim_text": "text", "claim_language": "language"}


def _line_schema(schema):
    """The schema the JSON lines from ``pgrows`` (``annotation_json``,
    ``consensus_parquet_lines``) are read with."""
    import pyarrow as pa

    fields = []
    for field in schema:
        if pa.types.is_map(field.type):
            fields.append(pa.field(field.name, _entries_type(field.type)))
        elif field.name in _CLAIM_COLUMNS:
            if field.name == "claim_id":
                claim = [(key, schema.field(name).type) for name, key in _CLAIM_COLUMNS.items()]
                fields.append(pa.field("claim", pa.struct(claim)))
        else:
            fields.append(field)
    return pa.schema(fields)


def _table_from_lines(lines: bytearray, schema, line_schema):
    """Arrow's JSON reader (C++) parses a row group's lines; maps and the claim are reshaped.

    One thread: more would each keep buffers, and the export's memory must stay small.
    """
    import pyarrow as pa
    import pyarrow.json as pj

    read = pj.read_json(
        pa.py_buffer(lines),
        read_options=pj.ReadOptions(block_size=len(lines) + 1, use_threads=False),
        parse_options=pj.ParseOptions(
            explicit_schema=line_schema, unexpected_field_behavior="ignore"
        ),
    )
    columns = []
    for field in schema:
        if pa.types.is_map(field.type):
            entries = read.column(field.name).combine_chunks()
            keys, values = entries.field("k"), entries.field("v")
            columns.append(
                pa.MapArray.from_arrays(
                    keys.offsets,
                    keys.values,
                    values.values,
                    type=field.type,
                    mask=entries.is_null(),
                )
            )
        elif field.name in _CLAIM_COLUMNS:
            claim = read.column("claim").combine_chunks()
            # The reader writes a null claim's members as nulls too.
            columns.append(claim.field(_CLAIM_COLUMNS[field.name]))
        else:
            columns.append(read.column(field.name))
    return pa.Table.from_arrays(columns, schema=schema)


def _after_lines(text: str, count: int) -> int:
    """The index just after the ``count``-th line end of ``text`` (its length if fewer)."""
    position = -1
    for _ in range(count):
        position = text.find("\n", position + 1)
        if position < 0:
            return len(text)
    return position + 1


def parquet_document(
    records: Iterable[dict], what: str, lines: Iterable[str] = ()
) -> Iterator[bytes]:
    """``what``: "annotations" or "consensus"; records as the JSON formats carry them.

    ``lines``: blocks of rows already written as JSON lines by PostgreSQL (``pgrows``), put
    before ``records``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _schemas()[what]
    names = schema.names
    line_schema = _line_schema(schema)

    def parts():
        sink = _Sink()
        writer = pq.ParquetWriter(
            sink,
            schema,
            compression="zstd",
            use_dictionary=[name for name in names if name in _REPEATED],
        )
        group, rows = bytearray(), 0
        for block in lines:
            while block:
                cut = _after_lines(block, ROW_GROUP - rows)
                group += block[:cut].encode()
                rows += block.count("\n", 0, cut)
                block = block[cut:]
                if rows == ROW_GROUP:
                    writer.write_table(_table_from_lines(group, schema, line_schema))
                    group, rows = bytearray(), 0
                    yield sink.take()
        if rows:
            writer.write_table(_table_from_lines(group, schema, line_schema))
            yield sink.take()
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

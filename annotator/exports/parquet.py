"""Apache Parquet export (optional: ``pip install .[parquet]`` brings pyarrow).

Written in row groups of ``ROW_GROUP`` rows: each group is encoded and sent as soon as it is
full, so memory stays flat whatever the size of the export. On PostgreSQL the database
writes the rows (``pgrows``) and Arrow parses a whole row group at once: annotations as JSON
lines (Arrow's JSON reader), consensus rows as plain CSV columns (Arrow's CSV reader; the maps
and lists put together with numpy, see ``consensus_tables``). Elsewhere, and for tombstones,
the rows come from records. Lists stay lists (``list<string>``), maps stay maps, times are UTC
timestamps: no JSON inside cells.
"""

import json
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


# Columns with few distinct values, dictionary-encoded; the others (texts, ids, times) are
# mostly distinct, where a dictionary costs memory and time and saves nothing.
_REPEATED = {
    "document_sha256", "reviewer", "reliability_label", "status", "claim_text",
    "claim_language", "kind", "median_label", "computed_status", "decided_label",
}  # fmt: skip
_CLAIM_COLUMNS = {"claim_id": "id", "claim_text": "text", "claim_language": "language"}


def _line_schema(schema):
    """The schema the JSON lines from ``pgrows.annotation_json`` are read with."""
    import pyarrow as pa

    fields = []
    for field in schema:
        if field.name in _CLAIM_COLUMNS:
            if field.name == "claim_id":
                claim = [(key, schema.field(name).type) for name, key in _CLAIM_COLUMNS.items()]
                fields.append(pa.field("claim", pa.struct(claim)))
        else:
            fields.append(field)
    return pa.schema(fields)


def _table_from_lines(lines: bytearray, schema, line_schema):
    """Arrow's JSON reader (C++) parses a row group's lines; the claim is reshaped.

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
        if field.name in _CLAIM_COLUMNS:
            claim = read.column("claim").combine_chunks()
            # The reader writes a null claim's members as nulls too.
            columns.append(claim.field(_CLAIM_COLUMNS[field.name]))
        else:
            columns.append(read.column(field.name))
    return pa.Table.from_arrays(columns, schema=schema)


def consensus_tables(blocks: Iterable[bytes], names: list[str], map_keys: dict) -> Iterator:
    """Row groups of the consensus schema from ``pgrows.csv_rows`` blocks of the columns
    ``names`` (``pgrows.consensus_parquet_columns(map_keys)``).

    Arrow's CSV reader (C++) parses each block into typed columns; the maps are put together
    from their key columns and the decided flags from their JSON lists with numpy, in bulk.
    A block whose values fall outside those fast forms (a map key not in ``map_keys``, a
    flag with a JSON escape) is put together row by row instead: the same values.
    """
    import pyarrow as pa
    import pyarrow.csv as pc

    schema = _schemas()["consensus"]
    types = {name: schema.field(name).type for name in names if name in schema.names}
    for name in names:
        field, colon, key = name.partition(":")
        if colon:
            types[name] = pa.string() if not key else schema.field(field).type.item_type
    types["decided_flags"] = pa.string()
    read_options = {"column_names": names, "use_threads": False}
    parse_options = pc.ParseOptions(newlines_in_values=True)
    convert_options = pc.ConvertOptions(
        column_types=types,
        null_values=[""],
        true_values=["t"],
        false_values=["f"],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    for block in blocks:
        read = pc.read_csv(
            pa.py_buffer(block),
            read_options=pc.ReadOptions(block_size=len(block) + 1, **read_options),
            parse_options=parse_options,
            convert_options=convert_options,
        )
        columns = []
        for field in schema:
            if pa.types.is_map(field.type):
                columns.append(_map_column(read, field, map_keys[field.name]))
            elif field.name == "decided_flags":
                columns.append(_slug_lists(read.column(field.name).combine_chunks()))
            elif field.name == "deleted_at":
                columns.append(pa.nulls(read.num_rows, field.type))
            else:
                columns.append(read.column(field.name))
        yield pa.Table.from_arrays(columns, schema=schema)


def _map_column(read, field, keys: tuple[str, ...]):
    """A map from its columns ``field:key`` (value or null) and ``field:`` (the map's JSON
    where it has other keys); entries in ``keys``' order, which is the stored order."""
    import numpy as np
    import pyarrow as pa

    other = read.column(f"{field.name}:")
    rows = read.num_rows
    if other.null_count < rows:
        texts = other.to_pylist()
        values = [read.column(f"{field.name}:{key}").to_pylist() for key in keys]
        entries = [
            list(json.loads(text).items())
            if text is not None
            else [(key, value[row]) for key, value in zip(keys, values, strict=True)
                  if value[row] is not None]
            for row, text in enumerate(texts)
        ]  # fmt: skip
        return pa.array(entries, type=field.type)
    dtype = np.float64 if pa.types.is_floating(field.type.item_type) else np.int64
    present = np.zeros((rows, len(keys)), dtype=bool)
    values = np.zeros((rows, len(keys)), dtype=dtype)
    for index, key in enumerate(keys):
        column = read.column(f"{field.name}:{key}").combine_chunks()
        present[:, index], values[:, index] = _present_values(column, dtype)
    entry = np.flatnonzero(present)  # row by row, each row's keys in order
    offsets = np.zeros(rows + 1, dtype=np.int32)
    np.cumsum(present.sum(axis=1), out=offsets[1:])
    encoded = [key.encode() for key in keys]
    lengths = np.array([len(key) for key in encoded], dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    which = entry % max(len(keys), 1)
    key_bytes = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    names = _strings(key_bytes, starts[which], lengths[which])
    return pa.MapArray.from_arrays(
        _array(offsets, pa.int32()),
        names,
        _array(values.reshape(-1)[entry], field.type.item_type),
        type=field.type,
    )


def _present_values(array, dtype):
    """Where a numeric array has a value, and its values (0 where null), read from its buffers:
    pyarrow's own conversion imports pandas (28 MB) for an array with nulls."""
    import numpy as np

    rows, offset = len(array), array.offset
    validity, data = array.buffers()
    if data is None:
        values = np.zeros(rows, dtype=dtype)
    else:
        values = np.frombuffer(data, dtype=dtype)[offset : offset + rows]
    if validity is None:
        return np.ones(rows, dtype=bool), values
    bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
    present = bits[offset : offset + rows].astype(bool)
    return present, np.where(present, values, 0)


def _slug_lists(texts):
    """Lists of strings from their JSON text (``["a", "b"]``): the strings are the bytes
    between pairs of quotes, unless a backslash (an escape) is anywhere in the block."""
    import numpy as np
    import pyarrow as pa

    list_type = pa.list_(pa.string())
    _, offset_buffer, data_buffer = texts.buffers()
    offsets = np.frombuffer(offset_buffer, dtype=np.int32)
    offsets = offsets[texts.offset : texts.offset + len(texts) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
    offsets = offsets - offsets[0]
    if (data == ord("\\")).any():
        return pa.array([json.loads(text) for text in texts.to_pylist()], type=list_type)
    quotes = np.flatnonzero(data == ord('"'))
    opening, closing = quotes[0::2], quotes[1::2]
    items = _strings(data, opening + 1, closing - opening - 1)
    lists = np.searchsorted(opening, offsets).astype(np.int32)
    return pa.ListArray.from_arrays(_array(lists, pa.int32()), items, type=list_type)


def _array(values, value_type):
    """A numpy array's values as an Arrow array, without copying (``pa.array`` would import
    pandas where it is installed: 28 MB more in a worker)."""
    import pyarrow as pa

    return pa.Array.from_buffers(value_type, len(values), [None, pa.py_buffer(values)])


def _strings(data, starts, lengths):
    """A string array of ``data[start:start + length]`` for each start and length (UTF-8)."""
    import numpy as np
    import pyarrow as pa

    offsets = np.zeros(len(starts) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    positions = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])
    return pa.StringArray.from_buffers(
        len(starts), pa.py_buffer(offsets), pa.py_buffer(data[positions].tobytes())
    )


def _after_lines(text: str, count: int) -> int:
    """The index just after the ``count``-th line end of ``text`` (its length if fewer)."""
    position = -1
    for _ in range(count):
        position = text.find("\n", position + 1)
        if position < 0:
            return len(text)
    return position + 1


def parquet_document(
    records: Iterable[dict], what: str, lines: Iterable[str] = (), tables: Iterable = ()
) -> Iterator[bytes]:
    """``what``: "annotations" or "consensus"; records as the JSON formats carry them.

    Put before ``records``: ``tables``, row groups already in the schema
    (``consensus_tables``), then ``lines``, blocks of rows written as JSON lines by
    PostgreSQL (``pgrows.annotation_json``).
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
        for table in tables:
            writer.write_table(table)
            yield sink.take()
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

# ruff: noqa: S608 -- SQL built from constants and literal()-escaped settings, no user input
"""SQL that writes export text exactly as the Python formatters do (the PostgreSQL fast paths).

At 100k rows most of a Python export's time went into turning database values into Python
objects and back into text. These expressions let PostgreSQL write each value's text itself:
compact JSON as ``formats.dumps`` writes it (``ensure_ascii=False``, no spaces), and CSV cells
as ``formats.csv_cell`` and Python's ``csv`` writer write them (formula guard, minimal
quoting). They only annotate the export's own queryset, so the rows stay exactly those the
visibility policy and the pull allow. tests/test_exports_fastpaths.py checks byte equality
with the Python path on PostgreSQL.

What is relied on, PostgreSQL 15:

* ``to_json(text)`` escapes exactly the characters Python's encoder escapes (``"``, ``\\``
  and U+0000–U+001F, with the same short forms and lower-case ``\\u00xx``);
* ``float8`` text is the shortest round-trip form, as Python's ``repr``; Python adds ``.0`` to
  integral values and switches to exponents at 1e16 (PostgreSQL at 1e15): ratings and shares
  (0–5) are far from it;
* ``jsonb`` objects keep one key order (what Python's ``json.loads`` also sees), which their
  text follows (the consensus maps are written from it).
"""

import re

from django.db.models import Func, TextField

from . import formats

_PART = re.compile(r"⟨(\w+)⟩")
# A float8 as Python's repr writes it: PostgreSQL's shortest form, ``.0`` when integral.
# Plain CASE expressions throughout, no sub-selects: each sub-select is a sub-plan run per row.
# Integral below 1e15 (where PostgreSQL's text has no exponent): arithmetic tests, not a regex.
_FLOAT = (
    "CASE WHEN ({x}) = trunc({x}) AND abs({x}) < 1e15 THEN ({x})::text || '.0' ELSE ({x})::text END"
)
# A jsonb scalar as Python's ``json.dumps(json.loads(...))`` writes it.
_JSON_SCALAR = (
    "CASE WHEN jsonb_typeof({v}) = 'number' AND ({v})::text !~ '^-?[0-9]+$' "
    "THEN " + _FLOAT.format(x="(({v})::text)::float8") + " ELSE ({v})::text END"
)
# A jsonb scalar as Python's ``str()`` writes it (CSV cells).
_STR_SCALAR = (
    "CASE jsonb_typeof({v}) WHEN 'string' THEN ({v}) #>> '{{}}' "
    "WHEN 'boolean' THEN CASE WHEN ({v})::text = 'true' THEN 'True' ELSE 'False' END "
    "WHEN 'null' THEN 'None' ELSE " + _JSON_SCALAR + " END"
)


class Sql(Func):
    """A SQL template with named parts: ``Sql("lower(⟨a⟩)", a=F("name"))``.

    A part may appear more than once (its parameters are repeated); ``%`` in the template's
    own text is escaped, so literals built from settings (IRIs) are safe.
    """

    output_field = TextField()

    def __init__(self, template: str, **parts):
        self.template_text = template
        self.part_names = list(parts)
        super().__init__(*parts.values(), output_field=TextField())

    def as_sql(self, compiler, connection, **extra_context):
        compiled = {
            name: compiler.compile(expression)
            for name, expression in zip(self.part_names, self.get_source_expressions(), strict=True)
        }
        pieces, params, last = [], [], 0
        for match in _PART.finditer(self.template_text):
            pieces.append(self.template_text[last : match.start()].replace("%", "%%"))
            sql, part_params = compiled[match.group(1)]
            pieces.append(f"({sql})")
            params.extend(part_params)
            last = match.end()
        pieces.append(self.template_text[last:].replace("%", "%%"))
        return "".join(pieces), params


def literal(text: str) -> str:
    """A SQL string literal (standard conforming strings: only ``'`` is doubled)."""
    return "'" + text.replace("'", "''") + "'"


def concat(*parts) -> Sql:
    """Text parts in order; a ``str`` is literal text, anything else an expression (never NULL).

    ``concat()`` takes at most 100 arguments: longer lists are nested.
    """
    merged: list = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if merged and isinstance(merged[-1], str):
                merged[-1] += part
                continue
        merged.append(part)
    if len(merged) > 90:
        merged = [concat(*merged[i : i + 90]) for i in range(0, len(merged), 90)]
    names, sql = {}, []
    for part in merged:
        if isinstance(part, str):
            sql.append(literal(part))
        else:
            name = f"p{len(names)}"
            names[name] = part
            sql.append(f"⟨{name}⟩")
    if len(sql) == 1 and not names:
        return Sql(sql[0])
    return Sql("concat(" + ", ".join(sql) + ")", **names)


# JSON values, as ``formats.dumps`` writes them. NULL is ``null``.


def json_text(expression) -> Sql:
    return Sql("COALESCE(to_json((⟨x⟩)::text)::text, 'null')", x=expression)


def json_plain_text(expression) -> Sql:
    """A text that JSON writes as it is (a choice value, see ``pgrows``): no escaping."""
    return Sql("COALESCE('\"' || ⟨x⟩ || '\"', 'null')", x=expression)


def json_int(expression) -> Sql:
    return Sql("COALESCE((⟨x⟩)::text, 'null')", x=expression)


def json_float(expression) -> Sql:
    return Sql(
        "CASE WHEN ⟨x⟩ IS NULL THEN 'null' ELSE " + _FLOAT.format(x="⟨x⟩") + " END", x=expression
    )


def json_bool(expression) -> Sql:
    return Sql("CASE WHEN ⟨x⟩ THEN 'true' WHEN NOT ⟨x⟩ THEN 'false' ELSE 'null' END", x=expression)


def json_text_array(expression) -> Sql:
    """A ``text[]`` as a JSON list of strings (``array_to_json`` writes no spaces)."""
    return Sql("COALESCE(array_to_json(⟨x⟩)::text, 'null')", x=expression)


# The fast form of a jsonb list of plain strings (evidence). ``jsonb::text`` writes it with a
# space after each ``,``. With no backslash in the text no string holds a ``"``, so no
# separator can hide inside one and removing those spaces is exact; other lists take an exact,
# slower sub-select per item.
SIMPLE_LIST = "{t} = '[]' OR {t} ~ " + "'" + r'^\[("[^"\\]*"(, "[^"\\]*")*)?\]$' + "'"


def _text_once(template: str, x) -> Sql:
    """``template`` (on ``⟨x⟩``, a jsonb, and ``(⟨x⟩)::text``) with the text made once.

    Converting jsonb to text costs about as much as the tests on it; ``OFFSET 0`` keeps
    PostgreSQL from copying the conversion back into every use.
    """
    body = template.replace("(⟨x⟩)::text", "_t.t").replace("⟨x⟩", "_t.j")
    return Sql(
        "(SELECT " + body + " FROM (SELECT _s.j, (_s.j)::text AS t "
        "FROM (SELECT ⟨x⟩ AS j) AS _s OFFSET 0) AS _t)",
        x=x,
    )


def json_jsonb_list(expression) -> Sql:
    """A jsonb list of scalars, re-written compactly."""
    item = _JSON_SCALAR.format(v="_e.v")
    return _text_once(
        "CASE WHEN ⟨x⟩ IS NULL THEN 'null' "
        "WHEN " + SIMPLE_LIST.format(t="(⟨x⟩)::text") + " "
        "THEN replace((⟨x⟩)::text, '\", \"', '\",\"') "
        "ELSE (SELECT '[' || COALESCE(string_agg("
        + item
        + ", ',' ORDER BY _e.o), '') || ']' FROM jsonb_array_elements(⟨x⟩) WITH ORDINALITY"
        " AS _e(v, o)) END",
        x=expression,
    )


# The consensus maps (flag slug or rating → number) are plain by a database rule
# (``consensus_maps_plain``, migration 0016): slugs for keys, numbers that JSON writes without
# an exponent for values. ``jsonb::text`` writes them with a space after each ``:`` and ``,``,
# and a number as PostgreSQL keeps what Python's ``json`` wrote (its shortest round-trip
# form), which the Python path reads back and writes again unchanged: dropping the spaces is
# exact, with no check per row.


def jsonb_key_order(keys) -> tuple[str, ...]:
    """Keys as a jsonb object keeps them: shortest first (in UTF-8 bytes), then bytewise."""
    return tuple(sorted(keys, key=lambda key: (len(key.encode()), key.encode())))


def json_slug_map(expression) -> Sql:
    """A consensus map, compact, in its stored key order."""
    return Sql(
        "COALESCE(replace(replace((⟨x⟩)::text, '\": ', '\":'), ', \"', ',\"'), 'null')",
        x=expression,
    )


def csv_slug_map(expression) -> Sql:
    """A consensus map as ``k=v;k=v`` (``{"a": 1, "b": 0.5}`` → ``a=1;b=0.5``, ``{}`` → empty).

    Slugs and numbers need no list escape and no quotes; only a slug's leading ``-`` needs
    the formula guard.
    """
    cell = "rtrim(ltrim(replace(replace((⟨x⟩)::text, '\": ', '='), ', \"', ';'), '{\"'), '}')"
    return Sql(
        "CASE WHEN ⟨x⟩ IS NULL THEN '' WHEN left((⟨x⟩)::text, 3) = '{\"-' "
        "THEN '''' || " + cell + " ELSE " + cell + " END",
        x=expression,
    )


def iso_time(expression, *, z: bool = False) -> Sql:
    """A UTC timestamp as ``isoformat()`` writes it (microseconds only when non-zero), or NULL.

    ``z``: ``Z`` instead of ``+00:00`` (``webanno.utc_z``).
    """
    zone = "Z" if z else "+00:00"
    # One to_char with microseconds, whose ``.000000`` is then dropped (it can only stand
    # right before the zone).
    return Sql(
        f"replace(to_char(⟨x⟩ AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"{zone}\"'), "
        f"'.000000{zone[0]}', '{zone[0]}')",
        x=expression,
    )


def json_time(expression, *, z: bool = False) -> Sql:
    return Sql("COALESCE('\"' || ⟨t⟩ || '\"', 'null')", t=iso_time(expression, z=z))


def json_object(*pairs, head: str = "") -> Sql:
    """``{"key":value,...}``; each value an expression writing JSON (never NULL).

    ``head``: JSON text put first inside the braces (constant members, with a comma).
    """
    parts: list = ["{" + head]
    for index, (key, value) in enumerate(pairs):
        parts.append(("," if index else "") + formats.dumps(key) + ":")
        parts.append(value)
    parts.append("}")
    return concat(*parts)


# CSV cells, as ``formats.csv_cell`` and the ``csv`` writer (minimal quoting) write them.

# The formula guard (``formats.neutralise_formula``: a leading ``'``), then minimal quoting (a
# cell holding ``,``, ``"``, CR or LF is quoted, ``"`` doubled). ``{x}``: a text, not NULL.
_NEEDS_QUOTES = "{x} ~ '[\",\\r\\n]'"
_GUARD_AND_QUOTE = (
    "CASE WHEN {x} ~ '^[-=+@\\t\\r'']' THEN CASE WHEN " + _NEEDS_QUOTES + " "
    "THEN '\"''' || replace({x}, '\"', '\"\"') || '\"' ELSE '''' || {x} END "
    "WHEN " + _NEEDS_QUOTES + " THEN '\"' || replace({x}, '\"', '\"\"') || '\"' "
    "ELSE {x} END"
)


def csv_text(expression) -> Sql:
    """A text cell: the formula guard (``formats.neutralise_formula``), then quoting."""
    return Sql(
        "CASE WHEN ⟨x⟩ IS NULL THEN '' ELSE " + _GUARD_AND_QUOTE.format(x="(⟨x⟩)::text") + " END",
        x=expression,
    )


def csv_plain(expression) -> Sql:
    """A cell that never needs the guard or quotes: a number, a time, a hash, a status or
    kind (choices), a group key, a label (see ``pgrows``); its text, empty for NULL.

    Checking such values anyway repeats their whole expression in the SQL for every test.
    """
    return Sql("COALESCE((⟨x⟩)::text, '')", x=expression)


def csv_float(expression) -> Sql:
    return Sql(
        "CASE WHEN ⟨x⟩ IS NULL THEN '' ELSE " + _FLOAT.format(x="⟨x⟩") + " END", x=expression
    )


def csv_bool(expression) -> Sql:
    return Sql("CASE WHEN ⟨x⟩ THEN 'True' WHEN NOT ⟨x⟩ THEN 'False' ELSE '' END", x=expression)


def _list_item(sql: str) -> str:
    """``formats.list_item``: ``\\`` → ``\\\\``, ``;`` → ``\\;``."""
    return f"replace(replace({sql}, '\\', '\\\\'), ';', '\\;')"


def csv_list_item(item: str) -> str:
    """SQL: the cell of a list whose only item is ``item`` (SQL text; NULL: an empty list)."""
    return (
        f"CASE WHEN ({item}) IS NULL THEN '' ELSE "
        + _GUARD_AND_QUOTE.format(x="(" + _list_item(f"({item})") + ")")
        + " END"
    )


def csv_text_array(expression, *, once: bool = True) -> Sql:
    """A ``text[]`` cell: items joined by ``;`` (escaped by ``annotator_list_cell``, migration
    0016), guarded and quoted.

    ``once``: the cell is made once, in a sub-select (``OFFSET 0`` keeps PostgreSQL from
    copying the expression into each use of it). Without, it is made again in each use and
    the row keeps no sub-select (which would keep it out of parallel workers): for a value
    that is rarely there.
    """
    if not once:
        return Sql(_GUARD_AND_QUOTE.format(x="annotator_list_cell(⟨x⟩)"), x=expression)
    return Sql(
        "(SELECT "
        + _GUARD_AND_QUOTE.format(x="_a.s")
        + " FROM (SELECT annotator_list_cell(⟨x⟩) AS s OFFSET 0) AS _a)",
        x=expression,
    )


def csv_jsonb_list(expression) -> Sql:
    """A jsonb list cell: items joined by ``;`` (escaped), guarded and quoted; empty for NULL.

    A simple list's items hold no ``\\``, so escaping is ``;`` → ``\\;`` over its whole text;
    any other list is written item by item in a sub-select.
    """
    simple = (
        "CASE WHEN (⟨x⟩)::text = '[]' THEN '' ELSE replace(replace(substr((⟨x⟩)::text, 3, "
        "length((⟨x⟩)::text) - 4), ';', '\\;'), '\", \"', ';') END"
    )
    item = _list_item("(" + _STR_SCALAR.format(v="_e.v") + ")")
    exact = (
        "(SELECT "
        + _GUARD_AND_QUOTE.format(x="_j.s")
        + " FROM (SELECT COALESCE(string_agg("
        + item
        + ", ';' ORDER BY _e.o), '') AS s "
        "FROM jsonb_array_elements(⟨x⟩) WITH ORDINALITY AS _e(v, o)) AS _j)"
    )
    return _text_once(
        "CASE WHEN ⟨x⟩ IS NULL THEN '' WHEN (⟨x⟩)::text = '[]' THEN '' "
        "WHEN (" + SIMPLE_LIST.format(t="(⟨x⟩)::text") + ") "
        "THEN " + _GUARD_AND_QUOTE.format(x=f"({simple})") + " ELSE " + exact + " END",
        x=expression,
    )


def csv_line(cells, newline: str) -> Sql:
    """One CSV row: cells joined by ``,`` and ended with ``newline`` but its final LF, which
    ``COPY`` writes after each row (``pgrows._lines``)."""
    parts: list = []
    for index, cell in enumerate(cells):
        if index:
            parts.append(",")
        parts.append(cell)
    parts.append(newline.removesuffix("\n"))
    return concat(*parts)

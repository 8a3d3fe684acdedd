"""What the PostgreSQL export fast paths rely on (annotator/exports/pgrows.py), in the database.

* ``consensus_maps_plain``: ``flag_support`` and ``rating_distribution`` are objects of slugs to
  numbers that JSON writes without an exponent (0, or 1e-4 up to 1e15). The writers only ever
  store such maps; with the rule in the database, an export writes a map straight from its
  stored text, with no per-row check and no sub-select.
* ``annotator_decided_flags`` and ``annotator_list_cell``: the decided flags of a group and a
  CSV list cell, as functions PostgreSQL may run in parallel workers (a sub-select in a row's
  expression keeps the whole row in the leader).

SQLite keeps the Python path, so this is PostgreSQL only.
"""

from django.db import migrations

_PLAIN = (
    "NOT jsonb_path_exists({column}, '$.keyvalue() ? (!(@.key like_regex \"^[-a-zA-Z0-9_]+$\")"
    " || @.value.type() != \"number\" || @.value < 0 || @.value >= 1e15"
    " || (@.value > 0 && @.value < 0.0001))')"
)
FORWARD = [
    "ALTER TABLE annotator_consensus ADD CONSTRAINT consensus_maps_plain CHECK ("
    "jsonb_typeof(flag_support) = 'object' AND jsonb_typeof(rating_distribution) = 'object' AND "
    + _PLAIN.format(column="flag_support")
    + " AND "
    + _PLAIN.format(column="rating_distribution")
    + ")",
    """
    CREATE FUNCTION annotator_decided_flags(status text, adjudicated jsonb, support jsonb,
                                            upper_share float8)
    RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE WHEN status = 'adjudicated' THEN
               ARRAY(SELECT f.v FROM jsonb_array_elements_text(adjudicated)
                       WITH ORDINALITY AS f(v, o) ORDER BY f.o)
             ELSE
               ARRAY(SELECT s.k FROM jsonb_each(support) AS s(k, v)
                      WHERE (s.v)::text::float8 >= upper_share ORDER BY s.k COLLATE "C")
             END
    $$
    """,
    """
    CREATE FUNCTION annotator_list_cell(items text[])
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
      SELECT COALESCE(string_agg(replace(replace(i.v, '\\', '\\\\'), ';', '\\;'), ';'
                                 ORDER BY i.o), '')
        FROM unnest(items) WITH ORDINALITY AS i(v, o)
    $$
    """,
]
BACKWARD = [
    "DROP FUNCTION annotator_list_cell(text[])",
    "DROP FUNCTION annotator_decided_flags(text, jsonb, jsonb, float8)",
    "ALTER TABLE annotator_consensus DROP CONSTRAINT consensus_maps_plain",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("annotator", "0015_consensus_quotes")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]

"""``annotator_json_items``: the JSON-LD fast path's list of tagging bodies, as a function.

Written as a sub-select in the row's expression, the list kept every consensus JSON-LD row in
PostgreSQL's leader process; a ``PARALLEL SAFE`` function may run in parallel workers
(docs/exports.md, "Speed"). PostgreSQL only, as migration 0016.
"""

from importlib import import_module

from django.db import migrations

# Run on PostgreSQL only, as migration 0016's statements are.
_run = import_module("annotator.migrations.0016_consensus_export_sql")._run

FORWARD = [
    """
    CREATE FUNCTION annotator_json_items(items text[], head text, tail text)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
      SELECT COALESCE(string_agg(head || to_json(i.v)::text || tail, '' ORDER BY i.o), '')
        FROM unnest(items) WITH ORDINALITY AS i(v, o)
    $$
    """,
]
BACKWARD = ["DROP FUNCTION annotator_json_items(text[], text, text)"]


class Migration(migrations.Migration):
    dependencies = [("annotator", "0016_consensus_export_sql")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]

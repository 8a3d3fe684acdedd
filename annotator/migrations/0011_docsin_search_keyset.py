"""Search at scale: a stored tsvector on PostgreSQL, and an index in result order.

PostgreSQL: ``terms_vector``, a generated column ``to_tsvector('simple', terms)`` (kept by the
database, unknown to the ORM) with the GIN index on it, replacing the expression index, so
that checking a row against a query reads the stored vector instead of parsing ``terms`` again.
Both databases: the index keeps current documents only (a revised document's entries go), so
that a search joins the documents table only to filter on their fields; and an index on ``(document_id DESC, id)``, the order results are shown in, so that
a common word's first page is read in order and stops after a page (see docs/documents.md).
"""

from django.db import migrations, models

POSTGRES_FORWARD = [
    "ALTER TABLE annotator_searchentry ADD COLUMN terms_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, terms)) STORED",
    "CREATE INDEX annotator_searchentry_vector_gin ON annotator_searchentry "
    "USING gin (terms_vector)",
    "DROP INDEX IF EXISTS annotator_searchentry_terms_gin",
]
POSTGRES_BACKWARD = [
    "CREATE INDEX annotator_searchentry_terms_gin ON annotator_searchentry "
    "USING gin (to_tsvector('simple'::regconfig, terms))",
    "DROP INDEX IF EXISTS annotator_searchentry_vector_gin",
    "ALTER TABLE annotator_searchentry DROP COLUMN IF EXISTS terms_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


def drop_old_revisions(apps, schema_editor):
    SearchEntry = apps.get_model("annotator", "SearchEntry")
    using = schema_editor.connection.alias
    SearchEntry.objects.using(using).filter(document__is_current=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotator", "0010_integrations_discussion_notifications"),
    ]

    operations = [
        migrations.RunPython(drop_old_revisions, migrations.RunPython.noop),
        migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD)),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["-document", "id"], name="searchentry_newest_first"),
        ),
    ]

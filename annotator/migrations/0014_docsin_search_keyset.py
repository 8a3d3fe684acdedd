"""Search at scale, and moderators may read snapshots.

PostgreSQL: ``terms_vector``, a generated column ``to_tsvector('simple', terms)`` (kept by the
database, unknown to the ORM) with the GIN index on it, replacing the expression index, so
that checking a row against a query reads the stored vector instead of parsing ``terms`` again.
Both databases: the search index keeps current documents only (a revised document's entries
go), so that a search joins the documents table only to filter on their fields; and a btree on
``(document_id DESC, id)``, the order results are shown in, so that a common word's first page
is read in order and stops after a page (see docs/documents.md, "Search").
Trigram indexes (pg_trgm, a trusted extension) for the claims, notes and evidence that search
matches with icontains. The Moderator group gets ``view_snapshot`` (the read-only Snapshot admin).
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

POSTGRES_FORWARD = [
    "ALTER TABLE annotator_searchentry ADD COLUMN terms_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, terms)) STORED",
    "CREATE INDEX annotator_searchentry_vector_gin ON annotator_searchentry "
    "USING gin (terms_vector)",
    "DROP INDEX IF EXISTS annotator_searchentry_terms_gin",
    # Claims, notes and evidence are searched with icontains, which Django writes as
    # UPPER(column::text) LIKE UPPER(pattern): trigram indexes over that expression let a
    # pattern of three characters or more be found without reading the whole table.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX annotator_claim_text_trgm ON annotator_claim "
    "USING gin (UPPER(text::text) gin_trgm_ops)",
    "CREATE INDEX annotator_annotation_note_trgm ON annotator_annotation "
    "USING gin (UPPER(note::text) gin_trgm_ops)",
    "CREATE INDEX annotator_annotation_evidence_trgm ON annotator_annotation "
    "USING gin (UPPER(evidence::text) gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS annotator_claim_text_trgm",
    "DROP INDEX IF EXISTS annotator_annotation_note_trgm",
    "DROP INDEX IF EXISTS annotator_annotation_evidence_trgm",
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


def moderators_view_snapshots(apps, schema_editor):
    using = schema_editor.connection.alias
    for label in ("contenttypes", "auth", "annotator"):
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0, using=using)
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permission = Permission.objects.db_manager(using).get(
        content_type__app_label="annotator", codename="view_snapshot"
    )
    for group in Group.objects.db_manager(using).filter(name="Moderator"):
        group.permissions.add(permission)


def moderators_stop_viewing_snapshots(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.db_manager(schema_editor.connection.alias).filter(name="Moderator"):
        group.permissions.remove(*group.permissions.filter(codename="view_snapshot"))


def drop_old_revisions(apps, schema_editor):
    SearchEntry = apps.get_model("annotator", "SearchEntry")
    using = schema_editor.connection.alias
    SearchEntry.objects.using(using).filter(document__is_current=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotator", "0013_i18n_flag_labels"),
    ]

    operations = [
        migrations.RunPython(drop_old_revisions, migrations.RunPython.noop),
        migrations.RunPython(moderators_view_snapshots, moderators_stop_viewing_snapshots),
        migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD)),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["-document", "id"], name="searchentry_newest_first"),
        ),
    ]

"""Documents in: snapshots, author and page fields, the Editor role and the search index.

The Editor role may add sources and documents (and reads like a reviewer); it does not moderate.
The search index is a GIN index over ``to_tsvector('simple', terms)`` on PostgreSQL and an FTS5
table kept in step by triggers on SQLite (see annotator/search/).
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

import annotator.ingest.models
import django.db.models.deletion
from django.db import migrations, models


EDITOR_PERMISSIONS = [
    "view_source",
    "add_source",
    "view_document",
    "add_document",
    "view_passage",
    "view_snapshot",
    "add_snapshot",
    "view_flagtype",
    "view_claim",
    "add_claim",
    "view_annotation",
    "add_annotation",
    "change_annotation",
    "view_consensus",
    "view_suggestion",
    "view_suggestiondecision",
    "add_suggestiondecision",
]


def create_editor_role(apps, schema_editor):
    using = schema_editor.connection.alias
    for label in ("contenttypes", "auth", "annotator"):
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0, using=using)
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.db_manager(using).get_or_create(name="Editor")
    permissions = Permission.objects.db_manager(using).filter(
        content_type__app_label="annotator", codename__in=EDITOR_PERMISSIONS
    )
    missing = set(EDITOR_PERMISSIONS) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Permissions missing for Editor: {sorted(missing)}")
    group.permissions.set(permissions)


def remove_editor_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.db_manager(schema_editor.connection.alias).filter(
        name="Editor"
    ).delete()


POSTGRES_INDEX = (
    "CREATE INDEX annotator_searchentry_terms_gin ON annotator_searchentry "
    "USING gin (to_tsvector('simple'::regconfig, terms))"
)
SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE annotator_searchfts USING fts5("
    "terms, content='annotator_searchentry', content_rowid='id')",
    "CREATE TRIGGER annotator_searchentry_ai AFTER INSERT ON annotator_searchentry BEGIN "
    "INSERT INTO annotator_searchfts(rowid, terms) VALUES (new.id, new.terms); END",
    "CREATE TRIGGER annotator_searchentry_ad AFTER DELETE ON annotator_searchentry BEGIN "
    "INSERT INTO annotator_searchfts(annotator_searchfts, rowid, terms) "
    "VALUES ('delete', old.id, old.terms); END",
    "CREATE TRIGGER annotator_searchentry_au AFTER UPDATE ON annotator_searchentry BEGIN "
    "INSERT INTO annotator_searchfts(annotator_searchfts, rowid, terms) "
    "VALUES ('delete', old.id, old.terms); "
    "INSERT INTO annotator_searchfts(rowid, terms) VALUES (new.id, new.terms); END",
]


def create_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": [POSTGRES_INDEX], "sqlite": SQLITE_INDEX}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)
    # Documents stored before this migration: index them now.
    from annotator.search.terms import terms_text

    using = schema_editor.connection.alias
    Document = apps.get_model("annotator", "Document")
    Passage = apps.get_model("annotator", "Passage")
    SearchEntry = apps.get_model("annotator", "SearchEntry")
    for document in Document.objects.using(using).iterator():
        entries = [SearchEntry(document=document, kind="title", terms=terms_text(document.title))]
        for passage in Passage.objects.using(using).filter(document=document):
            text = document.body[passage.start : passage.end]
            entries.append(
                SearchEntry(document=document, passage=passage, kind="passage", terms=terms_text(text))
            )
        SearchEntry.objects.using(using).bulk_create(entries)


def drop_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS annotator_searchentry_terms_gin")
    elif vendor == "sqlite":
        for name in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS annotator_searchentry_{name}")
        schema_editor.execute("DROP TABLE IF EXISTS annotator_searchfts")


class Migration(migrations.Migration):

    dependencies = [
        ('annotator', '0006_campaigns'),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name='Snapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sha256', models.CharField(max_length=64, unique=True)),
                ('media_type', models.CharField(max_length=100)),
                ('size', models.PositiveBigIntegerField()),
                ('captured_at', models.DateTimeField()),
                ('file', models.FileField(max_length=200, upload_to=annotator.ingest.models.snapshot_path)),
                ('filename', models.CharField(blank=True, help_text='Name it was uploaded as', max_length=255)),
                ('url', models.URLField(blank=True, help_text='Where it was fetched from', max_length=2000)),
            ],
            options={
                'ordering': ['id'],
            },
        ),
        migrations.AddField(
            model_name='document',
            name='author',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name='passage',
            name='page',
            field=models.PositiveIntegerField(blank=True, help_text='Page of a PDF, from 1', null=True),
        ),
        migrations.CreateModel(
            name='SearchEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('title', 'Title'), ('passage', 'Passage')], max_length=10)),
                ('terms', models.TextField()),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='search_entries', to='annotator.document')),
                ('passage', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='annotator.passage')),
            ],
            options={
                'ordering': ['id'],
            },
        ),
        migrations.AddField(
            model_name='document',
            name='snapshot',
            field=models.ForeignKey(blank=True, help_text='The original bytes this text was extracted from', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='annotator.snapshot'),
        ),
        migrations.RunPython(create_editor_role, remove_editor_role),
        migrations.RunPython(create_search_index, drop_search_index),
    ]

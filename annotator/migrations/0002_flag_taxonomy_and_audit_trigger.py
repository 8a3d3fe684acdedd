from django.db import migrations

FLAGS = [
    ("unsupported-claim", "Unsupported claim", "A claim presented as fact with no source given.", False),
    (
        "misattributed-quote",
        "Misattributed or unsourced quotation",
        "A quotation attributed to someone without a verifiable source, or to the wrong person.",
        True,
    ),
    ("factual-error", "Factual error", "A statement contradicted by reliable sources.", True),
    ("anachronism", "Anachronism", "A date, name or event placed in the wrong time.", False),
    ("redacted-name", "Redacted name", "A name masked as ** or *** in the text.", False),
    ("unsourced-number", "Unsourced number", "A precise figure with no source.", False),
    ("loaded-language", "Loaded language", "Wording meant to persuade rather than inform.", False),
    (
        "content-farm",
        "Content farm",
        "Copied or scraped text with no provenance.",
        False,
    ),
    (
        "machine-translation",
        "Machine translation",
        "A garbled translation that changes the meaning.",
        False,
    ),
]

# Row-level only: TRUNCATE stays possible for a DBA (and for test-database flushes).
AUDIT_TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION annotator_moderationaction_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'annotator_moderationaction is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS annotator_moderationaction_append_only ON annotator_moderationaction;
CREATE TRIGGER annotator_moderationaction_append_only
    BEFORE UPDATE OR DELETE ON annotator_moderationaction
    FOR EACH ROW EXECUTE FUNCTION annotator_moderationaction_append_only();
"""

DROP_AUDIT_TRIGGER_SQL = """
DROP TRIGGER IF EXISTS annotator_moderationaction_append_only ON annotator_moderationaction;
DROP FUNCTION IF EXISTS annotator_moderationaction_append_only();
"""


def seed_flags(apps, schema_editor):
    FlagType = apps.get_model("annotator", "FlagType")
    for order, (slug, label, description, requires_evidence) in enumerate(FLAGS):
        FlagType.objects.update_or_create(
            slug=slug,
            defaults={
                "label": label,
                "description": description,
                "requires_evidence": requires_evidence,
                "sort_order": order * 10,
            },
        )


def install_audit_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(AUDIT_TRIGGER_SQL)


def remove_audit_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP_AUDIT_TRIGGER_SQL)


class Migration(migrations.Migration):
    dependencies = [("annotator", "0001_initial")]

    operations = [
        migrations.RunPython(seed_flags, migrations.RunPython.noop),
        migrations.RunPython(install_audit_trigger, remove_audit_trigger),
    ]

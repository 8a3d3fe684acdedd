"""Assignments: one statement-level reference check instead of per-row foreign keys.

PostgreSQL checks a foreign key with one trigger call per inserted row and key: three calls
per assignment, 60 % of the time to open a campaign of 300,000 assignments. This migration
drops those constraints (and the full index on the passage, which only they needed; the
tie-breakers keep a partial one) and adds one trigger per INSERT or UPDATE statement that
checks the new rows as a set: each (campaign, reviewer) is a member of that campaign's pool —
which also proves both exist — and each passage exists and belongs to the row's document.
SQLite (development, tests) gets the same rule as row triggers; a later migration that makes
SQLite rebuild this table drops them and must create them again.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


POSTGRESQL = [
    """
    CREATE FUNCTION annotator_assignment_references() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (
        SELECT 1 FROM new_rows n
        LEFT JOIN annotator_campaignmember m
          ON m.campaign_id = n.campaign_id AND m.reviewer_id = n.reviewer_id
        LEFT JOIN annotator_passage p ON p.id = n.passage_id AND p.document_id = n.document_id
        WHERE m.id IS NULL OR p.id IS NULL
      ) THEN
        RAISE foreign_key_violation USING MESSAGE =
          'assignment: the reviewer is not in the campaign''s pool, or the passage is not '
          'in the document';
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER assignment_references_insert AFTER INSERT ON annotator_assignment
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION annotator_assignment_references()
    """,
    """
    CREATE TRIGGER assignment_references_update AFTER UPDATE ON annotator_assignment
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION annotator_assignment_references()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER assignment_references_update ON annotator_assignment",
    "DROP TRIGGER assignment_references_insert ON annotator_assignment",
    "DROP FUNCTION annotator_assignment_references()",
]

_SQLITE_CHECK = """
    BEGIN
      SELECT RAISE(ABORT, 'assignment: the reviewer is not in the campaign''s pool, or the
        passage is not in the document')
      WHERE NOT EXISTS (
          SELECT 1 FROM annotator_campaignmember
          WHERE campaign_id = NEW.campaign_id AND reviewer_id = NEW.reviewer_id)
        OR NOT EXISTS (
          SELECT 1 FROM annotator_passage
          WHERE id = NEW.passage_id AND document_id = NEW.document_id);
    END
"""
SQLITE = [
    "CREATE TRIGGER assignment_references_insert BEFORE INSERT ON annotator_assignment"
    + _SQLITE_CHECK,
    "CREATE TRIGGER assignment_references_update BEFORE UPDATE ON annotator_assignment"
    + _SQLITE_CHECK,
]
SQLITE_REVERSE = [
    "DROP TRIGGER assignment_references_update",
    "DROP TRIGGER assignment_references_insert",
]


def _run(statements: dict):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('annotator', '0011_integrations_campaign_milestones'),
    ]

    operations = [
        migrations.AlterField(
            model_name='assignment',
            name='campaign',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='annotator.campaign'),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='passage',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='annotator.passage'),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='reviewer',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='assignments', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(condition=models.Q(('kind', 'tie-breaker')), fields=['passage'], name='assignment_tie_breaker_idx'),
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]

"""Restore annotations from `manage.py export annotations` (JSON Lines with history)."""

from django.core.management.base import BaseCommand, CommandError

from annotator.exports.backup import RestoreError, restore_annotations


class Command(BaseCommand):
    help = (
        "Restore a raw annotations export into this database (documents must be imported "
        "first; ids, versions and timestamps are kept; consensus is rebuilt)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--skip-existing", action="store_true")

    def handle(self, path, skip_existing, **options):
        try:
            with open(path, encoding="utf-8") as handle:
                report = restore_annotations(handle, skip_existing=skip_existing)
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        except RestoreError as error:
            raise CommandError(f"Nothing was restored: {error}") from None
        self.stdout.write(
            f"Restored {report.annotations} annotations, {report.revisions} revisions, "
            f"{report.claims_created} claims; skipped {report.skipped_existing} existing."
        )
        if report.users_created:
            self.stdout.write(
                "Created users without a password (set one or suspend them): "
                + ", ".join(report.users_created)
            )

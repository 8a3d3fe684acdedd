from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from annotator.importing import ImportOutcome, import_paths


class Command(BaseCommand):
    help = (
        "Import documents from plain-text files (.txt), folders, and JSON Lines (.jsonl; one "
        "object "
        "per line with 'body' or 'text', and optional 'title', 'source', 'url', 'language', "
        "'published', 'key'). Re-importing the same text creates nothing; a changed text for the "
        "same file name or key becomes a new revision. Without paths, imports the seeds/ folder."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="files or folders")
        parser.add_argument(
            "--quiet-progress", action="store_true", help="no per-document progress lines"
        )

    def handle(self, *args, paths, quiet_progress, **options):
        paths = paths or [Path(settings.BASE_DIR) / "seeds"]
        seen = 0

        def progress(outcome: ImportOutcome):
            nonlocal seen
            seen += 1
            if outcome.result == "failed":
                self.stderr.write(self.style.ERROR(f"[{seen}] failed: {outcome.message}"))
            elif not quiet_progress or seen % 100 == 0:
                document = outcome.document
                detail = f"#{document.pk} {document.title[:60]!r} ({document.language})"
                extra = f" — {outcome.message}" if outcome.message else ""
                self.stdout.write(f"[{seen}] {outcome.result}: {detail}{extra}")

        report = import_paths(paths, on_progress=progress)
        summary = (
            f"{report.count('created')} created, {report.count('revised')} revised, "
            f"{report.count('unchanged')} unchanged, {len(report.failed)} failed."
        )
        if report.failed:
            self.stdout.write(self.style.WARNING(summary))
            if not report.count("created") + report.count("revised") + report.count("unchanged"):
                raise CommandError("Nothing could be imported.")
        else:
            self.stdout.write(self.style.SUCCESS(summary))

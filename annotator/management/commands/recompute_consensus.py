"""Rebuild every consensus row from the annotations, or check that the stored rows are current."""

from django.core.management.base import BaseCommand, CommandError

from annotator.consensus import recompute_all


class Command(BaseCommand):
    help = (
        "Recompute every passage, span and claim consensus from scratch. Adjudications are kept "
        "(marked stale where the group changed). With --check, only report rows that differ "
        "from a fresh computation, write nothing, and exit non-zero if any differ."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare stored rows with a fresh computation without writing; exit 1 on drift.",
        )
        parser.add_argument(
            "--show",
            type=int,
            default=20,
            help="How many differing rows to list (default 20).",
        )

    def handle(self, *args, check=False, show=20, **options):
        verbosity = options.get("verbosity", 1)

        def progress(message: str) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  {message}")

        stats = recompute_all(progress=progress, check=check)
        for key, fields in sorted(stats.differences.items())[:show]:
            self.stdout.write(f"  {'differs' if check else 'fixed'}: {key}: {', '.join(fields)}")
        if len(stats.differences) > show:
            self.stdout.write(f"  … and {len(stats.differences) - show} more")
        if check and stats.differences:
            raise CommandError(
                f"{len(stats.differences)} of {stats.groups} consensus rows differ from a fresh "
                "computation; run `manage.py recompute_consensus` to fix them."
            )
        verdict = "all current" if check else "done"
        self.stdout.write(self.style.SUCCESS(f"{stats.summary()} {verdict.capitalize()}."))

"""Run the background worker (outbox relay, webhook deliveries, jobs)."""

from django.core.management.base import BaseCommand

from annotator.worker import Worker


class Command(BaseCommand):
    help = "Run the background worker. --until-empty runs everything due, then exits."
    # No system checks: they import every URL module (and what those import), which took
    # ~3 s of the worker's start on a loaded 2-core machine, and a worker is restarted after
    # every crash. The checks run where the code is deployed (`check --deploy`, CI, runserver).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--until-empty",
            action="store_true",
            help="Run every queued job and due delivery, then exit (tests, operations).",
        )
        parser.add_argument(
            "--interval", type=float, default=None, help="Seconds to sleep when idle."
        )

    def handle(self, *args, until_empty=False, interval=None, **options):
        Worker(interval=interval).run(until_empty=until_empty)

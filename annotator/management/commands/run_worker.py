"""Run the background worker (outbox relay, webhook deliveries, jobs)."""

from django.core.management.base import BaseCommand

from annotator.worker import Worker


class Command(BaseCommand):
    help = "Run the background worker. --until-empty runs everything due, then exits."

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

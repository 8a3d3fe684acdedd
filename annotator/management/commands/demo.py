from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from annotator.demo import DEMO_PASSWORD, load_demo
from annotator.models import Document


class Command(BaseCommand):
    help = (
        "Create demo reviewers (alice, bob, chen), a moderator and an admin, and demo annotations "
        "on the seed documents, including the unsourced Mao quotation flagged in documents 000 and "
        "001 and linked to one claim. Imports the seeds first if the database has no documents."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default=DEMO_PASSWORD, help="password for every demo user"
        )

    def handle(self, *args, password, **options):
        if not settings.DEBUG:
            self.stderr.write(
                self.style.WARNING(
                    "DEBUG is off: demo users with a known password are being created."
                )
            )
        if not Document.objects.exists():
            self.stdout.write("No documents yet: importing the seeds.")
            call_command("import_documents", stdout=self.stdout, stderr=self.stderr)
        try:
            report = load_demo(password)
        except LookupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Demo ready: {report.created_annotations} annotations added.")
        )
        self.stdout.write(f"Claim #{report.claim.pk}: {report.claim.text}")
        self.stdout.write(f"Log in at http://127.0.0.1:8000/ with (password for all: {password}):")
        for username, role in report.users:
            self.stdout.write(f"  {username:<10} {role}")
        self.stdout.write("The admin (moderation) is at http://127.0.0.1:8000/admin/")

"""manage.py suggest [--document ID ...]: store machine suggestions for documents."""

import time

from django.core.management.base import BaseCommand, CommandError

from annotator.models import Document
from annotator.suggestions.engine import store_suggestions


class Command(BaseCommand):
    help = (
        "Run the suggestion detectors and store their suggestions (idempotent). "
        "Default: every current document."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--document",
            type=int,
            action="append",
            dest="documents",
            metavar="ID",
            help="only this document id (repeatable)",
        )

    def handle(self, *args, documents=None, **options):
        if documents:
            found = Document.objects.filter(pk__in=documents)
            missing = sorted(set(documents) - set(found.values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"No document with id {', '.join(map(str, missing))}.")
        else:
            found = Document.objects.current()
        found = found.order_by("pk")
        total_docs = found.count()
        created_total = 0
        for position, document in enumerate(found.iterator(), start=1):
            began = time.perf_counter()
            created = store_suggestions(document)
            created_total += created
            stored = document.suggestions.count()
            elapsed = (time.perf_counter() - began) * 1000
            self.stdout.write(
                f"[{position}/{total_docs}] #{document.pk} {document.origin or document.title}: "
                f"{stored} suggestions ({created} new) in {elapsed:.0f} ms"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Done: {total_docs} documents, {created_total} new suggestions.")
        )

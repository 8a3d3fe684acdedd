"""Write an export to a file (or stdout): the same bytes as the API's export endpoints."""

import sys

from django.core.management.base import BaseCommand, CommandError

from annotator.exports import parquet, streams
from annotator.exports.queries import InvalidCursor
from annotator.models import Annotation, Consensus


class Command(BaseCommand):
    help = (
        "Export consensus or raw annotations (the backup, with history) as JSON Lines, JSON, "
        "CSV, W3C Web Annotation JSON-LD or schema.org ClaimReview. Streams: flat memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["annotations", "consensus"])
        parser.add_argument("--format", default="jsonl", dest="fmt")
        parser.add_argument("--output", "-o", default="-", help="File path; - for stdout")
        parser.add_argument("--cursor", help="Only rows changed after this cursor")
        parser.add_argument("--status", help="Consensus status (agreed, disputed, ...)")
        parser.add_argument(
            "--no-history", action="store_true", help="Annotations without their history"
        )
        parser.add_argument(
            "--excel", action="store_true", help="CSV for Excel: UTF-8 byte order mark, CRLF"
        )
        parser.add_argument(
            "--base-url",
            help="Origin of exported IRIs (default: the PUBLIC_BASE_URL setting, as the API)",
        )

    def handle(self, what, fmt, output, cursor, status, no_history, base_url, excel, **options):
        links = streams.Links(base_url) if base_url else streams.Links.from_settings()
        if fmt == "parquet" and not parquet.available():
            raise CommandError("--format parquet needs pyarrow: pip install .[parquet]")
        try:
            if what == "annotations":
                if fmt not in streams.ANNOTATION_FORMATS:
                    raise CommandError(f"--format: use one of {streams.ANNOTATION_FORMATS}.")
                export = streams.annotations_export(
                    Annotation.objects.all(),
                    fmt,
                    cursor=cursor,
                    include_history=not no_history,
                    links=links,
                    excel=excel,
                    candidates=Annotation.objects.all(),
                )
            else:
                if fmt not in streams.CONSENSUS_FORMATS:
                    raise CommandError(f"--format: use one of {streams.CONSENSUS_FORMATS}.")
                queryset = Consensus.objects.all()
                if status:
                    queryset = queryset.filter(status=status)
                export = streams.consensus_export(
                    queryset,
                    fmt,
                    cursor=cursor,
                    links=links,
                    excel=excel,
                    candidates=Consensus.objects.all(),
                )
        except InvalidCursor as error:
            raise CommandError(f"--cursor: {error}") from None
        binary = fmt == "parquet"
        if output == "-":
            stream = sys.stdout.buffer if binary else sys.stdout
            for chunk in export.chunks:
                stream.write(chunk)
        elif binary:
            with open(output, "wb") as handle:
                for chunk in export.chunks:
                    handle.write(chunk)
        else:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                for chunk in export.chunks:
                    handle.write(chunk)
        if export.next_cursor:
            self.stderr.write(f"next cursor: {export.next_cursor}")

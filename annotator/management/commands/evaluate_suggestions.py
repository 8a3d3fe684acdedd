"""manage.py evaluate_suggestions GOLD.jsonl: precision and recall of each detector."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotator.suggestions.evaluation import GoldFileError, evaluate_gold_file, format_table


class Command(BaseCommand):
    help = (
        "Score the suggestion detectors against gold spans (JSON Lines: document, start, end, "
        "flag). A prediction matches a gold span of the same document and flag when they "
        "overlap by at least half of the shorter span (one-to-one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("gold", type=Path, help="JSON Lines file of gold spans")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args, gold: Path, **options):
        try:
            scores = evaluate_gold_file(gold)
        except GoldFileError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(_dumps([item.as_dict() for item in scores]))
        else:
            self.stdout.write(format_table(scores))


def _dumps(value) -> str:
    return json.dumps(value, indent=2)

"""manage.py evaluate_suggestions: precision and recall of each detector, per language."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from annotator.suggestions.evaluation import (
    GoldFileError,
    evaluate_gold_file,
    format_table,
    score_texts,
)
from annotator.suggestions.heldout import read_heldout


class Command(BaseCommand):
    help = (
        "Score the suggestion detectors against gold spans: a JSON Lines file over stored "
        "documents (document, start, end, flag), or --heldout FILE, a held-out set with the "
        "gold marked inline (tests/data/heldout/), reported per detector and per language. "
        "A prediction matches a gold span of the same document and flag when they overlap by "
        "at least half of the shorter span (one-to-one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("gold", type=Path, nargs="?", help="JSON Lines file of gold spans")
        parser.add_argument("--heldout", type=Path, help="held-out file (e.g. dev.txt, test.txt)")
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="count only suggestions at or above this confidence (default: the setting)",
        )
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args, gold: Path | None, heldout: Path | None, **options):
        if (gold is None) == (heldout is None):
            raise CommandError("Give either a GOLD.jsonl file or --heldout FILE.")
        try:
            if heldout is not None:
                threshold = options["threshold"]
                if threshold is None:
                    threshold = settings.ANNOTATOR["SUGGESTION_MIN_CONFIDENCE"]
                results = score_texts(read_heldout(heldout), threshold=threshold)
            else:
                results = {"all": evaluate_gold_file(gold)}
        except GoldFileError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            payload = {key: [item.as_dict() for item in scores] for key, scores in results.items()}
            self.stdout.write(_dumps(payload if heldout is not None else payload["all"]))
            return
        for key, scores in results.items():
            if heldout is not None:
                self.stdout.write(f"\n== {key} ==")
            self.stdout.write(format_table(scores))


def _dumps(value) -> str:
    return json.dumps(value, indent=2)

"""manage.py calibrate_suggestions: measure each detector's precision per raw score on dev."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotator.suggestions import calibration
from annotator.suggestions.engine import raw_suggest
from annotator.suggestions.evaluation import GoldFileError, Span, _matches
from annotator.suggestions.heldout import read_heldout

DEFAULT_DEV = Path("tests/data/heldout/dev.txt")


class Command(BaseCommand):
    help = (
        "Measure, on the DEV half of the held-out set, the share of each detector's suggestions "
        "(per raw score) that match a gold span, and write it as the calibrated confidence "
        "(annotator/suggestions/calibration.json). Never run it on the test half."
    )

    def add_arguments(self, parser):
        parser.add_argument("--heldout", type=Path, default=DEFAULT_DEV)
        parser.add_argument("--write", action="store_true", help="write calibration.json")

    def handle(self, *args, heldout: Path, write: bool, **options):
        if "test" in heldout.name:
            raise CommandError("Calibrate on the dev half only; the test half is for reporting.")
        try:
            documents = read_heldout(heldout)
        except GoldFileError as error:
            raise CommandError(str(error)) from error

        def matches(candidate, gold):
            return _matches(
                Span(gold.document, candidate.start, candidate.end, candidate.flag), gold
            )

        table = calibration.build_table(documents, raw_suggest, matches)
        table["measured_on"] = str(heldout)
        text = json.dumps(table, indent=2, ensure_ascii=False) + "\n"
        if write:
            calibration.CALIBRATION_FILE.write_text(text, encoding="utf-8")
            calibration.reload()
        self.stdout.write(text)

"""manage.py evaluate_claim_matching: recall@5 and MRR on the held-out claim set."""

import json
from dataclasses import asdict

from django.core.management.base import BaseCommand

from annotator.claim_matching.evaluation import evaluate


class Command(BaseCommand):
    help = (
        "Rank every true appearance of each held-out claim (tests/data/heldout/claims.jsonl) "
        "among the corpus sentences of its language; print recall@5 and MRR."
    )

    def add_arguments(self, parser):
        parser.add_argument("--split", choices=["dev", "test"], default="dev")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, split: str, **options):
        scores = evaluate(split)
        if options["json"]:
            self.stdout.write(json.dumps(asdict(scores), indent=2))
            return
        self.stdout.write(
            f"{split}: {scores.claims} claims, {scores.appearances} appearances: "
            f"recall@5 {scores.recall_at_5:.2f}, MRR {scores.mrr:.2f}"
        )
        for language, row in scores.per_language.items():
            self.stdout.write(
                f"  {language:<8} {row['appearances']:>3} appearances: "
                f"recall@5 {row['recall_at_5']:.2f}, MRR {row['mrr']:.2f}"
            )

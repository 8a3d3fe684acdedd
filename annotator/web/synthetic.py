"""A large synthetic annotated document, for the reading-view query test and benchmark.

Rows are bulk-inserted (no per-annotation write path, no consensus upkeep): the point is the
shape and volume of data the reading view has to render, fast to create.
"""

import random

from django.db import transaction

from ..models import (
    Annotation,
    Consensus,
    ConsensusStatus,
    Document,
    FlagType,
    Passage,
    Source,
    Suggestion,
)
from ..text import body_sha256, quote_selector

SENTENCES = [
    "Chairman Mao reportedly said that a wonderful drama was about to be staged.",
    "No source is given for the quotation, which appears in several content-farm articles.",
    "據報導，毛主席說好戲開始嘍，但文章沒有提供任何出處。",
    "The volunteers withdrew from North Korea in 1958 😀 after eight years.",
    "Figures of 1,200,000 troops are quoted without a citation 𠀋.",
]


def build_big_document(reviewers, *, passages=1000, annotations=5000, seed=7, label="big"):
    """A document of ``passages`` paragraphs with ``annotations`` active annotations.

    Annotations are spread round-robin over ``reviewers`` (each reviewer judges every passage
    they touch, so blind review unlocks everything for them); spans overlap on purpose.
    """
    rng = random.Random(f"{seed}-{label}")
    paragraphs = [
        " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 4))) for _ in range(passages)
    ]
    body = "\n\n".join(paragraphs)
    with transaction.atomic():
        source, _ = Source.objects.get_or_create(name="Synthetic")
        document = Document.objects.create(
            source=source,
            title=f"Synthetic document ({label}: {passages} passages)",
            language="en",
            body=body,
            sha256=body_sha256(body),
            origin=f"synthetic-{label}-{seed}-{passages}-{annotations}",
        )
        position = 0
        rows = []
        for index, paragraph in enumerate(paragraphs):
            rows.append(
                Passage(
                    document=document, index=index, start=position, end=position + len(paragraph)
                )
            )
            position += len(paragraph) + 2
        Passage.objects.bulk_create(rows)
        rows = list(Passage.objects.filter(document=document).order_by("index"))

        flags = list(FlagType.objects.active())
        new_annotations = []
        seen = set()
        for number in range(annotations):
            reviewer = reviewers[number % len(reviewers)]
            passage = rows[(number // len(reviewers)) % len(rows)]
            length = passage.end - passage.start
            for _attempt in range(20):
                start = passage.start + rng.randrange(0, max(1, length - 5))
                end = min(passage.end, start + rng.randint(5, 80))
                if (reviewer.pk, start, end) not in seen:
                    break
            seen.add((reviewer.pk, start, end))
            selector = quote_selector(body, start, end)
            new_annotations.append(
                Annotation(
                    document=document,
                    passage=passage,
                    reviewer=reviewer,
                    start=start,
                    end=end,
                    exact=selector.exact,
                    prefix=selector.prefix,
                    suffix=selector.suffix,
                    reliability=rng.randint(1, 5),
                    note=f"Note {number} <b>not bold</b>",
                    evidence=[f"https://example.org/evidence/{number}"],
                )
            )
        created = Annotation.objects.bulk_create(new_annotations)
        through = Annotation.flags.through
        through.objects.bulk_create(
            through(annotation_id=annotation.pk, flagtype_id=flags[i % len(flags)].pk)
            for i, annotation in enumerate(created)
            if i % 3 == 0
        )
        Consensus.objects.bulk_create(
            Consensus(
                kind=Consensus.Kind.PASSAGE,
                key=f"synthetic-passage:{passage.pk}",
                document=document,
                passage=passage,
                reviewer_count=len(reviewers),
                status=ConsensusStatus.AGREED if i % 4 else ConsensusStatus.DISPUTED,
                computed_status=ConsensusStatus.AGREED if i % 4 else ConsensusStatus.DISPUTED,
                median_reliability=3,
            )
            for i, passage in enumerate(rows)
        )
        Suggestion.objects.bulk_create(
            Suggestion(
                document=document,
                start=passage.start,
                end=passage.start + 5,
                exact=body[passage.start : passage.start + 5],
                flag=flags[0],
                detector="synthetic",
                reason="Synthetic suggestion",
                confidence=0.5,
            )
            for passage in rows[::10]
        )
    return document

"""Helpers shared by the campaign tests: documents of N paragraphs, pools, API clients."""

from rest_framework.test import APIClient

from annotator.annotations import create_annotation
from annotator.importing import DocumentRecord, import_record
from annotator.models import Document, Passage
from tests.conftest import make_user


def make_document(name: str, paragraphs: int, **extra) -> Document:
    body = f"{name}\n\n" + "\n\n".join(
        f"Paragraph {i} of {name}: the minister said figures rose by {i} percent."
        for i in range(1, paragraphs)
    )
    return import_record(DocumentRecord(body=body, origin=f"{name}.txt", **extra)).document


def make_pool(size: int, prefix: str = "rev") -> list:
    return [make_user(f"{prefix}{i:02d}", groups=["Reviewer"]) for i in range(size)]


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def judge(reviewer, passage: Passage, reliability: int, flags=()):
    """A whole-passage annotation by ``reviewer``."""
    document = passage.document
    return create_annotation(
        reviewer=reviewer,
        document=document,
        start=passage.start,
        end=passage.end,
        exact=document.body[passage.start : passage.end],
        reliability=reliability,
        flags=list(flags),
    )

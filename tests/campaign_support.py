"""Helpers shared by the campaign tests: documents of N paragraphs, pools, a campaign opened
through the product's own functions, API and web clients."""

from django.test import Client
from rest_framework.test import APIClient

from annotator.annotations import create_annotation
from annotator.campaigns.lifecycle import create_campaign, open_campaign
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


def make_manager(username: str = "lead"):
    """A moderator (staff): manages campaigns."""
    return make_user(username, groups=["Moderator"], is_staff=True)


def open_campaign_over(manager, documents, pool, *, overlap=2, quorum=2, name="Campaign", **extra):
    """A campaign over ``documents`` with ``pool``, created and opened by ``manager``."""
    campaign = create_campaign(
        by=manager,
        name=name,
        documents=[document.pk for document in documents],
        reviewers=[user.username for user in pool],
        overlap=overlap,
        quorum=quorum,
        **extra,
    )
    return open_campaign(campaign, by=manager)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def web_for(user) -> Client:
    """Django's client, logged in as ``user`` (the web pages)."""
    web = Client()
    web.force_login(user)
    return web


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

"""The Snapshot admin: moderators read stored originals; nobody adds, changes or deletes them."""

import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from annotator.models import Document, Snapshot

from . import document_files as files
from .conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored():
    """A news page uploaded by an editor: a document and its snapshot."""
    client = APIClient()
    client.force_login(make_user("eddie", groups=["Editor"]))
    part = io.BytesIO(files.news_page())
    part.name = "bridge.html"
    response = client.post("/api/v1/documents/", {"file": part}, format="multipart")
    assert response.status_code == 201, response.content
    return Document.objects.get(pk=response.json()["id"])


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def test_moderators_list_and_read_snapshots_linked_both_ways(mod_client, stored):
    snapshot = stored.snapshot
    listing = mod_client.get(reverse("admin:annotator_snapshot_changelist"))
    assert listing.status_code == 200
    assert snapshot.sha256[:16] in listing.content.decode()

    detail = mod_client.get(reverse("admin:annotator_snapshot_change", args=[snapshot.pk]))
    page = detail.content.decode()
    assert detail.status_code == 200
    assert snapshot.sha256 in page and "text/html" in page and "bridge.html" in page
    assert reverse("admin:annotator_document_change", args=[stored.pk]) in page
    assert reverse("document-original", args=[stored.pk]) in page
    # The raw bytes are not linked from this origin: only the sandboxed "view original".
    assert 'type="file"' not in page and "/media/" not in page

    document_page = mod_client.get(reverse("admin:annotator_document_change", args=[stored.pk]))
    assert reverse("admin:annotator_snapshot_change", args=[snapshot.pk]) in (
        document_page.content.decode()
    )


def test_nothing_about_a_snapshot_can_be_added_changed_or_deleted(client, stored):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    snapshot = stored.snapshot
    change = reverse("admin:annotator_snapshot_change", args=[snapshot.pk])
    assert client.get(reverse("admin:annotator_snapshot_add")).status_code == 403
    response = client.post(change, {"media_type": "text/plain", "size": "1"})
    assert response.status_code == 403
    delete = reverse("admin:annotator_snapshot_delete", args=[snapshot.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    after = Snapshot.objects.get(pk=snapshot.pk)
    assert (after.media_type, after.size) == (snapshot.media_type, snapshot.size)


def test_reviewers_do_not_see_snapshots_in_the_admin(client, reviewer, stored):
    client.force_login(reviewer)
    response = client.get(reverse("admin:annotator_snapshot_changelist"))
    assert response.status_code == 302  # to the admin login: reviewers are not staff


def test_a_title_changed_in_the_admin_is_what_search_finds(client, stored, reviewer):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    url = reverse("admin:annotator_document_change", args=[stored.pk])
    response = client.post(
        url,
        {
            "title": "Quartermaster ledger",
            "language": stored.language,
            "passages-TOTAL_FORMS": "0",
            "passages-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    api = APIClient()
    api.force_login(reviewer)
    found = api.get("/api/v1/search/", {"q": "quartermaster"}).json()
    assert [d["id"] for d in found["documents"]["results"]] == [stored.pk]
    old_title = files.news_page.__defaults__[0].split()[0]  # "Millford", from the old title
    for hit in api.get("/api/v1/search/", {"q": old_title}).json()["documents"]["results"]:
        assert hit["title"] == "Quartermaster ledger"  # found through the body, not the title

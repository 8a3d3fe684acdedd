"""Values readers see (document URLs, language tags) pass the same validators at every door."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from annotator.errors import AnnotationInputError
from annotator.models import Claim
from annotator.validators import clean_document_fields, clean_http_url, clean_language_tag
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,x", "ftp://example.org/a", "vbscript:x", "http://"],
)
def test_only_http_urls_are_accepted(url):
    with pytest.raises(AnnotationInputError) as raised:
        clean_http_url(url)
    assert list(raised.value.errors) == ["url"]


@pytest.mark.parametrize("tag", ["<b>en</b>", "en us", "zh_TW", "xx-YY", "e", "x" * 36])
def test_language_tags_must_be_bcp47(tag):
    with pytest.raises(AnnotationInputError) as raised:
        clean_language_tag(tag)
    assert list(raised.value.errors) == ["language"]


def test_every_bad_document_field_is_named_at_once():
    with pytest.raises(AnnotationInputError) as raised:
        clean_document_fields(origin="o" * 501, url="javascript:x", language="<i>", title="t")
    assert set(raised.value.errors) == {"origin", "url", "language"}


def test_the_api_refuses_a_claim_language_with_markup(reviewer):
    api = APIClient()
    api.force_login(reviewer)
    response = api.post(
        "/api/v1/claims/", {"text": "A claim", "language": "<b>en</b>"}, format="json"
    )
    assert response.status_code == 400
    assert "BCP 47" in response.json()["language"][0]
    assert not Claim.objects.exists()
    ok = api.post("/api/v1/claims/", {"text": "A claim", "language": "zh-Hant"}, format="json")
    assert ok.status_code == 201 and ok.json()["language"] == "zh-Hant"


def test_the_admin_refuses_a_javascript_url_and_a_bad_language(client, seeded):
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    document = seeded["000"]
    url = reverse("admin:annotator_document_change", args=[document.pk])
    response = client.post(
        url, {"title": "T", "url": "javascript:alert(1)", "language": "<b>en</b>"}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "url" in errors and "language" in errors
    assert "BCP 47" in str(errors["language"])
    document.refresh_from_db()
    assert document.url == "" and document.language == "en"


def test_the_admin_refuses_a_claim_language_with_markup(client):
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:annotator_claim_add"), {"text": "A claim", "language": "<script>"}
    )
    assert response.status_code == 200
    assert "BCP 47" in str(response.context["adminform"].form.errors["language"])
    assert not Claim.objects.exists()

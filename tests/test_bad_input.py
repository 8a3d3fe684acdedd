"""Bad input never gets a 500: each attack from issue #12 is a 4xx JSON error naming the field."""

import base64
import json

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from annotator.exports.queries import encode_cursor
from annotator.models import Annotation

LIST_ENDPOINTS = [
    "/api/v1/annotations/",
    "/api/v1/claims/",
    "/api/v1/consensus/",
    "/api/v1/documents/",
    "/api/v1/sources/",
    "/api/v1/suggestions/",
    "/api/v1/moderation-actions/",
]
EXPORT_ENDPOINTS = [
    "/api/v1/exports/annotations",
    "/api/v1/exports/consensus",
]


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()


@pytest.fixture
def api(moderator, seeded):
    """A moderator's client (sees every endpoint), not raising server errors: the status shows."""
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(moderator)
    return client


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def error_of(response, name: str) -> list[str]:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    data = response.json()
    assert name in data, data
    return data[name]


# --- list cursors --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", LIST_ENDPOINTS)
@pytest.mark.parametrize(
    "cursor",
    [b64("p=x"), b64("p=99999999999999999999999"), b64("p=\x00"), "%%%", b64("not")],
)
def test_tampered_list_cursor_is_a_400_naming_cursor(api, url, cursor):
    response = api.get(url, {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in error_of(response, "cursor")[0]


@pytest.mark.django_db
def test_genuine_list_cursor_still_pages(api):
    first = api.get("/api/v1/documents/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = api.get(first["next"]).json()
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert ids == sorted(set(ids))


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "0", "-1", "501", "1.5", "9" * 30])
def test_malformed_page_size_is_a_400(api, value):
    response = api.get("/api/v1/documents/", {"page_size": value})
    assert response.status_code == 400
    assert error_of(response, "page_size")


@pytest.mark.django_db
def test_page_size_within_bounds_is_honoured(api):
    assert len(api.get("/api/v1/documents/", {"page_size": "1"}).json()["results"]) == 1
    assert api.get("/api/v1/documents/", {"page_size": "500"}).status_code == 200


# --- export cursors ------------------------------------------------------------------------------


def export_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.django_db
@pytest.mark.parametrize("url", EXPORT_ENDPOINTS)
def test_export_cursor_with_an_offset_postgres_refuses_is_accepted_as_utc(api, url):
    """+23:59 is valid ISO 8601 but beyond PostgreSQL's ±15:59: the cursor is read in UTC."""
    response = api.get(url, {"cursor": export_cursor("2020-01-01T00:00:00+23:59|1")})
    assert response.status_code == 200
    b"".join(response.streaming_content)


@pytest.mark.django_db
@pytest.mark.parametrize("url", EXPORT_ENDPOINTS)
@pytest.mark.parametrize(
    "cursor",
    [
        "2020-01-01T00:00:00|1",  # naive
        "0001-01-01T00:00:00+23:59|1",  # before year 1 in UTC
        "2020-01-01T00:00:00+00:00|x",
        "2020-01-01T00:00:00+00:00|99999999999999999999",
        "2020-01-01T00:00:00+00:00|-1",
        "nonsense",
    ],
)
def test_tampered_export_cursor_is_a_400_naming_cursor(api, url, cursor):
    response = api.get(url, {"cursor": export_cursor(cursor)})
    assert response.status_code == 400
    assert error_of(response, "cursor")


@pytest.mark.django_db
def test_export_cursor_round_trips(api, reviewer, seeded):
    doc = seeded["000"]
    text = doc.body[:10]
    writer = APIClient()
    writer.force_authenticate(reviewer)
    writer.post(
        "/api/v1/annotations/",
        {"document": doc.pk, "start": 0, "end": 10, "exact": text, "reliability": 3},
        format="json",
    )
    annotation = Annotation.objects.get()
    cursor = encode_cursor(annotation.updated_at, annotation.pk)
    response = api.get("/api/v1/exports/annotations", {"cursor": cursor})
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b""


# --- query-string booleans and integers ----------------------------------------------------------


@pytest.mark.django_db
def test_malformed_include_history_is_a_400_naming_it(api):
    response = api.get("/api/v1/exports/annotations", {"include_history": "maybe"})
    assert response.status_code == 400
    assert error_of(response, "include_history")


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["true", "false", "1", "0", "True", "yes", "off"])
def test_boolean_spellings_are_accepted(api, value):
    assert api.get("/api/v1/exports/annotations", {"include_history": value}).status_code == 200
    assert api.get("/api/v1/documents/", {"current": value}).status_code == 200


@pytest.mark.django_db
def test_malformed_current_is_a_400_naming_it(api):
    response = api.get("/api/v1/documents/", {"current": "maybe"})
    assert response.status_code == 400
    assert error_of(response, "current")


@pytest.mark.django_db
def test_current_filters(api, seeded):
    everything = api.get("/api/v1/documents/").json()["results"]
    current = api.get("/api/v1/documents/", {"current": "true"}).json()["results"]
    old = api.get("/api/v1/documents/", {"current": "false"}).json()["results"]
    assert len(current) + len(old) == len(everything)
    assert all(row["is_current"] for row in current)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "name", "value"),
    [
        ("/api/v1/annotations/", "document", "abc"),
        ("/api/v1/annotations/", "document", "0"),
        ("/api/v1/annotations/", "reviewer", "99999999999999999999"),
        ("/api/v1/consensus/", "claim", "1.5"),
        ("/api/v1/annotations/", "updated_since", "yesterday"),
        ("/api/v1/moderation-actions/", "since", "2020-13-01"),
        ("/api/v1/annotations/", "rating_min", "high"),
        ("/api/v1/consensus/", "status", "maybe"),
    ],
)
def test_malformed_filters_are_a_400_naming_them(api, url, name, value):
    response = api.get(url, {name: value})
    assert response.status_code == 400
    assert error_of(response, name)


# --- bodies --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_deeply_nested_json_is_a_400_not_a_recursion_error(api):
    body = "[" * 1000 + "]" * 1000
    response = api.post("/api/v1/claims/", body, content_type="application/json")
    assert response.status_code == 400
    assert "request body" in error_of(response, "detail")
    assert "64" in response.json()["detail"]


@pytest.mark.django_db
def test_nesting_inside_strings_does_not_count(api):
    text = "[" * 100 + "{" * 100
    response = api.post("/api/v1/claims/", {"text": text}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["text"] == text


@pytest.mark.django_db
def test_nesting_up_to_the_limit_is_parsed(api, settings):
    settings.API_MAX_JSON_DEPTH = 3
    ok = api.post("/api/v1/claims/", json.dumps({"text": [[1]]}), content_type="application/json")
    assert ok.status_code == 400 and "text" in ok.json()  # parsed, then refused by the field
    deep = api.post(
        "/api/v1/claims/", json.dumps({"text": [[[1]]]}), content_type="application/json"
    )
    assert deep.status_code == 400 and "detail" in deep.json()


# --- errors outside DRF's views ------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_api_path_is_a_json_404_even_for_a_post_without_csrf_token(moderator):
    """Was Django's HTML CSRF page: the catch-all under /api/ was not CSRF-exempt."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    response = client.post("/api/v1/no-such-endpoint/", {})
    assert response.status_code == 404
    assert response.json() == {"detail": "No such API endpoint."}
    # Web pages keep Django's CSRF page.
    response = client.post("/admin/logout/", {})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_csrf_failure_view_answers_json_under_api(rf):
    from annotator.api.errors import csrf_failure

    response = csrf_failure(rf.post("/api/v1/claims/"), reason="CSRF cookie not set.")
    assert response.status_code == 403
    assert "CSRF cookie not set" in json.loads(response.content)["detail"]
    assert csrf_failure(rf.post("/login/"), reason="x")["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_session_write_without_csrf_token_is_json_403(moderator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    response = client.post("/api/v1/claims/", {"text": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


@pytest.mark.django_db
def test_unknown_method_and_path_are_json(api):
    response = api.delete("/api/v1/me/")
    assert response.status_code == 405 and "detail" in response.json()
    response = api.get("/api/v1/annotations/not-a-number/")
    assert response.status_code == 404 and "detail" in response.json()


@pytest.mark.django_db
def test_server_error_under_api_is_json_with_request_id(rf):
    from annotator.api.errors import server_error

    request = rf.get("/api/v1/me/")
    request.request_id = "abc123"
    response = server_error(request)
    assert response.status_code == 500
    assert json.loads(response.content) == {
        "detail": "Internal server error; it has been logged.",
        "request_id": "abc123",
    }
    assert server_error(rf.get("/"))["Content-Type"].startswith("text/html")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/annotations/", "document"),
        ("/api/v1/annotations/", "updated_since"),
        ("/api/v1/documents/", "current"),
        ("/api/v1/consensus/", "status"),
        ("/api/v1/moderation-actions/", "actor"),
    ],
)
def test_a_typed_filter_sent_empty_is_a_400(api, url, name):
    response = api.get(url, {name: ""})
    assert response.status_code == 400
    assert error_of(response, name)


@pytest.mark.django_db
def test_an_empty_text_filter_means_no_filter(api):
    assert api.get("/api/v1/documents/", {"search": ""}).status_code == 200


@pytest.mark.django_db
def test_a_parameter_given_twice_is_a_400(api):
    response = api.get("/api/v1/documents/?page_size=1&page_size=2")
    assert response.status_code == 400
    assert error_of(response, "page_size") == ["Given 2 times; give it once."]


@pytest.mark.django_db
def test_a_number_where_text_is_expected_is_a_400(api):
    response = api.post("/api/v1/claims/", {"text": "A claim", "language": 5}, format="json")
    assert response.status_code == 400
    assert error_of(response, "language")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "name"),
    [("/api/v1/claims/", "page_size"), ("/api/v1/exports/annotations", "include_history")],
)
def test_an_empty_page_size_or_flag_is_a_400(api, url, name):
    response = api.get(url, {name: ""})
    assert response.status_code == 400
    assert error_of(response, name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "status"), [("2.5", 200), ("5", 200), ("0", 400), ("2e177", 400)]
)
def test_rating_bounds_are_on_the_scale(api, value, status):
    response = api.get("/api/v1/consensus/", {"rating_min": value})
    assert response.status_code == status, response.content
    if status == 400:
        assert error_of(response, "rating_min")


@pytest.mark.django_db
def test_deciding_a_suggestion_twice_the_other_way_is_a_409(api, seeded):
    from annotator.models import Suggestion

    suggestion = Suggestion.objects.order_by("pk").first()
    accepted = api.post(f"/api/v1/suggestions/{suggestion.pk}/accept/", {}, format="json")
    assert accepted.status_code == 201, accepted.content
    response = api.post(f"/api/v1/suggestions/{suggestion.pk}/dismiss/")
    assert response.status_code == 409
    assert error_of(response, "suggestion") == ["You already accepted this suggestion."]


@pytest.mark.django_db
@pytest.mark.parametrize(("header", "status"), [('W/":2"', 400), ("3x", 400), (' "1" ', 200)])
def test_if_match_must_be_an_etag(api, reviewer, seeded, header, status):
    doc = seeded["000"]
    writer = APIClient()
    writer.force_authenticate(reviewer)
    created = writer.post(
        "/api/v1/annotations/",
        {"document": doc.pk, "start": 0, "end": 10, "exact": doc.body[:10], "reliability": 3},
        format="json",
    ).json()
    response = writer.patch(
        f"/api/v1/annotations/{created['id']}/",
        {"reliability": 4},
        format="json",
        HTTP_IF_MATCH=header,
    )
    assert response.status_code == status, response.content
    if status == 400:
        assert error_of(response, "If-Match")


# --- ids in request bodies -----------------------------------------------------------------------

TOO_LARGE_ID = 2**70


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (
            "/api/v1/campaigns/",
            {"name": "c", "reviewers": ["mod"], "overlap": 1, "documents": [TOO_LARGE_ID]},
            "documents",
        ),
        (
            "/api/v1/campaigns/",
            {
                "name": "c",
                "reviewers": ["mod"],
                "overlap": 1,
                "document_filter": {"source": TOO_LARGE_ID},
            },
            "document_filter",
        ),
        (
            "/api/v1/annotations/",
            {"document": TOO_LARGE_ID, "start": 0, "end": 1, "exact": "x", "reliability": 3},
            "document",
        ),
        ("/api/v1/claims/", {"text": "A claim", "language": "en", "parent": TOO_LARGE_ID}, None),
    ],
)
def test_an_id_beyond_the_database_range_in_a_body_is_a_400_naming_it(api, url, body, field):
    response = api.post(url, body, format="json")
    assert response.status_code in (400, 201), response.content[:300]
    if field is not None:
        assert response.status_code == 400
        assert field in response.json(), response.json()


@pytest.mark.django_db
def test_a_search_source_beyond_the_database_range_is_a_400(api):
    response = api.get("/api/v1/search/", {"q": "drama", "source": TOO_LARGE_ID})
    assert response.status_code == 400
    assert "source" in response.json()

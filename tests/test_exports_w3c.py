"""W3C Web Annotation exports: every item valid on its own; one IRI per resource."""

import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

from annotator.annotations import create_annotation, withdraw_annotation
from annotator.models import Annotation, Claim
from tests.http import body, logged_in
from tests.w3c_model import UTC_DATETIME, check_annotation

ANNO = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
MAO_ZH = "好戲開始嘍"


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()


@pytest.fixture
def sample(seeded, reviewer, other_reviewer, third_reviewer):
    """Ratings, flags, notes, a claim, astral characters, a withdrawn annotation."""
    doc = seeded["001"]
    start = doc.body.index(MAO_ZH)
    claim = Claim.objects.create(text="毛澤東說「好戲開始嘍」", language="zh-Hant")
    made = []
    for user, rating in ((reviewer, 2), (other_reviewer, 1), (third_reviewer, 2)):
        made.append(
            create_annotation(
                reviewer=user,
                document=doc,
                start=start,
                end=start + 5,
                reliability=rating,
                flags=["misattributed-quote"],
                claim=claim,
                note="無出處 🙈",
            )  # fmt: skip
        )
    english = seeded["000"]
    made.append(create_annotation(reviewer=reviewer, document=english, start=0, end=12,
                                  reliability=4))  # fmt: skip
    withdraw_annotation(made[-1], by=reviewer, expected_version=made[-1].version)
    return made


def items(client, what):
    collection = json.loads(body(client.get(f"/api/v1/exports/{what}?format=jsonld")))
    return collection["first"]["items"]


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["annotations", "consensus"])
def test_every_item_meets_every_must_standing_alone(sample, moderator, what):
    found = items(logged_in(moderator), what)
    annotations = [item for item in found if item["type"] == "Annotation"]
    assert annotations
    for item in annotations:
        lifted = json.loads(json.dumps(item))  # an item taken out of its collection
        assert check_annotation(lifted) == [], item["id"]
        assert lifted["@context"] == "http://www.w3.org/ns/anno.jsonld"
        assert UTC_DATETIME.match(item["modified"])
        assert item["generator"]["type"] == "Software"
        assert item["target"]["source"]["format"] == "text/plain"
        assert item["target"]["source"]["language"] in {"en", "zh-Hant"}
        assert {body["language"] for body in item["body"] if body["purpose"] != "commenting"} == {
            "en"
        }


@pytest.mark.django_db
def test_the_checker_catches_broken_items(sample, moderator):
    """The MUST checks can fail: each mutilation of a valid item is reported."""
    (item, *_) = (
        i for i in items(logged_in(moderator), "annotations") if i["type"] == "Annotation"
    )
    broken = [
        {**item, "@context": ["http://www.w3.org/ns/anno.jsonld"]},
        {k: v for k, v in item.items() if k != "@context"},
        {**item, "modified": "2026-01-01T00:00:00+00:00"},
        {**item, "id": "not an iri"},
        {k: v for k, v in item.items() if k != "target"},
        {**item, "type": "Note"},
        {**item, "body": [{"type": "TextualBody", "purpose": "assessing"}]},
        {**item, "target": {**item["target"], "selector": [{"type": "TextPositionSelector",
                                                            "start": -1, "end": 2}]}},
    ]  # fmt: skip
    for mutilated in broken:
        assert check_annotation(mutilated), mutilated


@pytest.mark.django_db
def test_reviewer_items_have_a_person_creator_and_consensus_the_service(sample, moderator):
    client = logged_in(moderator)
    by_id = {i["id"]: i for i in items(client, "annotations")}
    mine = by_id[f"http://testserver/api/v1/annotations/{sample[0].pk}/"]
    assert mine["creator"] == {
        "id": f"http://testserver/api/v1/reviewers/{sample[0].reviewer_id}",
        "type": "Person",
        "nickname": sample[0].reviewer.username,
    }
    assert UTC_DATETIME.match(mine["created"])
    assert mine["target"]["selector"][0]["exact"] == MAO_ZH
    for item in items(client, "consensus"):
        assert item["creator"]["type"] == "Software"
        assert item["creator"] == item["generator"]


@pytest.mark.django_db
def test_withdrawn_annotations_are_tombstones(sample, moderator):
    by_id = {i["id"]: i for i in items(logged_in(moderator), "annotations")}
    gone = by_id[f"http://testserver/api/v1/annotations/{sample[-1].pk}/"]
    assert gone["type"] == "Tombstone"
    assert gone["formerType"] == "Annotation"
    assert gone["summary"] == "withdrawn"
    assert UTC_DATETIME.match(gone["deleted"])
    assert "body" not in gone and "creator" not in gone


@pytest.mark.django_db
def test_an_annotation_iri_dereferences_to_its_item(sample, moderator, reviewer, tmp_path):
    client = logged_in(moderator)
    exported = {i["id"]: i for i in items(client, "annotations")}
    path = tmp_path / "a.jsonld"
    call_command("export", "annotations", "--format", "jsonld", "--output", str(path))
    from_cli = {i["id"]: i for i in json.loads(path.read_text(encoding="utf-8"))["first"]["items"]}
    assert from_cli == exported  # one IRI (and one item) per resource, CLI or API
    for iri, item in exported.items():
        response = client.get(iri, HTTP_ACCEPT=ANNO)
        assert response.status_code == 200
        assert response["Content-Type"] == ANNO
        assert response.json() == item
    plain = client.get(f"/api/v1/annotations/{sample[0].pk}/")
    assert "reliability" in plain.json()  # without the Accept header: the API's own JSON


@pytest.mark.django_db
def test_dereferencing_goes_through_the_visibility_policy(sample, seeded):
    from tests.conftest import make_user

    outsider = make_user("dora", groups=["Reviewer"])
    response = logged_in(outsider).get(f"/api/v1/annotations/{sample[0].pk}/", HTTP_ACCEPT=ANNO)
    assert response.status_code == 404
    anonymous = APIClient().get(f"/api/v1/annotations/{sample[0].pk}/", HTTP_ACCEPT=ANNO)
    assert anonymous.status_code in (401, 403)


@pytest.mark.django_db
def test_consensus_iris_use_the_group_key_and_dereference(sample, moderator):
    client = logged_in(moderator)
    for item in items(client, "consensus"):
        key = item["id"].rstrip("/").rsplit("/", 1)[1]
        assert key.split(":")[0] in {"passage", "span"}
        response = client.get(item["id"], HTTP_ACCEPT=ANNO)
        assert response.status_code == 200
        assert response.json() == item
        assert client.get(item["id"]).json()["key"] == key


@pytest.mark.django_db
@override_settings(PUBLIC_BASE_URL="https://annotations.example.org")
def test_public_base_url_names_everything_whatever_the_request_host(sample, moderator):
    client = logged_in(moderator)
    text = body(client.get("/api/v1/exports/annotations?format=jsonld"))
    assert "testserver" not in text
    ids = [i["id"] for i in json.loads(text)["first"]["items"]]
    assert all(i.startswith("https://annotations.example.org/api/v1/annotations/") for i in ids)
    assert Annotation.objects.count() == len(ids)

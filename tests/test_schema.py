"""The OpenAPI schema: served publicly, valid, and true to the API (schemathesis)."""

import pytest
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from django.test import Client

from annotator.annotations import create_annotation
from annotator.models import Claim
from annotator.tokens import create_token
from tests.factories import make_user

OPENAPI_JSON = "application/vnd.oai.openapi+json"


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()


@pytest.mark.django_db
def test_schema_and_docs_pages_are_served():
    client = Client()
    schema = client.get("/api/schema/", HTTP_ACCEPT=OPENAPI_JSON).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/annotations/",
        "/api/v1/annotations/{id}/",
        "/api/v1/annotations/{id}/withdraw/",
        "/api/v1/annotations/{id}/history/",
        "/api/v1/claims/",
        "/api/v1/consensus/",
        "/api/v1/flags/",
        "/api/v1/me/",
        "/api/v1/documents/{id}/",
        "/api/v1/exports/consensus",
        "/api/v1/exports/annotations",
    ):
        assert path in paths, path
    patch = paths["/api/v1/annotations/{id}/"]["patch"]
    assert {"200", "400", "403", "404", "412", "428"} <= set(patch["responses"])
    create = paths["/api/v1/annotations/"]["post"]
    assert {"201", "400", "401", "413"} <= set(create["responses"])
    request = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    required = schema["components"]["schemas"][request.rsplit("/", 1)[1]]["required"]
    assert set(required) == {"document", "start", "end", "exact"}
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/redoc/").status_code == 200


@pytest.mark.slow
@pytest.mark.django_db(transaction=False)
def test_schemathesis_finds_no_server_error_or_schema_violation(seeded, settings):
    """Property-based run over every operation, as a reviewer with seeded data (bounded)."""
    import schemathesis
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hypothesis_settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    from config.wsgi import application

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
    reviewer = make_user("fuzz", groups=["Reviewer"])
    other = make_user("other", groups=["Reviewer"])
    claim = Claim.objects.create(text="A claim to link")
    doc = seeded["000"]
    for user in (reviewer, other):
        create_annotation(reviewer=user, document=doc, start=0, end=20, reliability=3, claim=claim)
    _, key = create_token(reviewer, "schemathesis", "write")
    headers = {"Authorization": f"Bearer {key}"}

    # As Django's test client does: keep the test transaction's connection open across requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/", application, headers={"Accept": OPENAPI_JSON}
    )
    checks = [
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
        content_type_conformance,
    ]
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=25,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(headers=headers, checks=checks)

        try:
            run()
        except Exception as error:  # collect all operations' failures, report together
            failures.append(f"{operation.label}: {error}")
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
    assert not failures, "\n\n".join(failures)

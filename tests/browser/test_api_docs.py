"""The API reference pages load under the CSP with no console error (the page fixture fails
the test on any JavaScript error or CSP violation)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_the_schema(page):
    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "annotation" in page.locator(".swagger-ui .info .title").inner_text().lower()
    # The operations are listed, e.g. the annotation endpoints.
    page.locator("#operations-tag-annotations").wait_for()


def test_the_old_redoc_address_leads_to_swagger_ui(page):
    page.goto("/api/redoc/")
    page.locator(".swagger-ui .info .title").wait_for()
    assert page.url.endswith("/api/docs/")

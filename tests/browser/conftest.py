"""Playwright fixtures: one headless Chromium per session, a fresh context per test.

CI installs Debian's ``chromium`` package; on a machine without it the browser tests are
skipped with the reason.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = REPO / "docs" / "screenshots"
TEST_RESULTS = REPO / "test-results" / "screenshots"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(
        reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium; CI installs it)"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    """Playwright's sync API keeps an event loop running in this thread, and Django's ORM
    refuses to run beside a running loop unless told otherwise. Allowed only around browser
    tests (setup to teardown): the variable must not leak to other tests or their subprocesses
    (``check --deploy`` rejects it)."""
    os.environ[ASYNC_UNSAFE] = "true"
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    os.environ.pop(ASYNC_UNSAFE, None)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A page on the live server; fails the test on JavaScript errors or CSP violations."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1360, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def on_console(message):
        # Chromium logs every 4xx fetch; the refusals the UI handles (400, 412) are expected.
        expected = re.search(r"Failed to load resource: .* status of (400|412) ", message.text)
        if message.type == "error" and not expected:
            problems.append(f"console {message.type}: {message.text}")

    page.on("console", on_console)
    yield page
    context.close()
    assert problems == [], problems


PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


@pytest.fixture
def phone_page(browser, live_server):
    """``phone_page(locale)``: a page in a 390×844 touch context; fails the test on JavaScript
    errors."""
    contexts, errors = [], []

    def open_page(locale: str = "en-GB"):
        context = browser.new_context(base_url=live_server.url, locale=locale, **PHONE)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert errors == [], errors


@pytest.fixture
def screenshot():
    """Save a screenshot under test-results/ (and docs/screenshots/ with UPDATE_SCREENSHOTS=1)."""

    def save(page, name: str, **options):
        TEST_RESULTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(TEST_RESULTS / f"{name}.png"), **options)
        if os.environ.get("UPDATE_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), **options)

    return save

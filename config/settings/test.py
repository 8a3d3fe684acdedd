"""Test settings: whatever DATABASE_URL says (PostgreSQL in CI), SQLite otherwise."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True  # no collectstatic in tests: serve from the finders

# Embedding a document's sentences takes seconds on this hardware; the claim-matching tests
# switch it back on (tests/test_claim_matching.py), the rest of the suite does not need it.
ANNOTATOR = {**ANNOTATOR, "CLAIM_EMBED_ON_IMPORT": False}  # noqa: F405

# Django empties tables between transactional tests with TRUNCATE, which the audit log's trigger
# refuses unless the session opts in (migration 0004_authz_...; a test checks the refusal).
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = (
        _options.get("options", "") + " -c annotator.allow_audit_truncate=on"
    ).strip()

import tempfile  # noqa: E402

# Snapshots written by tests go to a throw-away folder, never into the work tree.
MEDIA_ROOT = tempfile.mkdtemp(prefix="annotator-test-media-")

# The test client's host: exported IRIs dereference through the test client.
PUBLIC_BASE_URL = "http://testserver"
PUBLISHER = {
    "NAME": "Test Fact-check Desk",
    "URL": "http://testserver/",
    "LOGO": "http://testserver/static/annotator/logo.png",
}

ALLOW_PRIVATE_NETWORK_TARGETS = True  # tests run their receivers and providers on 127.0.0.1

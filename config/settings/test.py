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

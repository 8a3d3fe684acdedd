"""Shared fixtures. Tests run on PostgreSQL when DATABASE_URL points at it, SQLite otherwise."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from hypothesis import settings as hypothesis_settings

from annotator.importing import import_paths
from annotator.models import Document, User
from tests.factories import make_user

SEEDS = Path(settings.BASE_DIR) / "seeds"

# Property-based tests (Hypothesis, schemathesis) explore new random examples on every local run;
# in CI (CI=true) they replay a fixed sequence, so that a landing never hangs on a coin toss.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
    hypothesis_settings.load_profile("ci")


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only tests, with the reason, when the suite runs on SQLite."""
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: set DATABASE_URL=postgres://... (CI does); this run uses SQLite"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def migration_data(transactional_db):
    """Re-create what data migrations insert (flag taxonomy, roles) for transactional tests.

    A transactional test's database is flushed after it, which empties those tables; Django
    re-creates content types and permissions, and this re-creates the rest. (Serialized rollback
    would do the same but breaks when content types were re-created with new ids.)
    """
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps

    editor = SimpleNamespace(connection=connection)
    import_module("annotator.migrations.0002_flag_taxonomy_and_audit_trigger").seed_flags(
        apps, editor
    )
    import_module("annotator.migrations.0003_roles").create_roles(apps, editor)
    import_module("annotator.migrations.0007_docsin_documents").create_editor_role(apps, editor)
    import_module("annotator.migrations.0013_i18n_flag_labels").fill_seed_translations(apps, editor)


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def seeded(db) -> dict[str, Document]:
    """The five seed documents, keyed by their number prefix ('000' … '004')."""
    report = import_paths([SEEDS])
    assert not report.failed, report.failed
    return {doc.origin[:3]: doc for doc in Document.objects.all()}


@pytest.fixture
def reviewer(db) -> User:
    return make_user("alice", groups=["Reviewer"])


@pytest.fixture
def other_reviewer(db) -> User:
    return make_user("bob", groups=["Reviewer"])


@pytest.fixture
def third_reviewer(db) -> User:
    return make_user("chen", groups=["Reviewer"])


@pytest.fixture
def moderator(db) -> User:
    return make_user("mod", groups=["Moderator"], is_staff=True)

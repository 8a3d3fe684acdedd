"""Exports read from the replica when one is configured; everything else uses the primary.

The two-database test runs in a subprocess with two real SQLite files as "default" and "replica".
The replica is a file copy of the migrated primary (a snapshot, as a lagging replica would be), so
rows written afterwards exist only on the primary and show where each read went.
"""

import os
import shutil

import pytest

from annotator.db_routing import export_database_alias, export_reads
from annotator.models import Source
from tests.probes import last_json_line, run_python

ROUTING_PROBE = """
import json, django
django.setup()
from django.db import connections
from django.test.utils import CaptureQueriesContext
from annotator.db_routing import export_database_alias, export_reads
from annotator.models import Source

out = {"alias": export_database_alias()}
Source.objects.create(name="written-after-the-snapshot")
out["written_to"] = Source.objects.get(name="written-after-the-snapshot")._state.db
out["ordinary_read"] = sorted(Source.objects.values_list("name", flat=True))
with CaptureQueriesContext(connections["replica"]) as replica_queries:
    with export_reads() as alias:
        out["context_alias"] = alias
        out["export_read"] = sorted(Source.objects.values_list("name", flat=True))
        out["export_read_db"] = Source.objects.all().db
        Source.objects.create(name="written-inside-export-context")
out["replica_queries"] = len(replica_queries)
out["pinned_export_read"] = sorted(
    Source.objects.using(export_database_alias()).values_list("name", flat=True)
)
out["primary_after"] = sorted(Source.objects.values_list("name", flat=True))
out["replica_has_export_write"] = Source.objects.using("replica").filter(
    name="written-inside-export-context").exists()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def routing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("replica")
    primary, replica = folder / "primary.sqlite3", folder / "replica.sqlite3"
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"sqlite:///{primary}",
        DATABASE_REPLICA_URL=f"sqlite:///{replica}",
        LOG_LEVEL="WARNING",
    )

    def run(*args):
        result = run_python(*args, env=env, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    run("manage.py", "migrate", "--verbosity=0")
    run(
        "manage.py",
        "shell",
        "-c",
        "from annotator.models import Source; Source.objects.create(name='in-both')",
    )
    shutil.copyfile(primary, replica)
    return last_json_line(run("-c", ROUTING_PROBE))


def test_export_alias_is_the_replica_when_configured(routing):
    assert routing["alias"] == "replica"
    assert routing["context_alias"] == "replica"


def test_writes_and_ordinary_reads_use_the_primary(routing):
    assert routing["written_to"] == "default"
    # Read-your-writes: the row just written is visible to an ordinary read.
    assert routing["ordinary_read"] == ["in-both", "written-after-the-snapshot"]


def test_reads_inside_export_reads_go_to_the_replica(routing):
    assert routing["export_read_db"] == "replica"
    assert routing["export_read"] == ["in-both"]
    assert routing["replica_queries"] >= 1
    assert routing["pinned_export_read"] == ["in-both"]


def test_writes_inside_export_reads_still_go_to_the_primary(routing):
    assert "written-inside-export-context" in routing["primary_after"]
    assert routing["replica_has_export_write"] is False


def test_without_a_replica_exports_read_from_the_primary(db):
    Source.objects.create(name="only-source")
    assert export_database_alias() == "default"
    with export_reads() as alias:
        assert alias == "default"
        assert Source.objects.all().db == "default"
        assert list(Source.objects.values_list("name", flat=True)) == ["only-source"]


def test_replica_is_never_migrated():
    """Migrations run on the primary only; the replica gets the schema by replication."""
    from config.db_router import ExportReplicaRouter

    router = ExportReplicaRouter()
    assert router.allow_migrate("default", "annotator") is True
    assert router.allow_migrate("replica", "annotator") is False

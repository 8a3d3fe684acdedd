"""Liveness and readiness probes for load balancers and docker-compose.

`/healthz` answers as long as the process serves requests and touches nothing else, so a
database outage never gets healthy web containers killed. `/readyz` says whether this process
can do useful work: the database answers and every migration is applied. Both skip the SSL
redirect (see `SECURE_REDIRECT_EXEMPT`) so a probe on plain HTTP inside the network works.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse

# Migrations are never un-applied under a running process, so once they are all applied the
# (slow) migration graph need not be rebuilt on every probe.
_migrations_applied = False


def healthz(request):
    """The process is up and serving requests; says nothing about the database."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """The database answers and every migration is applied."""
    global _migrations_applied
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrations_applied:
            pending = pending_migrations(connection)
            if pending:
                return JsonResponse(
                    {"status": "unavailable", "database": "ok", "pending_migrations": pending},
                    status=503,
                )
            _migrations_applied = True
    except Exception as error:  # noqa: BLE001 - any failure means "not ready", never a 500
        return JsonResponse(
            {"status": "unavailable", "database": f"unreachable: {type(error).__name__}"},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def pending_migrations(connection) -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]

"""Database router: exports may read from a replica; everything else uses the primary.

Active only when settings.DATABASES has a "replica" alias (set by DATABASE_REPLICA_URL). Reads
go to the replica only inside `annotator.db_routing.export_reads()`; writes always go to the
primary, and migrations run only on the primary (the replica receives them by replication).
"""

from django.db import DEFAULT_DB_ALIAS

from annotator.db_routing import REPLICA_DB_ALIAS, in_export_reads, replica_configured


class ExportReplicaRouter:
    def db_for_read(self, model, **hints):
        if in_export_reads() and replica_configured():
            return REPLICA_DB_ALIAS
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data (one replicates the other).
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS

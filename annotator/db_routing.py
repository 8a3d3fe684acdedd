"""Which database exports read from.

Ordinary reads and all writes go to the primary ("default"), so a reviewer always sees what they
just wrote. Exports, which read a lot and tolerate a few seconds of replication lag, opt in to the
read replica when one is configured (`DATABASE_REPLICA_URL` adds the "replica" alias):

    rows = Consensus.objects.using(export_database_alias())   # streaming-safe

    with export_reads():                                      # every read inside the block
        build_export()

A streamed response is consumed after the view returns, i.e. outside any `with` block in the
view, so streaming exports should pin their querysets with `.using(export_database_alias())`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_DB_ALIAS = "replica"

_export_reads: ContextVar[bool] = ContextVar("export_reads", default=False)


def replica_configured() -> bool:
    return REPLICA_DB_ALIAS in connections.settings


def export_database_alias() -> str:
    """The alias exports read from: the replica when there is one, else the primary."""
    return REPLICA_DB_ALIAS if replica_configured() else DEFAULT_DB_ALIAS


def in_export_reads() -> bool:
    return _export_reads.get()


@contextmanager
def export_reads() -> Iterator[str]:
    """Route the reads made inside the block to the export database; yields its alias."""
    token = _export_reads.set(True)
    try:
        yield export_database_alias()
    finally:
        _export_reads.reset(token)

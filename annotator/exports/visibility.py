"""Which consensus rows a user may see: blind review extends to aggregates.

A consensus summarises other reviewers' judgments, so a reviewer sees the consensus of a
passage, a span or a claim only once they have an active annotation of their own in that
group. Moderators (and the superuser) see every row.
"""

import functools

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from annotator.models import Annotation, AnnotationStatus, Consensus
from annotator.sqlrows import ModelSQL
from annotator.visibility import blind_review_enabled


def visible_consensus(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Consensus.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.is_moderator or not blind_review_enabled():
        return queryset
    return consensus_involving(queryset, user.pk)


def consensus_involving(queryset: QuerySet, reviewer_id: int) -> QuerySet:
    """Consensus rows of groups in which ``reviewer_id`` has an active annotation.

    ``queryset`` must select from the consensus table itself (not a subquery of it): the
    condition is SQL written once, because built from ORM expressions (three correlated
    EXISTS) it cost about 1.5 ms of Python per request on every consensus read and export,
    more than the database took to run it.
    """
    return queryset.filter(
        # Identifiers and literals come from the models and their enums; the id is a parameter.
        RawSQL(  # noqa: S611
            _involving_sql(connection.vendor), [reviewer_id] * 3, output_field=BooleanField()
        )
    )


@functools.cache
def _involving_sql(vendor: str) -> str:
    consensus = ModelSQL.for_model(Consensus)  # the outer query's table, by its own name
    own = ModelSQL.for_model(Annotation, "own")

    def own_rows(selected: str) -> str:
        return (
            f"SELECT {selected} FROM {own.table} own"  # noqa: S608
            f" WHERE {own.column('reviewer')} = %s"
            f" AND {own.column('status')} = '{AnnotationStatus.ACTIVE}'"
        )

    kind = consensus.column("kind")
    same_span = " AND ".join(
        f"{own.column(name)} = {consensus.column(name)}" for name in ("document", "start", "end")
    )
    return (
        f"(({kind} = '{Consensus.Kind.PASSAGE}'"
        f" AND {consensus.column('passage')} IN ({own_rows(own.column('passage'))}))"
        f" OR ({kind} = '{Consensus.Kind.SPAN}' AND EXISTS ({own_rows('1')} AND {same_span}))"
        f" OR ({kind} = '{Consensus.Kind.CLAIM}'"
        f" AND {consensus.column('claim')} IN ({own_rows(own.column('claim'))})))"
    )

"""Export querysets: filtered, ordered by (updated_at, id), bounded by an incremental cursor.

An export cursor is the (updated_at, id) of the last row a client received. The next pull
with that cursor returns exactly the rows changed after it: an edit moves a row's updated_at
forward, so the row comes again in the next pull. Each export is bounded, before streaming
starts, by the newest row at that moment; the bound is the cursor returned to the client.
"""

import base64
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from django.db.models import Q, QuerySet

from annotator.validators import MAX_ID


class InvalidCursor(ValueError):
    pass


def encode_cursor(updated_at: datetime, pk: int) -> str:
    raw = f"{updated_at.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (updated_at in UTC, id) inside a cursor; ``InvalidCursor`` for anything else.

    The time is converted to UTC here: Python accepts offsets up to ±23:59 but PostgreSQL
    refuses those beyond ±15:59, so a tampered cursor would otherwise fail in the database.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, pk = base64.urlsafe_b64decode(padded.encode("ascii")).decode().split("|")
        updated_at = datetime.fromisoformat(stamp)
        if updated_at.tzinfo is None:
            raise ValueError("naive")
        updated_at = updated_at.astimezone(UTC)
        if not pk.isascii() or not pk.isdigit() or int(pk) > MAX_ID:
            raise ValueError("id")
        return updated_at, int(pk)
    except (ValueError, UnicodeError, TypeError, OverflowError):
        raise InvalidCursor("Not a cursor returned by this export.") from None


def after_cursor(queryset: QuerySet, cursor: str | None) -> QuerySet:
    if not cursor:
        return queryset
    updated_at, pk = decode_cursor(cursor)
    return queryset.filter(Q(updated_at__gt=updated_at) | Q(updated_at=updated_at, pk__gt=pk))


def bounded(queryset: QuerySet, cursor: str | None) -> tuple[QuerySet, str | None]:
    """Rows after ``cursor`` up to the newest now, in order, and the cursor of that newest row."""
    queryset = after_cursor(queryset, cursor)
    last = queryset.order_by("-updated_at", "-pk").values_list("updated_at", "pk").first()
    if last is None:
        return queryset.none(), cursor
    updated_at, pk = last
    queryset = queryset.filter(Q(updated_at__lt=updated_at) | Q(updated_at=updated_at, pk__lte=pk))
    return queryset.order_by("updated_at", "pk"), encode_cursor(updated_at, pk)


def batched(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch

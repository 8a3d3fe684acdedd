"""Quotes of consensus groups, cut once from the document body when a group's row is made.

A group's span never changes (its key names it) and neither does a document's text, so the
quote is stored with the row, as an annotation stores its own: exports then read it like any
other column instead of cutting 16 KB bodies per row while they stream.
"""

from collections import OrderedDict
from collections.abc import Iterable

from annotator.models import Consensus, Document
from annotator.text import quote_selector


class QuoteCutter:
    """Cuts quotes (``text.quote_selector``) from document bodies fetched a batch at a time.

    Bodies are kept, least recently used first out, up to ``budget`` characters (at worst
    that plus the documents of one batch), so memory stays bounded whatever the number of
    rows.
    """

    def __init__(self, using: str = "default", budget: int = 4_000_000):
        self.using = using
        self.budget = budget
        self.bodies: OrderedDict[int, str] = OrderedDict()
        self.size = 0

    def add_quotes(self, rows: Iterable[Consensus]) -> None:
        """Set ``exact``, ``prefix`` and ``suffix`` of each row that has a span."""
        rows = [row for row in rows if row.document_id is not None and row.start is not None]
        missing = {row.document_id for row in rows} - set(self.bodies)
        if missing:
            fetched = Document.objects.using(self.using).filter(pk__in=missing)
            for pk, body in fetched.values_list("pk", "body"):
                self.bodies[pk] = body
                self.size += len(body)
        for row in rows:
            self.bodies.move_to_end(row.document_id)
            quote = quote_selector(self.bodies[row.document_id], row.start, row.end)
            row.exact, row.prefix, row.suffix = quote.exact, quote.prefix, quote.suffix
        while self.size > self.budget and len(self.bodies) > 1:
            _, body = self.bodies.popitem(last=False)
            self.size -= len(body)


def add_quotes(rows: list[Consensus], using: str = "default") -> None:
    """Quotes for new rows, a thousand at a time (bounded memory for a full rebuild)."""
    cutter = QuoteCutter(using)
    for index in range(0, len(rows), 1000):
        cutter.add_quotes(rows[index : index + 1000])

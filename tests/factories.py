"""One way to make the things tests need: users, documents and annotations.

Everything goes through the product's own write paths (``create_user``, ``import_record``,
``create_annotation``), so a factory-made object is exactly what the product would store.
"""

from django.contrib.auth.models import Group

from annotator.annotations import create_annotation
from annotator.importing import DocumentRecord, import_record
from annotator.models import Annotation, Document, User


def make_user(username: str, *, groups=(), **extra) -> User:
    """A user whose password is ``pw-<username>``, in the named groups (created if missing)."""
    user = User.objects.create_user(username=username, password="pw-" + username, **extra)
    for name in groups:
        group, _ = Group.objects.get_or_create(name=name)
        user.groups.add(group)
    return user


def make_document(
    body: str, *, language="en", origin="test.txt", title="Test", source="Test"
) -> Document:
    """A document imported the way ``manage.py import_documents`` would."""
    return import_record(
        DocumentRecord(body=body, origin=origin, language=language, title=title, source=source)
    ).document


def annotate(reviewer, document, text_or_span, *, occurrence: int = 0, **judgment) -> Annotation:
    """``reviewer`` annotates ``text_or_span`` in ``document``: a quoted text (its
    ``occurrence``-th appearance, from 0) or a ``(start, end)`` pair. ``judgment`` goes to
    ``create_annotation`` as is (reliability, flags, note, evidence, claim, suggestion)."""
    if isinstance(text_or_span, str):
        start = -1
        for _ in range(occurrence + 1):
            start = document.body.index(text_or_span, start + 1)
        end = start + len(text_or_span)
    else:
        start, end = text_or_span
    return create_annotation(
        reviewer=reviewer,
        document=document,
        start=start,
        end=end,
        exact=document.body[start:end],
        **judgment,
    )

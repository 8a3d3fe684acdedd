"""Jobs of claim matching, run by the worker (``manage.py run_worker``)."""

from django_tasks import task

from annotator.models import Document

from .index import index_document


@task()
def embed_document(document_id: int) -> int:
    """Embed a new document's sentences for claim matching: a few hundred milliseconds of CPU
    per page, so an import or an upload does not wait for it (the job is enqueued in the
    import's transaction: a rolled-back import embeds nothing). A document gone or superseded
    meanwhile is skipped."""
    document = Document.objects.filter(pk=document_id, is_current=True).first()
    if document is None:
        return 0
    return index_document(document)

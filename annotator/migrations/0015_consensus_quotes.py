"""Consensus rows keep their span's quote (annotator/quotes.py); existing rows get theirs."""

from django.db import migrations, models

from annotator.text import quote_selector


def cut_existing_quotes(apps, schema_editor):
    """One document at a time: each body is read once, its groups updated in batches."""
    Consensus = apps.get_model("annotator", "Consensus")
    Document = apps.get_model("annotator", "Document")
    using = schema_editor.connection.alias
    pending = Consensus.objects.using(using).filter(start__isnull=False, document__isnull=False)
    documents = pending.order_by().values_list("document_id", flat=True).distinct()
    for document_id in list(documents):
        body = Document.objects.using(using).values_list("body", flat=True).get(pk=document_id)
        rows = list(pending.filter(document_id=document_id).only("id", "start", "end"))
        for row in rows:
            quote = quote_selector(body, row.start, row.end)
            row.exact, row.prefix, row.suffix = quote.exact, quote.prefix, quote.suffix
        Consensus.objects.using(using).bulk_update(
            rows, ["exact", "prefix", "suffix"], batch_size=1000
        )


class Migration(migrations.Migration):
    dependencies = [
        ("annotator", "0014_docsin_search_keyset"),
    ]

    operations = [
        migrations.AddField(
            model_name="consensus",
            name="exact",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="consensus",
            name="prefix",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="consensus",
            name="suffix",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.RunPython(cut_existing_quotes, migrations.RunPython.noop, elidable=True),
    ]

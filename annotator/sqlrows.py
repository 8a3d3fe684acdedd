"""Hand-written SQL for the few statements on the hot paths, with model instances in and out.

The ORM compiles every query anew on each call. For the small statements that run on every
request (the token lookup) or inside every annotation write (the consensus rows), compiling
cost more Python time than the database spent running them. ``ModelSQL`` builds the SQL text
once per model from its metadata and converts values the way the ORM does: fields prepare
values going in (``get_db_prep_save``), the backend's converters turn them back coming out
(so SQLite's text datetimes come back aware, JSON comes back decoded). Callers keep working
with model instances; identifiers come from the models and every value is a parameter.
"""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import Model


class ModelSQL:
    """SQL pieces for one model under one table alias, for the current database vendor.

    Without an alias, columns are qualified by the table's own name: for conditions added to
    an ORM query on that table (``RawSQL``), which refer to its columns that way.
    """

    def __init__(self, model: type[Model], alias: str | None = None):
        quote = connection.ops.quote_name
        self.model = model
        self.table = quote(model._meta.db_table)
        self.alias = alias or self.table
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        self.columns = ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)
        self._converters = []
        for field in self.fields:
            col = field.get_col(alias or model._meta.db_table)
            converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            self._converters.append((col, converters))

    @classmethod
    def for_model(cls, model: type[Model], alias: str | None = None) -> ModelSQL:
        return _model_sql(model, alias, connection.vendor)

    def column(self, name: str) -> str:
        """``alias."column"`` of the field called ``name`` (a ForeignKey's name gives its id)."""
        return f"{self.alias}.{connection.ops.quote_name(self.model._meta.get_field(name).column)}"

    def instance(self, values) -> Model:
        """A model instance from ``values`` selected in ``self.columns`` order."""
        values = list(values)
        for index, (col, converters) in enumerate(self._converters):
            for converter in converters:
                values[index] = converter(values[index], col, connection)
        return self.model.from_db(connection.alias, self.attnames, values)

    def insert_ignoring_conflicts(self, instances, unique_field: str) -> None:
        """``INSERT … ON CONFLICT (unique_field) DO NOTHING`` in the order given (PostgreSQL
        and SQLite). Values are prepared by their fields, as ``bulk_create`` does."""
        insert_fields = [field for field in self.fields if not field.primary_key]
        quote = connection.ops.quote_name
        row_sql = "(" + ", ".join(["%s"] * len(insert_fields)) + ")"
        params = []
        for instance in instances:
            params += [
                field.get_db_prep_save(field.pre_save(instance, True), connection)
                for field in insert_fields
            ]
        names = ", ".join(quote(field.column) for field in insert_fields)
        conflict = quote(self.model._meta.get_field(unique_field).column)
        rows = ", ".join([row_sql] * len(instances))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.table} ({names}) VALUES {rows}"  # noqa: S608
                f" ON CONFLICT ({conflict}) DO NOTHING",
                params,
            )

    def update(self, instance: Model, field_names: list[str]) -> None:
        """``UPDATE`` these fields of one row, by primary key, with the instance's values."""
        quote = connection.ops.quote_name
        fields = [self.model._meta.get_field(name) for name in field_names]
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        pk = self.model._meta.pk
        params = [
            field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {self.table} SET {assignments}"  # noqa: S608
                f" WHERE {quote(pk.column)} = %s",
                [*params, instance.pk],
            )


@functools.cache
def _model_sql(model: type[Model], alias: str | None, vendor: str) -> ModelSQL:
    return ModelSQL(model, alias)

"""Model instances from hand-written SELECTs, for the few reads on the hottest paths.

Why by hand: building and compiling a queryset costs more CPU than the indexed query it sends
(bench/api.py; about 0.3 ms of a 2-3 ms request). A RowLoader lists the model's columns in
order and applies the same converters the ORM would, so the instances match the ORM's.
"""
from functools import cached_property

from django.db import connection

from apps.common.db import prepared_cursor


class RowLoader:
    def __init__(self, model, alias: str):
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]

    @cached_property
    def _columns(self) -> str:
        return ", ".join(f"{self.alias}.{connection.ops.quote_name(field.column)}" for field in self.fields)

    def columns(self) -> str:
        return self._columns

    def param(self, field_name: str, value):
        """A value as the database expects it for that field."""
        return self.model._meta.get_field(field_name).get_db_prep_value(value, connection)

    def fetch(self, sql: str, params) -> list:
        with prepared_cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        converters = self._converters
        db = connection.alias
        instances = []
        for row in rows:
            if converters:
                row = list(row)
                for index, field, funcs in converters:
                    for func in funcs:
                        row[index] = func(row[index], field, connection)
            instances.append(self.model.from_db(db, self.attnames, row))
        return instances

    @cached_property
    def _converters(self) -> list:
        found = []
        for index, field in enumerate(self.fields):
            col = field.get_col(self.model._meta.db_table)
            funcs = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            if funcs:
                found.append((index, col, funcs))
        return found

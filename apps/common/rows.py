"""Model instances from hand-written SELECTs, for the few reads on the hottest paths.

Why by hand: building and compiling a queryset costs more CPU than the indexed query it sends
(bench/api.py; about 0.3 ms of a 2-3 ms request). A RowLoader lists the model's columns in
order and applies the same converters the ORM would, so the instances match the ORM's.
"""
from django.db import connection


class RowLoader:
    def __init__(self, model, alias: str):
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        self._converters = {}

    def columns(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def param(self, field_name: str, value):
        """A value as the database expects it for that field (UUIDs are hex text on SQLite)."""
        return self.model._meta.get_field(field_name).get_db_prep_value(value, connection)

    def fetch(self, sql: str, params) -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        converters = self._converters_for_vendor()
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

    def _converters_for_vendor(self):
        vendor = connection.vendor
        if vendor not in self._converters:
            found = []
            for index, field in enumerate(self.fields):
                col = field.get_col(self.model._meta.db_table)
                funcs = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
                if funcs:
                    found.append((index, col, funcs))
            self._converters[vendor] = found
        return self._converters[vendor]

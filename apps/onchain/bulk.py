"""PostgreSQL COPY for the indexer's big inserts: bulk_create spent more time building model
instances than the database spent storing rows (bench/indexer.py --profile)."""
from django.db import connection
from psycopg.types.json import Jsonb


def copy_rows(model, columns: list[str], rows) -> int:
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def jsonb(value):
    return Jsonb(value)

"""Django's PostgreSQL backend with a health check that costs no round trip.

CONN_HEALTH_CHECKS makes Django check a persistent connection at the start of every request.
The stock check sends `SELECT 1`: one more round trip on every request, about as much as the
indexed read a topic detail needs. An idle connection has nothing to read, so this one first
asks the socket: only when the server has written something unprompted (it is shutting down or
terminated this backend) or closed it does the query run. A network partition (no data) is not
seen by either check until the next query times out.
"""
import select

from django.conf import settings
from django.db.backends.postgresql import base


class _PreparingCursor(base.ServerBindingCursor):
    """Prepares every statement it runs (Django turns psycopg's automatic preparation off for the
    connection; psycopg keeps at most prepared_max, 100, per connection and evicts the oldest)."""

    def execute(self, query, params=None, *, prepare=True, binary=None):
        return super().execute(query, params, prepare=prepare, binary=binary)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        if conn.prepare_threshold is None and settings.AGORA_DB_PREPARED_STATEMENTS:
            # Django leaves it None, which refuses even an explicit prepare=True. Django's own cursors
            # bind on the client and are never prepared, so this only lets prepared_cursor() prepare.
            conn.prepare_threshold = 2**31 - 1
        return conn

    def is_usable(self):
        conn = self.connection
        if conn is None or conn.closed or conn.broken:
            return False
        try:
            readable, _, _ = select.select([conn.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable or super().is_usable()

    def prepared_cursor(self):
        """A cursor that binds parameters on the server and prepares its statements on this
        connection. For the hand-written statements of the hot paths only (apps/common/db/__init__.py
        says why)."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            return self._prepare_cursor(_PreparingCursor(self.connection))

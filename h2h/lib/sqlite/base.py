"""Django's SQLite backend, keeping the query planner's statistics up to date.

SQLite plans joins from statistics that only ANALYZE gathers; without them a report query over a large case
history can pick a plan several times slower. SQLite's advice for applications whose connections are short-lived
(Django closes one after each request) is to run `PRAGMA optimize` just before closing each connection: it
analyses only the tables this connection used whose statistics are missing or out of date, and
`analysis_limit` bounds the work to a sample of each index (https://sqlite.org/lang_analyze.html).
"""

from django.db.backends.sqlite3 import base

ANALYSIS_LIMIT = 1000  # rows sampled per index: milliseconds, even on a large table


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        return connection

    def _close(self):
        if self.connection is not None and not self.in_atomic_block:
            try:
                self.connection.execute("PRAGMA optimize")
            except base.Database.Error:  # a busy or read-only database: statistics can wait for the next close
                pass
        super()._close()

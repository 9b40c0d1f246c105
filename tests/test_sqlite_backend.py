"""The SQLite backend keeps planner statistics: a closed connection leaves them for the tables it used."""

import sqlite3

import pytest
from django.db import connection

from h2h.lib.sqlite.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend only")


def test_closing_a_connection_analyses_the_tables_it_used(tmp_path, django_db_blocker):
    path = tmp_path / "stats.sqlite3"
    with sqlite3.connect(path) as raw:  # a file of its own, not the test database
        raw.execute("CREATE TABLE home (id INTEGER PRIMARY KEY, band INTEGER)")
        raw.execute("CREATE INDEX home_band ON home (band)")
        raw.executemany("INSERT INTO home (band) VALUES (?)", [(n % 7,) for n in range(2_000)])
    wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": str(path)}, alias="stats")
    with django_db_blocker.unblock():
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM home WHERE band = %s", [3])
        no_stats_yet = "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
        assert not sqlite3.connect(path).execute(no_stats_yet).fetchall()
        wrapper.close()
    stats = sqlite3.connect(path).execute("SELECT tbl, idx FROM sqlite_stat1").fetchall()
    assert ("home", "home_band") in stats

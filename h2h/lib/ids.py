"""Restricting a query to a long list of ids (tens of thousands: a year's cohort), on either database."""

from collections.abc import Iterable, Iterator

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

# Ids per IN (…) list on SQLite: well under its limit on bound parameters (32,766).
SQLITE_CHUNK = 5_000


def by_ids(queryset: QuerySet, field: str, ids: Iterable[int]) -> Iterator[QuerySet]:
    """The queryset restricted to rows whose `field` is one of `ids`, as one or more querysets to run in turn.

    PostgreSQL gets the ids as one array parameter: a query with tens of thousands of placeholders takes
    psycopg most of a second to prepare. SQLite gets IN lists of at most SQLITE_CHUNK ids.
    """
    ids = sorted(set(ids))
    if not ids:
        return
    if connection.vendor == "postgresql":
        yield queryset.filter(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", (ids,))})
        return
    for start in range(0, len(ids), SQLITE_CHUNK):
        yield queryset.filter(**{f"{field}__in": ids[start:start + SQLITE_CHUNK]})

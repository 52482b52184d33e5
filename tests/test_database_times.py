"""Times come back from the database as the same instants, in UTC, on both engines; on PostgreSQL
read by psycopg's compiled loader (core/database.py), not by Django's Python one."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db.backends.postgresql.base import DatabaseWrapper
from django.db.utils import ConnectionHandler
from psycopg import pq
from psycopg.postgres import types

from incidents.models import Incident

from .factories import reported_incident, set_fields
from .test_evidence_storage import settings_with

MOMENTS = [
    datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),  # the last moment of GMT in 2026
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, 12, 345678, tzinfo=UTC),  # the first 01:30 of the night the clocks go back
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # the second
    datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
]


@pytest.mark.django_db
def test_each_time_read_back_is_the_instant_written_in_utc(cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    for moment in MOMENTS:
        set_fields(incident, occurred_on=moment)
        read = Incident.objects.values_list("occurred_on", flat=True).get(pk=incident.pk)
        assert read == moment
        assert read.tzinfo is UTC
        assert Incident.objects.get(pk=incident.pk).occurred_on == moment
    # Written with another zone's offset, read in UTC.
    set_fields(incident, occurred_on=datetime(2026, 7, 1, 9, 15, tzinfo=timezone(timedelta(hours=1))))
    read = Incident.objects.values_list("occurred_on", flat=True).get(pk=incident.pk)
    assert (read, read.tzinfo) == (datetime(2026, 7, 1, 8, 15, tzinfo=UTC), UTC)


def test_postgresql_reads_times_with_psycopg_s_loader_with_or_without_the_pool(
    monkeypatch, tmp_path, django_db_blocker
) -> None:
    # The machine's own PostgreSQL (CI's second run uses it too), reached as settings.py configures it.
    url = "postgres://postgres@127.0.0.1:5432/postgres"
    oid = types["timestamptz"].oid
    for pool in ("0", "1"):
        chosen = settings_with(monkeypatch, tmp_path, DATABASE_URL=url, DATABASE_POOL=pool)["DATABASES"]["default"]
        wrapper = DatabaseWrapper(ConnectionHandler({"default": chosen}).settings["default"], alias=f"times-{pool}")
        try:
            with django_db_blocker.unblock(), wrapper.cursor() as cursor:
                loader_class = wrapper.connection.adapters.get_loader(oid, pq.Format.TEXT)
                assert loader_class.__name__ == "UtcTimes"
                # Django registers a loader of its own on a cursor whose zone disagrees: not here.
                assert cursor.cursor.adapters.get_loader(oid, pq.Format.TEXT) is loader_class
                cursor.execute("SELECT %s::timestamptz, '2026-10-25 01:30:00+01'::timestamptz", ["2026-10-25 01:30+00"])
                row = cursor.fetchone()
                loader = loader_class(oid, wrapper.connection)
        finally:
            wrapper.close()
            if pool == "1":
                wrapper.close_pool()
        assert row == (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
        assert all(value.tzinfo is UTC for value in row)
        # Read by psycopg's own loader (compiled, with psycopg-binary), no step of Django's after it.
        assert loader.load.__self__ is loader.orig_loader, "Django's Python load still runs"

"""A simulation into an empty database builds its big tables' indexes and constraints after
the load, and ends in exactly the schema the migrations create (issue 14), on both
databases: every column, index (table, columns, unique, partial condition), constraint
(kind, definition, validated) and trigger, compared with the schema before the run."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from sahayata.core import bulkload, dialect
from sahayata.simulator import bulk
from sahayata.simulator.services import simulation_run
from sahayata.transparency.checks import transparency_check
from tests.factories.transparency import simulation_world

START = dt.date(2025, 3, 3)

# As ``simulate`` runs: each day committed on its own, and on SQLite the foreign keys off
# for the load (impossible inside a test's transaction), then checked.
pytestmark = pytest.mark.django_db(transaction=True)


class Stop(Exception):
    pass


@pytest.fixture(scope="module")
def migrated(django_db_setup: Any, django_db_blocker: Any) -> dict[str, list[tuple[Any, ...]]]:
    """The schema of the test database as ``migrate`` made it, before any test here ran."""
    with django_db_blocker.unblock():
        return dialect.schema_describe()


@pytest.fixture(autouse=True)
def _schema_whole_again(transactional_db: Any) -> Any:
    """A failing test must not leave the next ones (here or elsewhere) on a short schema."""
    yield
    bulkload.schema_restore(bulk.deferred_items())


def run(days: int, **options: Any) -> Any:
    return simulation_run(centres=6, days=days, seed=5, start=START, progress_out=None, **options)


def index_names() -> set[str]:
    return {row[1] for row in dialect.schema_describe()["indexes"]}


def assert_schema_equal(before: dict[str, list[tuple[Any, ...]]]) -> None:
    after = dialect.schema_describe()
    for part in before:
        assert sorted(set(before[part]) - set(after[part])) == [], f"{part} missing after the run"
        assert sorted(set(after[part]) - set(before[part])) == [], f"{part} added by the run"


def test_a_deferred_run_ends_in_the_migrations_schema(migrated: dict[str, Any]) -> None:
    simulation_world()
    items = bulk.deferred_items()
    kinds = {item.kind for item in items}
    # Something is deferred on each database: indexes, plus foreign keys and checks on
    # PostgreSQL (SQLite keeps those in the table's definition).
    assert bulkload.INDEX in kinds
    assert (bulkload.FOREIGN_KEY in kinds) == (connection.vendor == "postgresql")
    seen_during: list[set[str]] = []
    simulation = run(4, defer_indexes=True, on_day=lambda day: seen_during.append(index_names()))
    assert simulation.payments > 0
    # During the load the deferred indexes were really gone, and the unique ones stayed.
    deferred_indexes = {item.name for item in items if item.kind == bulkload.INDEX}
    assert seen_during and all(not (names & deferred_indexes) for names in seen_during)
    unique = {row[1] for row in migrated["indexes"] if row[3]}
    assert all(unique <= names for names in seen_during)
    assert_schema_equal(migrated)
    assert not bulkload.schema_deferred(items)
    assert transparency_check().ok


def test_a_database_with_history_keeps_its_indexes(migrated: dict[str, Any]) -> None:
    simulation_world()
    assert run(2).payments > 0
    assert_schema_equal(migrated)
    # A second simulation into the same (no longer empty) database is not deferred.
    run(1, defer_indexes=True, on_day=lambda day: assert_schema_equal(migrated))
    assert_schema_equal(migrated)


def test_stopped_after_day_k_then_resumed_ends_in_the_migrations_schema(
    migrated: dict[str, Any],
) -> None:
    simulation_world()
    items = bulk.deferred_items()

    def stop_after_second(day: dt.date) -> None:
        if day == START + dt.timedelta(days=1):
            raise Stop

    with pytest.raises(Stop):
        run(5, defer_indexes=True, on_day=stop_after_second)
    # Stopped mid-way: the indexes are still missing, and the resume path sees it.
    assert bulkload.schema_deferred(items)
    resumed = run(3, resume=True, defer_indexes=True)
    assert resumed.simulated_until == START + dt.timedelta(days=5)
    assert_schema_equal(migrated)
    assert transparency_check().ok


def test_a_resume_without_deferral_rebuilds_first(migrated: dict[str, Any]) -> None:
    simulation_world()

    def stop_at_once(day: dt.date) -> None:
        raise Stop

    with pytest.raises(Stop):
        run(3, defer_indexes=True, on_day=stop_at_once)
    during: list[bool] = []
    run(
        1,
        resume=True,
        on_day=lambda day: during.append(bulkload.schema_deferred(bulk.deferred_items())),
    )
    assert during == [False]  # rebuilt before the first resumed day
    assert_schema_equal(migrated)


def test_simulate_command_defers_by_default_into_an_empty_database(
    migrated: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    simulation_world()
    call_command(
        "simulate",
        "--centres",
        "4",
        "--days",
        "2",
        "--start",
        str(START),
        stdout=io.StringIO(),
    )
    assert "indexes and constraints built and validated" in capsys.readouterr().err
    assert_schema_equal(migrated)


def test_an_orphan_row_fails_the_validation() -> None:
    """The rebuild validates: a row loaded without its parent is refused at the end."""
    simulation_world()
    items = bulk.deferred_items()
    bulkload.schema_defer(items)
    dialect.foreign_keys_off()
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO applications_applicationhistory (action, from_state, to_state, "
                "actor_label, comment, at, application_id) VALUES "
                "('submit', '', 'submitted', '', '', '2025-03-03 10:00:00+00', 999999)"
            )
        with pytest.raises(Exception, match=r"(?i)foreign key|999999|violates"):
            bulkload.schema_restore(items)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM applications_applicationhistory")
        bulkload.schema_restore(items)

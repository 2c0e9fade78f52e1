"""The dialect helpers: the same rows out on SQLite and PostgreSQL.

Run this module on both databases (``DATABASE_URL=postgres://…``): every expectation is
written once, whatever the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from sahayata.applications.models import NumberCounter
from sahayata.core import dialect
from sahayata.places.models import Centre
from sahayata.transparency.fold import METRICS
from sahayata.transparency.models import Milestone, Rollup
from sahayata.wallet.models import Account, AccountKind, AccountStripe
from sahayata.wallet.services import system_account
from tests.factories.places import CentreFactory
from tests.factories.wallet import funded_wallet

pytestmark = pytest.mark.django_db

UTC = dt.UTC
_MILESTONE_COLUMNS = (
    "id",
    "metric",
    "threshold",
    "crossed_at",
    "value_after",
    "application_id",
    "transfer_id",
    "centre_id",
    "service_id",
    "simulated",
    "recorded_at",
)


def _milestone(pk: int, threshold: int, crossed_at: dt.datetime, transfer_id: str = "") -> tuple:
    time = connection.ops.adapt_datetimefield_value
    return (
        pk,
        "paise",
        threshold,
        time(crossed_at),
        threshold,
        None,
        transfer_id,
        1,
        1,
        True,
        time(timezone.now()),
    )


def _counters(fy: str) -> dict[int, int]:
    return dict(
        NumberCounter.objects.filter(financial_year=fy).values_list("centre_id", "last_value")
    )


def test_counter_rows_insert_missing_lock_update_add_delete() -> None:
    centres: list[Centre] = CentreFactory.create_batch(4)
    c1, c2, c3, c4 = (c.pk for c in centres)
    with transaction.atomic():
        dialect.rows_insert_missing(
            NumberCounter,
            ("centre_id", "financial_year", "last_value"),
            [(c1, "2526", 0), (c2, "2526", 0), (c3, "2425", 9)],
        )
        # The existing (c1, 2526) row is left alone, the new ones are written.
        dialect.rows_insert_missing(
            NumberCounter,
            ("centre_id", "financial_year", "last_value"),
            [(c1, "2526", 5), (c4, "2526", 0)],
        )
    assert _counters("2526") == {c1: 0, c2: 0, c4: 0}
    assert _counters("2425") == {c3: 9}

    with transaction.atomic():
        locked = dialect.rows_lock(
            NumberCounter,
            ("id", "centre_id", "last_value"),
            among=("centre_id", [c4, c3, c1]),
            equal={"financial_year": "2526"},
        )
        assert [row[1] for row in locked] == [c1, c4]  # primary-key order; c3 is 2425's
        assert [row[0] for row in locked] == sorted(row[0] for row in locked)
        ids = {centre: pk for pk, centre, _ in locked}
        updated = dialect.rows_update_each(
            NumberCounter, ("last_value",), [(7, ids[c1]), (3, ids[c4])]
        )
        assert updated in (-1, 2)
    assert _counters("2526") == {c1: 7, c2: 0, c4: 3}

    assert dialect.counters_add(NumberCounter, ("last_value",), [(2, ids[c1])]) in (-1, 1)
    assert dialect.counters_add(NumberCounter, ("last_value",), [(1, ids[c1]), (10, ids[c4])])
    assert _counters("2526") == {c1: 10, c2: 0, c4: 13}

    assert dialect.rows_update(NumberCounter, [ids[c1], ids[c4]], {"last_value": 40}) == 2
    assert dialect.rows_update(NumberCounter, [ids[c1]], {"last_value": 41}, chunk=1) == 1
    assert _counters("2526") == {c1: 41, c2: 0, c4: 40}

    assert dialect.rows_delete(NumberCounter, "centre_id", [c1, c2]) == 2
    assert dialect.rows_delete(NumberCounter, "centre_id", []) == 0
    assert _counters("2526") == {c4: 40}


@pytest.mark.parametrize("chunk", [2_000, 1])
def test_counters_take_adds_and_returns_the_new_values(chunk: int) -> None:
    c1, c2, c3 = (c.pk for c in CentreFactory.create_batch(3))
    NumberCounter.objects.create(centre_id=c1, financial_year="2526", last_value=4)
    NumberCounter.objects.create(centre_id=c2, financial_year="2526", last_value=0)
    NumberCounter.objects.create(centre_id=c3, financial_year="2425", last_value=8)
    with transaction.atomic():
        taken = dialect.counters_take(
            NumberCounter,
            "last_value",
            key="centre_id",
            amounts={c1: 3, c2: 1, c3: 5},
            equal={"financial_year": "2526"},
            chunk=chunk,
        )
    assert taken == {c1: 7, c2: 1}  # c3 has no 2526 row
    assert _counters("2526") == {c1: 7, c2: 1}
    assert _counters("2425") == {c3: 8}


def test_rows_update_each_where_null_leaves_set_rows_alone() -> None:
    centres = CentreFactory.create_batch(2)
    for centre in centres:
        NumberCounter.objects.create(centre=centre, financial_year="2526", last_value=0)
    pks = list(NumberCounter.objects.order_by("pk").values_list("pk", flat=True))
    # last_value is never NULL: nothing matches, nothing changes.
    dialect.rows_update_each(
        NumberCounter, ("last_value",), [(5, pk) for pk in pks], where_null=("last_value",)
    )
    assert sorted(_counters("2526").values()) == [0, 0]


def _cell(grain: str, day: dt.date, district: int, *sums: int) -> tuple:
    return (grain, connection.ops.adapt_datefield_value(day), district, 0, 0, *sums)


@pytest.mark.parametrize("rows_a_statement", [2_000, 1])
def test_rows_upsert_add_inserts_then_adds(
    rows_a_statement: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dialect, "SQLITE_UPSERT_ROWS", rows_a_statement)
    keys = ("grain", "period", "district_id", "department_id", "service_id")
    day = dt.date(2025, 3, 31)
    ones = [1] * len(METRICS)
    with transaction.atomic():
        dialect.rows_upsert_add(Rollup, keys, METRICS, [_cell("day", day, 1, *ones)])
        dialect.rows_upsert_add(
            Rollup,
            keys,
            METRICS,
            [_cell("day", day, 1, *range(7)), _cell("day", day, 2, *ones)],
        )
    got = sorted(Rollup.objects.values_list("district_id", *METRICS))
    assert got == [(1, 1, 2, 3, 4, 5, 6, 7), (2, 1, 1, 1, 1, 1, 1, 1)]


def test_ids_reserve_rows_insert_and_rows_insert_new() -> None:
    at = dt.datetime(2025, 3, 31, 12, tzinfo=UTC)
    with transaction.atomic():
        first = dialect.ids_reserve(Milestone, 2)
        assert len(first) == 2 and first[1] == first[0] + 1
        rows = [_milestone(first[0], 10, at), _milestone(first[1], 20, at)]
        assert dialect.rows_insert(Milestone, _MILESTONE_COLUMNS, iter(rows)) == 2
        later = dialect.ids_reserve(Milestone, 1)
        assert later[0] > first[1]
        dialect.rows_insert_new(Milestone, _MILESTONE_COLUMNS, [_milestone(later[0], 30, at)])
    assert dialect.ids_reserve(Milestone, 0) == []
    assert sorted(Milestone.objects.values_list("threshold", flat=True)) == [10, 20, 30]

    # A taken key (here the (metric, threshold) constraint) raises; the caller rolls back.
    fresh = dialect.ids_reserve(Milestone, 2) if connection.vendor == "postgresql" else [98, 99]
    with pytest.raises(dialect.RowExists), transaction.atomic():
        dialect.rows_insert_new(
            Milestone,
            _MILESTONE_COLUMNS,
            [_milestone(fresh[0], 40, at), _milestone(fresh[1], 20, at)],
        )
    assert sorted(Milestone.objects.values_list("threshold", flat=True)) == [10, 20, 30]


def test_ids_reserve_needs_a_transaction_on_sqlite() -> None:
    if connection.vendor != "sqlite":
        assert dialect.ids_reserve(Milestone, 1)
        return
    # pytest-django's test transaction counts: leave it by hand to see the refusal.
    connection.in_atomic_block, before = False, connection.in_atomic_block
    try:
        with pytest.raises(RuntimeError):
            dialect.ids_reserve(Milestone, 1)
    finally:
        connection.in_atomic_block = before


def test_rows_lock_reads_hot_rows_and_counters_add_where() -> None:
    wallet = funded_wallet(amount_paise=5_000)
    treasury = system_account(kind=AccountKind.TREASURY)
    with transaction.atomic():
        rows = dialect.rows_lock(
            Account,
            ("id", "hot", "credits_posted"),
            among=("id", [treasury.pk, wallet.pk, 10**9]),
            unlocked_if="hot",
        )
        assert sorted((pk, bool(hot), credits) for pk, hot, credits in rows) == sorted(
            [(wallet.pk, False, 5_000), (treasury.pk, True, 0)]
        )
        assert dialect.rows_lock(Account, ("id",), among=("id", [])) == []
        where = {"account_id": treasury.pk, "stripe_no": 0}
        assert (
            dialect.counters_add_where(
                AccountStripe, {"credits_posted": 7, "debits_posted": 0}, where
            )
            == 1
        )
        assert (
            dialect.counters_add_where(
                AccountStripe, {"credits_posted": 1}, {**where, "stripe_no": -1}
            )
            == 0
        )
    stripe = AccountStripe.objects.get(account=treasury, stripe_no=0)
    assert stripe.credits_posted == 7 and stripe.debits_posted == 0


def _as_date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def test_local_date_statement_and_rows_fetch() -> None:
    late = dt.datetime(2025, 3, 31, 19, 0, tzinfo=UTC)  # 00:30 on 1 April in India
    evening = dt.datetime(2025, 3, 31, 18, 0, tzinfo=UTC)  # 23:30 on 31 March
    rows = [
        _milestone(1, 10, late, "sim5:1:x"),
        _milestone(2, 20, evening, "sim1:1:y"),
        _milestone(3, 30, evening, "other"),
    ]
    dialect.rows_insert(Milestone, _MILESTONE_COLUMNS, rows)
    sql = dialect.statement(
        "SELECT {day}, SUM({weight}), COUNT(*) FROM {milestone} m WHERE m.threshold >= %s "
        "GROUP BY 1 ORDER BY 1",
        day=dialect.local_date("m.crossed_at"),
        weight="(CASE WHEN m.transfer_id LIKE 'sim%%' THEN 2 ELSE 1 END)",
        milestone=Milestone,
    )
    for hash_joins in (False, True):
        got = [
            (_as_date(d), int(w), n)
            for d, w, n in dialect.rows_fetch(sql, [0], hash_joins=hash_joins)
        ]
        assert got == [(dt.date(2025, 3, 31), 3, 2), (dt.date(2025, 4, 1), 2, 1)]
    with pytest.raises(ValueError):
        dialect.local_date("crossed_at; DROP TABLE x")


def test_connection_settings() -> None:
    with transaction.atomic():
        dialect.commit_without_flush()
        dialect.page_cache_large(kib=2_048)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW synchronous_commit")
                assert cursor.fetchone()[0] == "off"
            else:
                cursor.execute("PRAGMA cache_size")
                assert cursor.fetchone()[0] == -2_048


def test_uuid_values_are_in_the_database_form() -> None:
    import uuid

    value = uuid.UUID(int=5)
    native = connection.features.has_native_uuid_field
    assert dialect.uuid_value(value) == (value if native else value.hex)
    assert dialect.uuid_value(None) is None
    assert dialect.uuid_values([value]) == [dialect.uuid_value(value)]

"""The batch path of top-ups: wallets opened in bulk, many requests and approvals at once,
through the single path's rules (maker-checker, bank references), all or nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from sahayata.core.ids import uuid7
from sahayata.people.models import User
from sahayata.places.models import Centre
from sahayata.wallet import errors
from sahayata.wallet.ledger import ledger_check
from sahayata.wallet.models import Account, AccountKind, TopUp, Transfer
from sahayata.wallet.selectors import account_totals
from sahayata.wallet.services import (
    TOPUP_NAMESPACE,
    TopUpRequestSpec,
    system_account,
    topup_approve,
    topup_reject,
    topup_request,
    topups_approve_batch,
    topups_request_batch,
    wallet_open,
    wallets_open_batch,
)
from tests.factories.people import UserFactory
from tests.factories.places import CentreFactory
from tests.factories.wallet import TopUpFactory
from tests.wallet.test_concurrency import in_threads, outcome

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2025, 3, 14, 11, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _ledger_sound(db: None) -> Iterator[None]:
    yield
    assert ledger_check() == []


def staffed_centres(count: int) -> list[tuple[Centre, User]]:
    """Centres, each with one operator."""
    centres = [CentreFactory() for _ in range(count)]
    return [(centre, UserFactory(role="operator", centre=centre)) for centre in centres]


def specs_for(staffed: list[tuple[Centre, User]], prefix: str = "UTR") -> list[TopUpRequestSpec]:
    return [
        TopUpRequestSpec(
            centre=centre,
            amount_paise=100_000 * (n + 1),
            bank_reference=f"{prefix.lower()}-{n:05d}",
            requested_by=operator,
        )
        for n, (centre, operator) in enumerate(staffed)
    ]


class Rollback(Exception):
    """Raised to undo a savepoint after taking a snapshot inside it."""


def ledger_snapshot() -> dict[str, Any]:
    """Everything money-related except times: transfers, wallet counters, the funding
    bank's striped totals, and the top-ups' decisions."""
    funding = system_account(kind=AccountKind.FUNDING_BANK)
    return {
        "transfers": sorted(
            Transfer.objects.values_list(
                "id", "kind", "debit_account_id", "credit_account_id", "amount_paise", "code"
            )
        ),
        "references": sorted(Transfer.objects.values_list("id", "reference")),
        "wallets": sorted(
            Account.objects.filter(kind=AccountKind.CENTRE_WALLET).values_list(
                "centre_id",
                "code",
                "debits_posted",
                "credits_posted",
                "debits_pending",
                "credits_pending",
            )
        ),
        "funding": account_totals(account=funding),
        "topups": sorted(TopUp.objects.values_list("id", "status", "decided_by_id", "transfer_id")),
    }


def snapshot_of(change: Callable[[], object]) -> dict[str, Any]:
    """The ledger after ``change``, then undone."""
    snapshot: dict[str, Any] = {}
    with pytest.raises(Rollback), transaction.atomic():
        change()
        snapshot.update(ledger_snapshot())
        raise Rollback
    return snapshot


# --- wallets ------------------------------------------------------------------------------


def test_wallets_open_batch_is_idempotent_and_opens_the_same_accounts_as_one_by_one() -> None:
    centres = [CentreFactory() for _ in range(5)]
    one_by_one = wallet_open(centre=centres[0])
    before = Account.objects.count()

    opened = wallets_open_batch(centres=centres)
    assert set(opened) == {centre.pk for centre in centres}
    assert opened[centres[0].pk] == one_by_one.pk  # an existing wallet is kept
    assert Account.objects.count() == before + 4
    for centre in centres:
        account = Account.objects.get(pk=opened[centre.pk])
        assert account.centre_id == centre.pk
        assert account.code == f"W-{centre.code}"
        assert account.kind == AccountKind.CENTRE_WALLET
        assert account.debits_must_not_exceed_credits
        assert not account.credits_must_not_exceed_debits
        assert not account.hot
        assert wallet_open(centre=centre).pk == account.pk

    again = wallets_open_batch(centres=[*reversed(centres), centres[2]])
    assert again == opened
    assert Account.objects.count() == before + 4
    assert wallets_open_batch(centres=[]) == {}


def test_wallets_open_batch_refuses_a_code_held_by_another_centres_account() -> None:
    renamed = CentreFactory(code="OLD-1")
    wallet_open(centre=renamed)
    renamed.code = "NEW-1"
    renamed.save(update_fields=["code"])
    newcomer = CentreFactory(code="OLD-1")
    with pytest.raises(errors.WalletError):
        wallets_open_batch(centres=[newcomer])
    assert not Account.objects.filter(centre=newcomer).exists()


# --- requests ----------------------------------------------------------------------------


def test_request_batch_saves_every_request_and_opens_the_wallets() -> None:
    staffed = staffed_centres(4)
    topups = topups_request_batch(requests=specs_for(staffed))

    assert [topup.bank_reference for topup in topups] == [f"UTR-{n:05d}" for n in range(4)]
    stored = {topup.pk: topup for topup in TopUp.objects.all()}
    assert set(stored) == {topup.pk for topup in topups}
    for n, (topup, (centre, operator)) in enumerate(zip(topups, staffed, strict=True)):
        row = stored[topup.pk]
        assert row.status == TopUp.Status.REQUESTED
        assert (row.centre_id, row.requested_by_id) == (centre.pk, operator.pk)
        assert row.amount_paise == 100_000 * (n + 1)
        assert row.requested_at == topup.requested_at
        wallet = Account.objects.get(centre=centre)
        assert (wallet.credits_posted, wallet.debits_posted) == (0, 0)  # no money moves yet
    assert not Transfer.objects.exists()
    assert topups_request_batch(requests=[]) == []


def test_request_batch_stores_what_the_single_path_stores() -> None:
    staffed = staffed_centres(3)
    specs = specs_for(staffed)

    def rows() -> list[tuple[object, ...]]:
        return sorted(
            TopUp.objects.values_list(
                "centre_id", "amount_paise", "bank_reference", "status", "requested_by_id"
            )
        )

    def one_by_one() -> None:
        for spec in specs:
            topup_request(
                centre=spec.centre,
                amount_paise=spec.amount_paise,
                bank_reference=spec.bank_reference,
                requested_by=spec.requested_by,
            )

    single: dict[str, Any] = {}
    with pytest.raises(Rollback), transaction.atomic():
        one_by_one()
        single["rows"] = rows()
        single["wallets"] = sorted(Account.objects.values_list("centre_id", "code"))
        raise Rollback
    topups_request_batch(requests=specs)
    assert rows() == single["rows"]
    assert sorted(Account.objects.values_list("centre_id", "code")) == single["wallets"]


def test_a_supervisor_may_request_for_their_centre() -> None:
    centre = CentreFactory()
    supervisor = UserFactory(role="supervisor", centre=centre)
    [topup] = topups_request_batch(
        requests=[TopUpRequestSpec(centre, 5_000, "NEFT/2025/0001", supervisor)]
    )
    assert topup.requested_by_id == supervisor.pk


@pytest.mark.parametrize("who", ["other_centre", "finance", "inactive"])
def test_request_batch_refuses_staff_who_may_not_ask_and_writes_nothing(who: str) -> None:
    staffed = staffed_centres(3)
    specs = specs_for(staffed)
    centre = staffed[2][0]
    intruder = {
        "other_centre": lambda: UserFactory(role="operator"),
        "finance": lambda: UserFactory(role="finance"),
        "inactive": lambda: UserFactory(role="operator", centre=centre, is_active=False),
    }[who]()
    specs[2] = TopUpRequestSpec(centre, 100, "UTR-BAD-ONE", intruder)
    with pytest.raises(errors.WalletForbidden) as caught:
        topups_request_batch(requests=specs)
    assert caught.value.details == {"index": 2}
    assert not TopUp.objects.exists()
    assert not Account.objects.filter(kind=AccountKind.CENTRE_WALLET).exists()


@pytest.mark.parametrize("amount", [0, -5, 2.5, True, 10**15 + 1, "100"])
def test_request_batch_refuses_a_bad_amount(amount: object) -> None:
    specs = specs_for(staffed_centres(2))
    specs[1] = TopUpRequestSpec(specs[1].centre, amount, "UTR-0042", specs[1].requested_by)  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidAmount) as caught:
        topups_request_batch(requests=specs)
    assert caught.value.details["index"] == 1
    assert not TopUp.objects.exists()


@pytest.mark.parametrize("reference", ["", "ab", "has space", "x" * 65, None, 12345])
def test_request_batch_refuses_a_bad_bank_reference(reference: object) -> None:
    specs = specs_for(staffed_centres(2))
    specs[0] = TopUpRequestSpec(specs[0].centre, 100, reference, specs[0].requested_by)  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidBankReference) as caught:
        topups_request_batch(requests=specs)
    assert caught.value.details == {"index": 0}
    assert not TopUp.objects.exists()


def test_a_bank_reference_already_used_refuses_the_whole_batch() -> None:
    staffed = staffed_centres(3)
    centre, operator = staffed[0]
    topup_request(
        centre=centre, amount_paise=100, bank_reference="UTR-00001", requested_by=operator
    )
    with pytest.raises(errors.DuplicateBankReference) as caught:
        topups_request_batch(requests=specs_for(staffed))  # UTR-00000, utr-00001, UTR-00002
    assert caught.value.code == "duplicate_bank_reference"
    assert caught.value.status == 409
    assert caught.value.details == {"bank_reference": "UTR-00001"}
    assert list(TopUp.objects.values_list("bank_reference", flat=True)) == ["UTR-00001"]


def test_a_bank_reference_twice_in_one_batch_refuses_the_whole_batch() -> None:
    staffed = staffed_centres(3)
    specs = specs_for(staffed)
    specs[2] = TopUpRequestSpec(staffed[2][0], 100, " UTR-00000 ", staffed[2][1])
    with pytest.raises(errors.DuplicateBankReference) as caught:
        topups_request_batch(requests=specs)
    assert caught.value.details == {"bank_reference": "UTR-00000"}
    assert not TopUp.objects.exists()
    assert not Account.objects.filter(kind=AccountKind.CENTRE_WALLET).exists()


# --- approvals ---------------------------------------------------------------------------


def test_approve_batch_credits_each_wallet_once_with_the_single_paths_transfer_ids() -> None:
    staffed = staffed_centres(4)
    finance = UserFactory(role="finance")
    requested = topups_request_batch(requests=specs_for(staffed))

    approved = topups_approve_batch(
        topup_ids=[t.pk for t in reversed(requested)], approved_by=finance
    )
    assert [t.pk for t in approved] == [t.pk for t in reversed(requested)]
    for topup in approved:
        row = TopUp.objects.get(pk=topup.pk)
        assert row.status == TopUp.Status.CREDITED
        assert row.decided_by_id == finance.pk
        assert row.decided_at is not None
        assert row.transfer_id == uuid.uuid5(TOPUP_NAMESPACE, str(topup.pk))
        transfer = Transfer.objects.get(pk=row.transfer_id)
        assert transfer.code == "topup"
        assert transfer.reference == f"topup:{row.bank_reference}"
        assert transfer.amount_paise == row.amount_paise
        wallet = Account.objects.get(centre_id=row.centre_id)
        assert (transfer.credit_account_id, transfer.kind) == (wallet.pk, "single")
        assert wallet.credits_posted - wallet.debits_posted == row.amount_paise
    funding = system_account(kind=AccountKind.FUNDING_BANK)
    assert account_totals(account=funding).debits_posted == sum(t.amount_paise for t in requested)
    assert topups_approve_batch(topup_ids=[], approved_by=finance) == []


def test_approve_batch_leaves_the_ledger_the_single_path_leaves() -> None:
    staffed = staffed_centres(3)
    # Two top-ups for the first centre: the same wallet credited twice in one batch.
    staffed.append(staffed[0])
    finance = UserFactory(role="finance")
    topups = topups_request_batch(requests=specs_for(staffed))
    ids = [topup.pk for topup in topups]
    # Opened before the snapshots: a rolled-back insert burns a PostgreSQL sequence number.
    system_account(kind=AccountKind.FUNDING_BANK)

    def one_by_one() -> None:
        for topup_id in ids:
            topup_approve(topup_id=topup_id, approved_by=finance)

    single = snapshot_of(one_by_one)
    batch = snapshot_of(lambda: topups_approve_batch(topup_ids=ids, approved_by=finance))
    assert len(single["transfers"]) == 4
    assert batch == single


def test_approve_batch_is_for_finance_only() -> None:
    topups = [TopUpFactory() for _ in range(2)]
    for user in (
        UserFactory(role="auditor"),
        UserFactory(role="supervisor"),
        topups[0].requested_by,
    ):
        with pytest.raises(errors.WalletForbidden):
            topups_approve_batch(topup_ids=[t.pk for t in topups], approved_by=user)
    inactive = UserFactory(role="finance", is_active=False)
    with pytest.raises(errors.WalletForbidden):
        topups_approve_batch(topup_ids=[t.pk for t in topups], approved_by=inactive)
    assert set(TopUp.objects.values_list("status", flat=True)) == {"requested"}


def test_the_requester_may_not_approve_their_own_top_up_in_a_batch() -> None:
    finance = UserFactory(role="finance")
    others = [TopUpFactory() for _ in range(2)]
    own = TopUpFactory(requested_by=finance)  # through the model, as an import might
    with pytest.raises(errors.SamePerson) as caught:
        topups_approve_batch(topup_ids=[others[0].pk, own.pk, others[1].pk], approved_by=finance)
    assert caught.value.code == "same_person"
    assert caught.value.details == {"topup_id": str(own.pk)}
    assert set(TopUp.objects.values_list("status", flat=True)) == {"requested"}
    assert not Transfer.objects.exists()


def test_a_top_up_no_longer_pending_refuses_the_whole_batch() -> None:
    finance = UserFactory(role="finance")
    credited, rejected, waiting = (TopUpFactory() for _ in range(3))
    topup_approve(topup_id=credited.pk, approved_by=finance)
    topup_reject(topup_id=rejected.pk, rejected_by=finance, reason="no credit at bank")
    transfers = Transfer.objects.count()

    for done, status in ((credited, "credited"), (rejected, "rejected")):
        with pytest.raises(errors.TopUpNotPending) as caught:
            topups_approve_batch(topup_ids=[waiting.pk, done.pk], approved_by=finance)
        assert caught.value.status == 409
        assert caught.value.details == {"status": status, "topup_id": str(done.pk)}
    assert TopUp.objects.get(pk=waiting.pk).status == "requested"
    assert Transfer.objects.count() == transfers

    topups_approve_batch(topup_ids=[waiting.pk], approved_by=finance)
    with pytest.raises(errors.TopUpNotPending):
        topups_approve_batch(topup_ids=[waiting.pk], approved_by=finance)
    assert Transfer.objects.count() == transfers + 1


def test_unknown_and_repeated_top_ups_are_refused() -> None:
    finance = UserFactory(role="finance")
    topup = TopUpFactory()
    missing = uuid7()
    with pytest.raises(errors.TopUpNotFound) as caught:
        topups_approve_batch(topup_ids=[topup.pk, missing], approved_by=finance)
    assert caught.value.details == {"topup_id": str(missing)}
    with pytest.raises(errors.TopUpNotFound):
        topups_approve_batch(topup_ids=[str(topup.pk), "not-a-uuid"], approved_by=finance)
    with pytest.raises(errors.InvalidTransfer):
        topups_approve_batch(topup_ids=[topup.pk, str(topup.pk)], approved_by=finance)
    assert TopUp.objects.get(pk=topup.pk).status == "requested"
    assert not Transfer.objects.exists()


# --- dated at the simulated day ---------------------------------------------------------


def test_batches_are_dated_now_when_given() -> None:
    finance = UserFactory(role="finance")
    topups = topups_request_batch(requests=specs_for(staffed_centres(3)), now=WHEN)
    assert all(topup.requested_at == WHEN for topup in topups)
    assert set(TopUp.objects.values_list("requested_at", flat=True)) == {WHEN}

    later = WHEN + dt.timedelta(hours=2)
    topups_approve_batch(topup_ids=[t.pk for t in topups], approved_by=finance, now=later)
    assert set(TopUp.objects.values_list("decided_at", flat=True)) == {later}
    times = sorted(Transfer.objects.values_list("created_at", flat=True))
    # The engine spaces one call's transfers a microsecond apart, from ``now``.
    assert times == [later + dt.timedelta(microseconds=n) for n in range(3)]


def test_single_calls_are_dated_now_when_given_and_by_the_clock_otherwise() -> None:
    (centre, operator), (centre2, operator2) = staffed_centres(2)
    finance = UserFactory(role="finance")
    dated = topup_request(
        centre=centre, amount_paise=500, bank_reference="UTR-D1", requested_by=operator, now=WHEN
    )
    assert TopUp.objects.get(pk=dated.pk).requested_at == dated.requested_at == WHEN
    topup_approve(topup_id=dated.pk, approved_by=finance, now=WHEN + dt.timedelta(minutes=5))
    row = TopUp.objects.get(pk=dated.pk)
    assert row.decided_at == WHEN + dt.timedelta(minutes=5)
    assert Transfer.objects.get(pk=row.transfer_id).created_at == row.decided_at

    before = timezone.now()
    clock = topup_request(
        centre=centre2, amount_paise=500, bank_reference="UTR-D2", requested_by=operator2
    )
    topup_approve(topup_id=clock.pk, approved_by=finance)
    row = TopUp.objects.get(pk=clock.pk)
    assert before <= row.requested_at <= timezone.now()
    assert row.decided_at is not None and before <= row.decided_at <= timezone.now()


# --- races (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_batches_racing_credit_each_top_up_once() -> None:
    topups = [TopUpFactory(amount_paise=1_000 * (n + 1)) for n in range(12)]
    officers = [UserFactory(role="finance") for _ in range(4)]
    ids = [topup.pk for topup in topups]
    # Each officer approves an overlapping window, in its own order: one batch wins each
    # top-up; the others are refused whole (all or nothing) and never deadlock.
    windows = [ids[0:6], ids[3:9][::-1], ids[6:12], [*ids[9:12], *ids[0:3]]]

    def job(worker_no: int) -> list[str]:
        return [
            outcome(
                lambda: topups_approve_batch(
                    topup_ids=windows[worker_no], approved_by=officers[worker_no]
                )
            )
        ]

    results = in_threads(4, job)
    assert set(Counter(results)) <= {"ok", "topup_not_pending"}
    credited = TopUp.objects.filter(status="credited")
    won = [windows[n] for n, result in enumerate(results) if result == "ok"]
    assert sorted(credited.values_list("pk", flat=True)) == sorted(pk for w in won for pk in w)
    assert Transfer.objects.count() == credited.count()
    for topup in credited:
        wallet = Account.objects.get(centre_id=topup.centre_id)
        assert wallet.credits_posted == topup.amount_paise


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_batches_opening_the_same_wallets_at_once_open_each_once() -> None:
    centres = [CentreFactory() for _ in range(40)]

    def job(worker_no: int) -> list[str]:
        order = centres[worker_no:] + centres[:worker_no]
        opened = wallets_open_batch(centres=order)
        return [",".join(f"{pk}:{opened[pk]}" for pk in sorted(opened))]

    results = in_threads(6, job)
    assert len(set(results)) == 1
    assert Account.objects.filter(centre__in=centres).count() == 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_batches_racing_for_the_same_bank_reference_save_it_once() -> None:
    staffed = staffed_centres(6)

    def job(worker_no: int) -> list[str]:
        # Every batch carries the shared reference UTR-SHARED and references of its own.
        centre, operator = staffed[worker_no]
        specs = [
            TopUpRequestSpec(centre, 1_000, f"UTR-OWN-{worker_no}", operator),
            TopUpRequestSpec(centre, 2_000, "utr-shared", operator),
        ]
        return [outcome(lambda: topups_request_batch(requests=specs))]

    results = Counter(in_threads(6, job))
    assert results == {"ok": 1, "duplicate_bank_reference": 5}
    assert TopUp.objects.filter(bank_reference="UTR-SHARED").count() == 1
    assert TopUp.objects.count() == 2  # the winner's two; the losers wrote nothing

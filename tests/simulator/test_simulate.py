"""The simulator: same rules as everything else, deterministic, resumable, checkable."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Sum

from sahayata.applications.models import Application, HoldState
from sahayata.simulator.models import Simulation
from sahayata.simulator.services import simulation_run
from sahayata.transparency.checks import transparency_check
from sahayata.transparency.models import Milestone, Rollup, RollupEvent
from sahayata.transparency.selectors import public_summary
from sahayata.wallet.models import Account, Transfer

START = dt.date(2025, 3, 3)  # financial-year-end peak, so a small network pays a lot


class Rollback(Exception):
    pass


def run(
    days: int, *, seed: int = 11, resume: bool = False, centres: int = 6, start: dt.date = START
) -> Simulation:
    return simulation_run(
        centres=centres, days=days, seed=seed, start=start, resume=resume, progress_out=None
    )


def fingerprint() -> dict[str, Any]:
    """What a history looks like, independent of database ids."""
    days = Rollup.objects.filter(grain="day", district_id=0, department_id=0, service_id=0)
    return {
        "days": list(
            days.order_by("period").values_list(
                "period", "applications", "services_delivered", "wallet_transactions", "paise"
            )
        ),
        "numbers": sorted(Application.objects.values_list("number", "status", "fee_paise")),
        "transfers": Transfer.objects.count(),
    }


def posted_service_fees() -> tuple[int, int]:
    posted = Transfer.objects.filter(kind="post_pending", code="service_fee")
    total = posted.aggregate(total=Sum("amount_paise"))["total"] or 0
    return total, posted.values("reference").distinct().count()


def test_simulation_goes_through_the_rules_and_matches_the_ledger(world: dict[str, Any]) -> None:
    simulation = run(20)
    assert simulation.simulated_until == START + dt.timedelta(days=20)
    assert not RollupEvent.objects.exists()  # every event folded
    # Centres were created in every district, with two operators and a funded wallet each.
    wallets = Account.objects.filter(kind="centre_wallet")
    assert wallets.count() == 6
    assert not wallets.filter(debits_posted__gt=F("credits_posted") - F("debits_pending"))
    # Numbers follow BSK-<centre>-<FY>-<seq>, gap-free per centre.
    numbers = list(Application.objects.values_list("number", flat=True))
    assert all(re.fullmatch(r"BSK-SD\dS\d{4}-2425-\d{6}", n) for n in numbers)
    # The mix: payments, free services (sampled), rejections, failures and expired holds.
    holds = dict(Application.objects.values_list("hold").annotate(n=Count("id")))
    assert holds[HoldState.POSTED] > 50 and holds[HoldState.NONE] > 20
    assert holds.get(HoldState.VOIDED, 0) > 0
    assert Application.objects.filter(status="rejected").exists()
    assert (
        Transfer.objects.filter(code="expiry").exists()
        or Transfer.objects.filter(kind="void_pending").exists()
    )
    assert Transfer.objects.filter(code="topup").count() == simulation.topups > 0
    # The public summary equals the ledger to the paisa.
    total, payments = posted_service_fees()
    summary = public_summary()
    assert summary["total_paise"] == total == simulation.paise
    assert summary["wallet_transactions"] == payments == simulation.payments
    # Every rollup cell equals the recomputation from the ledger and applications.
    report = transparency_check()
    assert report.ok, report.differences
    assert report.cells_compared > 100
    ledger = io.StringIO()
    call_command("ledger_check", stdout=ledger)


def test_the_simulated_label_and_milestone(world: dict[str, Any]) -> None:
    run(10, centres=200, start=dt.date(2025, 3, 17))  # about ₹1.4 crore
    milestone = Milestone.objects.get(metric="paise")
    assert milestone.simulated
    assert milestone.threshold == 100 * 1_00_00_000  # ₹1 crore
    crossing = Transfer.objects.get(id=milestone.transfer_id)
    assert crossing.kind == "post_pending"
    assert Application.objects.get(pk=milestone.application_id).number == crossing.reference


def test_transparency_check_catches_a_tampered_rollup(world: dict[str, Any]) -> None:
    run(6)
    assert transparency_check().ok
    cell = Rollup.objects.filter(grain="month").exclude(service_id=0).first()
    assert cell is not None
    Rollup.objects.filter(pk=cell.pk).update(services_delivered=F("services_delivered") + 10)
    report = transparency_check()
    assert not report.ok
    assert report.differences[0][1] == "services_delivered"
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("transparency_check", stdout=out, stderr=err)
    assert exit_.value.code == 1
    assert "services_delivered" in err.getvalue()


def test_transparency_check_catches_a_payment_missing_from_the_rollups(
    world: dict[str, Any],
) -> None:
    run(6)
    Rollup.objects.filter(grain="all").update(paise=F("paise") - 1)
    assert transparency_check().difference_count >= 1


def test_same_seed_same_history(world: dict[str, Any]) -> None:
    first: dict[str, Any] = {}
    with pytest.raises(Rollback), transaction.atomic():
        run(8, seed=3)
        first.update(fingerprint())
        raise Rollback
    assert not Application.objects.exists()
    run(8, seed=3)
    assert fingerprint() == first
    assert first["days"] and first["transfers"] > 0


def test_another_seed_another_history(world: dict[str, Any]) -> None:
    first: dict[str, Any] = {}
    with pytest.raises(Rollback), transaction.atomic():
        run(8, seed=3)
        first.update(fingerprint())
        raise Rollback
    run(8, seed=4)
    assert fingerprint() != first


def test_resume_continues_the_same_history(world: dict[str, Any]) -> None:
    whole: dict[str, Any] = {}
    with pytest.raises(Rollback), transaction.atomic():
        run(14)
        whole.update(fingerprint())
        raise Rollback
    run(9)
    resumed = run(5, resume=True)
    assert Simulation.objects.count() == 1
    assert resumed.simulated_until == START + dt.timedelta(days=14)
    assert fingerprint() == whole
    assert transparency_check().ok


def test_simulate_command(world: dict[str, Any]) -> None:
    out = io.StringIO()
    call_command(
        "simulate",
        "--centres",
        "4",
        "--days",
        "3",
        "--seed",
        "2",
        "--start",
        "2025-03-03",
        "--quiet",
        stdout=out,
    )
    assert "4 centres" in out.getvalue()
    assert Simulation.objects.get().centres == 4


def test_simulate_command_refuses_bad_arguments_and_writes_nothing(world: dict[str, Any]) -> None:
    for bad in (["--free-sample-factor", "0"], ["--centres", "0"], ["--days", "-1"]):
        with pytest.raises(CommandError):
            call_command("simulate", "--days", "2", "--quiet", *bad, stdout=io.StringIO())
    with pytest.raises(CommandError):  # nothing to resume
        call_command("simulate", "--resume", "--days", "1", "--quiet", stdout=io.StringIO())
    assert not Simulation.objects.exists() and not Application.objects.exists()


def test_free_sample_factor_weighs_free_services_in_the_rollups(world: dict[str, Any]) -> None:
    simulation = simulation_run(
        centres=6, days=4, seed=3, start=START, progress_out=None, free_sample_factor=7
    )
    assert simulation.free_sample_factor == 7
    free = Application.objects.filter(fee_paise=0)
    assert free.exists()
    assert set(free.values_list("sample_weight", flat=True)) == {7}
    assert set(
        Application.objects.filter(fee_paise__gt=0).values_list("sample_weight", flat=True)
    ) == {1}
    totals = Rollup.objects.get(grain="all", district_id=0, department_id=0, service_id=0)
    paid = Application.objects.filter(fee_paise__gt=0).count()
    assert totals.applications == paid + 7 * free.count()
    assert transparency_check().ok


def test_an_interrupted_run_keeps_its_finished_days_and_resumes(world: dict[str, Any]) -> None:
    def stop_after_the_second_day(day: dt.date) -> None:
        if day == START + dt.timedelta(days=1):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        simulation_run(
            centres=6,
            days=5,
            seed=11,
            start=START,
            progress_out=None,
            on_day=stop_after_the_second_day,
        )
    simulation = Simulation.objects.get()
    assert simulation.simulated_until == START + dt.timedelta(days=2)
    assert simulation.elapsed_seconds > 0
    resumed = run(3, resume=True)
    assert resumed.simulated_until == START + dt.timedelta(days=5)
    assert transparency_check().ok


def test_simulate_command_says_how_to_resume_when_interrupted(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sahayata.simulator.management.commands import simulate

    def interrupted(**kwargs: Any) -> Simulation:
        run(2)
        raise KeyboardInterrupt

    monkeypatch.setattr(simulate, "simulation_run", interrupted)
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("simulate", "--days", "9", "--quiet", stdout=io.StringIO(), stderr=err)
    assert exit_.value.code == 130
    assert "--resume" in err.getvalue() and str(START + dt.timedelta(days=2)) in err.getvalue()

"""Simulate the service-centre network through the real services (seeded, resumable)."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sahayata.core.errors import DomainError
from sahayata.simulator import network
from sahayata.simulator.models import Simulation
from sahayata.simulator.services import simulation_run


class Command(BaseCommand):
    help = (
        "Simulate N centres over D days with seed S, through the wallet, application and "
        "rollup rules. The defaults reach ₹1,000 crore of e-wallet payments."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--centres", type=int, default=network.NETWORK_CENTRES)
        parser.add_argument("--days", type=int, default=network.DEFAULT_DAYS)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--start",
            type=dt.date.fromisoformat,
            default=None,
            help=f"First day (YYYY-MM-DD); default {network.DEFAULT_START}.",
        )
        parser.add_argument(
            "--resume",
            action="store_true",
            help="Continue the latest simulation (its seed and centres) for --days more days.",
        )
        parser.add_argument("--label", default="", help="Name of the simulation to resume.")
        parser.add_argument(
            "--free-sample-factor",
            type=int,
            default=network.FREE_SAMPLE_FACTOR,
            help="Write 1 in N free-service applications, each counted N times in the rollups.",
        )
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help=(
                "Keep the big tables' secondary indexes, foreign keys and checks during the "
                "load. By default a run into an empty database (no application, no transfer) "
                "builds them after the load, then validates them."
            ),
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        # It writes invented applications and money into the database it is pointed at.
        if not settings.SAHAYATA_SIMULATED:
            raise CommandError(
                "simulate writes a simulated history and runs only on a simulated "
                "deployment: set SAHAYATA_SIMULATED=1 (on by default only with DEBUG=1)."
            )
        try:
            simulation = simulation_run(
                centres=options["centres"],
                days=options["days"],
                seed=options["seed"],
                start=options["start"],
                resume=options["resume"],
                label=options["label"],
                progress_out=None if options["quiet"] else sys.stderr,
                free_sample_factor=options["free_sample_factor"],
                defer_indexes=not options["keep_indexes"],
            )
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        except KeyboardInterrupt:
            # The day in progress was rolled back; every day before it is committed.
            latest = Simulation.objects.filter(label=options["label"]).order_by("-pk").first()
            until = latest.simulated_until if latest else None
            self.stderr.write(
                f"Interrupted. Simulated up to {until} (exclusive); continue with "
                f"manage.py simulate --resume --days N"
                + (f" --label {options['label']}" if options["label"] else "")
                + " (a run that deferred its indexes builds them when the resumed run ends; "
                "--resume --days 0 only builds them)"
            )
            sys.exit(130)
        self.stdout.write(
            f"simulation {simulation.pk}: seed {simulation.seed}, {simulation.centres} centres, "
            f"{simulation.start} to {simulation.simulated_until} (exclusive); "
            f"{simulation.applications:,} applications written, "
            f"{simulation.payments:,} wallet payments, {simulation.paise:,} paise, "
            f"{simulation.topups:,} top-ups; {simulation.elapsed_seconds:,.1f} s in all"
        )

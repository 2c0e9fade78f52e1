"""Ask back ends about calls awaiting confirmation (treasury challans, land records)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sahayata.applications.dispatch import integrations_poll


class Command(BaseCommand):
    help = "Poll back ends for accepted calls: post when confirmed, void when failed or late."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = integrations_poll()
        self.stdout.write(" ".join(f"{key}={value}" for key, value in counts.items()))

"""The simulator's progress bar: share done and time left, by the work expected per day."""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Progress:
    """The progress bar. Its share and ETA count the work expected for each day (the
    network grows over the years, so late days weigh far more than early ones)."""

    work: dict[dt.date, float]
    out: TextIO | None = sys.stderr
    started: float = field(default_factory=time.monotonic)
    days: int = 0
    done_work: float = 0.0
    applications: int = 0
    payments: int = 0
    paise: int = 0

    def step(self, day: dt.date) -> None:
        self.days += 1
        self.done_work += self.work.get(day, 0.0)
        if self.out is None:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        total = sum(self.work.values())
        share = self.done_work / total if total else self.days / max(len(self.work), 1)
        bar = "#" * int(share * 30)
        rate = self.payments / elapsed
        eta = elapsed / share - elapsed if share else 0
        self.out.write(
            f"\r[{bar:<30}] {share:6.1%} {day:%Y-%m-%d} | applications {self.applications:,}"
            f" | payments {self.payments:,} ({rate:,.0f}/s) | ₹{self.paise / 1e9:,.2f} crore"
            f" | {elapsed:,.0f}s, ETA {eta:,.0f}s "
        )
        self.out.flush()

    def done(self) -> None:
        if self.out is not None:
            self.out.write("\n")
            self.out.flush()

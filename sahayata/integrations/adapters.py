"""The adapter interface for department and biller back ends, and the simulated adapters.

Every adapter is idempotent by *our* reference (the application number): submitting the
same reference twice returns the first result, ``status`` can be asked at any time, and
``cancel`` is safe to repeat. Adapters are called outside any database transaction.

The built-in adapters are **simulated**: they keep their "remote" state in
``SimulatedRemoteRecord`` and have configurable latency, failure rate and timeout rate,
from ``settings.SAHAYATA_ADAPTERS[code]`` or per call (``options=``). They stand in for
the real electricity biller, GRIPS-like treasury challan, land records, municipal,
transport and police e-challan back ends, which are not connected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sahayata.integrations.models import SimulatedRemoteRecord


class RemoteStatus:
    CONFIRMED = "confirmed"  # the back end did the service
    PROCESSING = "processing"  # accepted; confirmed later (poll ``status``)
    FAILED = "failed"  # refused or failed; nothing was done
    CANCELLED = "cancelled"  # cancelled at our request; nothing was done
    NOT_FOUND = "not_found"  # the back end never heard of this reference


@dataclass(frozen=True)
class AdapterResult:
    status: str
    external_reference: str = ""
    message: str = ""


class AdapterError(Exception):
    """The back end could not be reached or answered nonsense; the outcome is unknown."""


class AdapterTimeout(AdapterError):
    """No answer in time: the back end may or may not have acted."""


class Adapter(Protocol):
    code: str
    # Seconds within which the back end must confirm before we cancel and refund.
    confirm_within_seconds: int

    def submit(
        self, *, reference: str, amount_paise: int, payload: dict[str, Any]
    ) -> AdapterResult: ...

    def status(self, *, reference: str) -> AdapterResult: ...

    def cancel(self, *, reference: str) -> AdapterResult: ...


@dataclass(frozen=True)
class SimulationSettings:
    latency_ms: int = 0
    failure_rate: float = 0.0
    timeout_rate: float = 0.0
    # 0: confirms in the submit call; otherwise confirms this many seconds later.
    confirm_delay_seconds: int = 0


DEFAULTS: dict[str, SimulationSettings] = {
    "electricity_biller": SimulationSettings(latency_ms=150, failure_rate=0.01),
    "municipal_biller": SimulationSettings(latency_ms=200, failure_rate=0.01),
    "transport_biller": SimulationSettings(latency_ms=100, failure_rate=0.005),
    "police_echallan": SimulationSettings(latency_ms=250, failure_rate=0.01),
    "treasury_challan": SimulationSettings(
        latency_ms=300, failure_rate=0.01, confirm_delay_seconds=120
    ),
    "land_records": SimulationSettings(latency_ms=400, failure_rate=0.02, confirm_delay_seconds=60),
}

CONFIRM_WITHIN = {
    "treasury_challan": 3 * 24 * 3600,
    "land_records": 5 * 24 * 3600,
}


def simulation_settings(code: str, options: dict[str, Any] | None = None) -> SimulationSettings:
    base = DEFAULTS.get(code, SimulationSettings())
    configured = getattr(settings, "SAHAYATA_ADAPTERS", {}).get(code, {})
    merged = {**base.__dict__, **configured, **(options or {})}
    return SimulationSettings(**merged)


class SimulatedAdapter:
    """A back end simulated in our own database. Documented as simulated everywhere."""

    simulated = True

    def __init__(self, code: str, *, options: dict[str, Any] | None = None) -> None:
        self.code = code
        self.options = options
        self.confirm_within_seconds = CONFIRM_WITHIN.get(code, 15 * 60)

    @property
    def config(self) -> SimulationSettings:
        return simulation_settings(self.code, self.options)

    def _roll(self, reference: str, salt: str) -> float:
        # Deterministic per reference, so a retry meets the same fate as the first try.
        digest = hashlib.sha256(f"{self.code}:{reference}:{salt}".encode()).digest()
        return random.Random(digest).random()  # noqa: S311 - simulation, not security

    def _wait(self) -> None:
        if self.config.latency_ms:
            time.sleep(self.config.latency_ms / 1000)

    def _advance(self, record: SimulatedRemoteRecord) -> SimulatedRemoteRecord:
        now = timezone.now()
        if (
            record.status == SimulatedRemoteRecord.Status.PROCESSING
            and record.confirm_after is not None
            and now >= record.confirm_after
        ):
            record.status = SimulatedRemoteRecord.Status.CONFIRMED
            record.save(update_fields=["status"])
        return record

    @staticmethod
    def _result(record: SimulatedRemoteRecord) -> AdapterResult:
        return AdapterResult(status=record.status, external_reference=record.external_reference)

    def submit(
        self, *, reference: str, amount_paise: int, payload: dict[str, Any]
    ) -> AdapterResult:
        self._wait()
        config = self.config
        # A timeout: the request never reached the back end, and no answer came back.
        # (The other case, "it acted but the answer was lost", is a crash after submit.)
        if self._roll(reference, "timeout") < config.timeout_rate:
            raise AdapterTimeout(f"{self.code}: no answer for {reference}")
        existing = SimulatedRemoteRecord.objects.filter(
            adapter_code=self.code, reference=reference
        ).first()
        if existing is None:
            if self._roll(reference, "fail") < config.failure_rate:
                status = SimulatedRemoteRecord.Status.FAILED
                confirm_after = None
            elif config.confirm_delay_seconds:
                status = SimulatedRemoteRecord.Status.PROCESSING
                confirm_after = timezone.now() + dt.timedelta(seconds=config.confirm_delay_seconds)
            else:
                status = SimulatedRemoteRecord.Status.CONFIRMED
                confirm_after = None
            external = (
                f"{self.code[:4].upper()}-{hashlib.sha256(reference.encode()).hexdigest()[:12]}"
            )
            try:
                with transaction.atomic():
                    existing = SimulatedRemoteRecord.objects.create(
                        adapter_code=self.code,
                        reference=reference,
                        external_reference=external,
                        amount_paise=amount_paise,
                        status=status,
                        confirm_after=confirm_after,
                    )
            except IntegrityError:
                existing = SimulatedRemoteRecord.objects.get(
                    adapter_code=self.code, reference=reference
                )
        return self._result(self._advance(existing))

    def status(self, *, reference: str) -> AdapterResult:
        self._wait()
        record = SimulatedRemoteRecord.objects.filter(
            adapter_code=self.code, reference=reference
        ).first()
        if record is None:
            return AdapterResult(status=RemoteStatus.NOT_FOUND)
        return self._result(self._advance(record))

    def cancel(self, *, reference: str) -> AdapterResult:
        """Cancel if not yet confirmed. A confirmed service stays confirmed (say so)."""
        self._wait()
        record = SimulatedRemoteRecord.objects.filter(
            adapter_code=self.code, reference=reference
        ).first()
        if record is None:
            # Remember the cancellation, so a submit that arrives late is refused.
            record, _created = SimulatedRemoteRecord.objects.get_or_create(
                adapter_code=self.code,
                reference=reference,
                defaults={
                    "external_reference": "",
                    "status": SimulatedRemoteRecord.Status.CANCELLED,
                },
            )
        record = self._advance(record)
        if record.status == SimulatedRemoteRecord.Status.PROCESSING:
            record.status = SimulatedRemoteRecord.Status.CANCELLED
            record.save(update_fields=["status"])
        return self._result(record)


ADAPTER_CODES = (
    "electricity_biller",
    "municipal_biller",
    "transport_biller",
    "police_echallan",
    "treasury_challan",
    "land_records",
)


class UnknownAdapter(LookupError):
    pass


def adapter_get(code: str, *, options: dict[str, Any] | None = None) -> Adapter:
    """The adapter for ``code``. Only simulated adapters exist in this repository."""
    if code not in ADAPTER_CODES:
        raise UnknownAdapter(code)
    return SimulatedAdapter(code, options=options)

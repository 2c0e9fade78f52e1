"""The simulated adapters: idempotent by our reference, cancel is safe to repeat."""

from __future__ import annotations

from typing import Any

import pytest

from sahayata.integrations.adapters import (
    AdapterTimeout,
    RemoteStatus,
    UnknownAdapter,
    adapter_get,
)
from sahayata.integrations.models import SimulatedRemoteRecord

pytestmark = pytest.mark.django_db


def test_submit_is_idempotent_by_reference() -> None:
    adapter = adapter_get("electricity_biller", options={"latency_ms": 0, "failure_rate": 0})
    first = adapter.submit(reference="BSK-X-2526-000001", amount_paise=100, payload={})
    second = adapter.submit(reference="BSK-X-2526-000001", amount_paise=100, payload={})
    assert first == second and first.status == RemoteStatus.CONFIRMED
    assert SimulatedRemoteRecord.objects.count() == 1
    assert adapter.status(reference="BSK-X-2526-000001") == first
    # A confirmed bill cannot be cancelled: the answer says so, and it stays confirmed.
    assert adapter.cancel(reference="BSK-X-2526-000001").status == RemoteStatus.CONFIRMED


def test_cancel_before_submit_refuses_a_late_submit() -> None:
    adapter = adapter_get("treasury_challan", options={"latency_ms": 0, "failure_rate": 0})
    assert adapter.status(reference="R1").status == RemoteStatus.NOT_FOUND
    assert adapter.cancel(reference="R1").status == RemoteStatus.CANCELLED
    assert adapter.cancel(reference="R1").status == RemoteStatus.CANCELLED
    late = adapter.submit(reference="R1", amount_paise=100, payload={})
    assert late.status == RemoteStatus.CANCELLED


def test_rates_come_from_settings_or_the_call(settings: Any) -> None:
    settings.SAHAYATA_ADAPTERS = {"police_echallan": {"latency_ms": 0, "failure_rate": 1.0}}
    assert (
        adapter_get("police_echallan").submit(reference="F1", amount_paise=1, payload={}).status
        == RemoteStatus.FAILED
    )
    with pytest.raises(AdapterTimeout):
        adapter_get("police_echallan", options={"timeout_rate": 1.0}).submit(
            reference="F2", amount_paise=1, payload={}
        )
    with pytest.raises(UnknownAdapter):
        adapter_get("nonexistent")

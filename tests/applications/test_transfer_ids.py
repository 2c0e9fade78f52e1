"""The fee heads' transfer ids: uuid5 of the fixed namespace, exactly (built faster)."""

from __future__ import annotations

import pickle
import uuid

import pytest

from sahayata.applications.plans import TRANSFER_NAMESPACE, transfer_id


@pytest.mark.parametrize(
    ("number", "code", "step"),
    [
        ("BSK-KOL0001-2526-000001", "service_fee", "hold"),
        ("BSK-HWH0042-2425-123456", "stamp_duty", "post"),
        ("BSK-X-2526-000009", "ফি", "void"),
        ("", "", ""),
    ],
)
def test_transfer_id_is_uuid5_of_the_namespace(number: str, code: str, step: str) -> None:
    made = transfer_id(application_no=number, fee_code=code, step=step)
    expected = uuid.uuid5(TRANSFER_NAMESPACE, f"{number}|{code}|{step}")
    assert made == expected
    assert made.hex == expected.hex and str(made) == str(expected)
    assert hash(made) == hash(expected) and {expected: 1}[made] == 1
    assert made.version == 5 and made.variant == uuid.RFC_4122
    assert pickle.loads(pickle.dumps(made)) == expected  # noqa: S301 - our own bytes

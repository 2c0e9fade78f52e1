"""The shared hash-chain recipe: the wallet's stored hashes are unchanged by it, and a walk
finds every edited, missing and re-ordered row."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from sahayata.core import chain
from sahayata.wallet import rules


def test_the_wallet_content_hash_is_the_one_it_always_stored() -> None:
    transfer_id = uuid.UUID("12345678-1234-5678-1234-567812345678")
    at = dt.datetime(2025, 3, 1, 10, 30, 0, 123456, tzinfo=dt.UTC)
    # The formula the stored transfers were hashed with, written out independently.
    expected = hashlib.sha256(
        "\x1f".join(
            [
                str(transfer_id),
                "single",
                "3",
                "4",
                "2500",
                "",
                "fee",
                "BSK-1",
                "",
                "1740825000123456",
            ]
        ).encode()
    ).hexdigest()
    assert (
        rules.content_hash(
            id=transfer_id,
            kind="single",
            debit_account_id=3,
            credit_account_id=4,
            amount_paise=2500,
            pending_id=None,
            code="fee",
            reference="BSK-1",
            timeout_at=None,
            created_at=at,
        )
        == expected
    )
    assert (
        rules.chain_hash("0" * 64, expected, 1)
        == hashlib.sha256(f"{'0' * 64}:1:{expected}".encode()).hexdigest()
    )


def test_canonical_json_ignores_key_order() -> None:
    assert chain.content_hash([{"b": 1, "a": "ক"}]) == chain.content_hash([{"a": "ক", "b": 1}])
    assert chain.content_hash([None, 1]) != chain.content_hash(["1", None])


def _sealed(contents: list[str]) -> list[tuple[int, str, str, int | None, str]]:
    sealed = chain.link(enumerate(contents, 1), last_seq=0, last_hash=chain.GENESIS_HASH)
    return [(key, contents[key - 1], contents[key - 1], seq, h) for seq, h, key in sealed.updates]


def test_walk_of_an_intact_chain_finds_nothing_and_reaches_the_head() -> None:
    rows = _sealed(["a", "b", "c"])
    end = chain.Walk(0, "")
    assert list(chain.walk(rows, end=end)) == []
    assert (end.last_seq, end.last_hash) == (3, rows[-1][4])


def test_walk_finds_an_edit_a_gap_and_a_swap() -> None:
    rows = _sealed(["a", "b", "c", "d"])
    edited = [rows[0], (2, "B", "b", 2, rows[1][4]), *rows[2:]]
    assert [b.kind for b in chain.walk(edited)] == ["altered"]
    assert [b.kind for b in chain.walk([rows[0], *rows[2:]])] == ["missing", "broken"]
    first, second = rows[1], rows[2]
    swapped = [rows[0], (3, "c", "c", 2, second[4]), (2, "b", "b", 3, first[4]), rows[3]]
    assert "broken" in [b.kind for b in chain.walk(swapped)]

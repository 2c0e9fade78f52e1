"""The log's API: the shapes of API.md, every served proof checked by the offline verifier,
the same 404 for an unknown number and a wrong salt."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sahayata.ledgerlog.models import LogHead
from sahayata.ledgerlog.services import log_publish
from sahayata.ledgerlog.signing import LOG_KEYRING
from tests.ledgerlog.conftest import History
from tests.ledgerlog.verifier import verify_log

pytestmark = pytest.mark.django_db

BASE = "/api/v1/transparency/log"
HEAD_KEYS = {"tree_size", "root_hash", "timestamp", "previous_root_hash", "key_id", "signature"}


def get(client: Client, path: str, **query: Any) -> Any:
    response = client.get(f"{BASE}{path}", query)
    assert response.status_code == 200, response.content
    return response.json()


def keys(client: Client) -> Any:
    return verify_log.public_keys(get(client, "/public-keys"))


def test_heads_keys_and_proofs_have_the_contract_shapes_and_verify(
    client: Client, history: History
) -> None:
    first = history.approved(2)
    history.rejected()  # a voided hold: no leaf
    log_publish()
    later = history.approved(3)
    log_publish()

    latest = get(client, "/heads/latest")
    assert set(latest) == HEAD_KEYS
    heads = get(client, "/heads")
    assert set(heads) == {"items", "count"} and heads["count"] == 2
    assert [set(head) for head in heads["items"]] == [HEAD_KEYS, HEAD_KEYS]
    assert heads["items"][0] == latest  # newest first
    assert get(client, "/heads", limit=1, offset=1)["items"] == heads["items"][1:]
    published = get(client, "/public-keys")
    assert set(published) == {"keys"}
    assert [set(key) for key in published["keys"]] == [{"key_id", "public_key"}]
    assert verify_log.verify_heads(heads["items"], keys(client)) == 2

    for application in first + later:
        proof = get(client, "/proof", application_no=application.number, salt=application.log_salt)
        assert set(proof) == {"application_no", "tree_size", "root_hash", "leaves", "head"}
        assert (proof["tree_size"], proof["root_hash"]) == (
            latest["tree_size"],
            latest["root_hash"],
        )
        assert [set(leaf) for leaf in proof["leaves"]] == [
            {"index", "content_hash", "leaf_hash", "audit_path"}
        ]
        assert verify_log.verify_inclusion(proof, application.log_salt, keys(client))
        with pytest.raises(verify_log.Invalid):
            verify_log.verify_inclusion(proof, "0" * 32, keys(client))

    old, new = heads["items"][1], heads["items"][0]
    consistency = get(client, "/consistency", **{"from": old["tree_size"], "to": new["tree_size"]})
    assert set(consistency) == {"from", "to", "from_root", "to_root", "proof"}
    verify_log.verify_consistency_document(consistency, old, new, keys(client))
    same = get(client, "/consistency", **{"from": new["tree_size"], "to": new["tree_size"]})
    assert same["proof"] == []


def test_unknown_number_and_wrong_salt_get_the_same_404(client: Client, history: History) -> None:
    (application,) = history.approved(1)
    log_publish()
    answers = [
        client.get(f"{BASE}/proof", {"application_no": number, "salt": salt})
        for number, salt in (
            ("BSK-NOPE-2526-000001", application.log_salt),
            (application.number, "f" * 32),
            (application.number, application.log_salt[:-1]),
            (application.number, ""),
        )
    ]
    assert {answer.status_code for answer in answers} == {404}
    assert len({answer.content for answer in answers}) == 1


def test_no_head_yet_and_unpublished_sizes_are_404(client: Client, history: History) -> None:
    assert client.get(f"{BASE}/heads/latest").status_code == 404
    assert get(client, "/heads") == {"items": [], "count": 0}
    history.approved(2)
    log_publish()
    size = LogHead.objects.get().tree_size
    assert client.get(f"{BASE}/consistency", {"from": 1, "to": size}).status_code == 404
    assert client.get(f"{BASE}/consistency", {"from": size, "to": 1}).status_code == 422
    assert client.get(f"{BASE}/consistency", {"from": "x", "to": 1}).status_code == 422


def test_a_rotated_key_keeps_old_heads_verifying(client: Client, history: History) -> None:
    history.approved(1)
    log_publish()
    retired, current = LOG_KEYRING.rotate()
    history.approved(1)
    log_publish()
    heads = get(client, "/heads")["items"]
    assert [head["key_id"] for head in heads] == [current, retired]
    assert [key["key_id"] for key in get(client, "/public-keys")["keys"]] == [current, retired]
    assert verify_log.verify_heads(heads, keys(client)) == 2


def test_the_log_key_is_not_the_certificate_key() -> None:
    from sahayata.certificates import signing

    assert LOG_KEYRING.key_path() != signing.key_path()
    assert LOG_KEYRING.key_id() != signing.key_id()

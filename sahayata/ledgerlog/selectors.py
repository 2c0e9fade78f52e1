"""Reads of the transparency log: signed heads, public keys, inclusion and consistency proofs.

Everything here is public except that an inclusion proof needs the application's salt;
an unknown number and a wrong salt raise the same ``NotFound``.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet

from sahayata.applications.models import Application
from sahayata.core.errors import InvalidInput, NotFound
from sahayata.ledgerlog import merkle, store
from sahayata.ledgerlog.models import LogHead, LogLeaf
from sahayata.ledgerlog.services import POSTED_KINDS
from sahayata.ledgerlog.signing import public_keys
from sahayata.wallet.models import Transfer


def head_body(head: LogHead) -> dict[str, Any]:
    return {
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "timestamp": head.timestamp,
        "previous_root_hash": head.previous_root_hash,
        "key_id": head.key_id,
        "signature": head.signature,
    }


def head_latest() -> LogHead | None:
    return LogHead.objects.order_by("-tree_size").first()


def heads_ordered() -> QuerySet[LogHead]:
    return LogHead.objects.order_by("-tree_size")


def heads_page(*, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    heads = heads_ordered()
    return {
        "items": [head_body(head) for head in heads[offset : offset + limit]],
        "count": heads.count(),
    }


def log_public_keys() -> dict[str, Any]:
    return {"keys": public_keys()}


def inclusion_proof(*, application_no: str, salt: str) -> dict[str, Any]:
    """The posted transfers of an application in the latest head, each with its audit path."""
    found = Application.objects.filter(number=application_no).values_list("log_salt").first()
    # Compared in constant time, and the same answer for every way of being wrong.
    if found is None or not salt or not hmac.compare_digest(found[0], salt):
        raise NotFound()
    head = head_latest()
    if head is None:
        raise NotFound()
    transfers = dict(
        Transfer.objects.filter(reference=application_no, kind__in=POSTED_KINDS).values_list(
            "id", "content_hash"
        )
    )
    leaves = list(
        LogLeaf.objects.filter(transfer_id__in=list(transfers), index__lt=head.tree_size)
        .order_by("index")
        .values_list("index", "transfer_id", "leaf_hash")
    )
    ranges = [merkle.inclusion_ranges(index, head.tree_size) for index, _id, _hash in leaves]
    hashes = merkle.hashes_of([r for path in ranges for r in path], store.fetch)
    body = []
    for (index, transfer_id, leaf_hash), path in zip(leaves, ranges, strict=True):
        audit_path, hashes = hashes[: len(path)], hashes[len(path) :]
        body.append(
            {
                "index": index,
                "content_hash": transfers[transfer_id],
                "leaf_hash": bytes(leaf_hash).hex(),
                "audit_path": [node.hex() for node in audit_path],
            }
        )
    return {
        "application_no": application_no,
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "leaves": body,
        "head": head_body(head),
    }


def consistency_proof(*, first: int, second: int) -> dict[str, Any]:
    """Proof that the published head of size ``second`` extends the one of size ``first``."""
    if not 0 < first <= second:
        raise InvalidInput(details={"from": first, "to": second})
    roots = dict(
        LogHead.objects.filter(tree_size__in=[first, second]).values_list("tree_size", "root_hash")
    )
    if first not in roots or second not in roots:
        raise NotFound()
    proof = merkle.hashes_of(merkle.consistency_ranges(first, second), store.fetch)
    return {
        "from": first,
        "to": second,
        "from_root": roots[first],
        "to_root": roots[second],
        "proof": [node.hex() for node in proof],
    }


def receipt_log_url(*, base_url: str, application_no: str, salt: str) -> str:
    """What a receipt's log QR code holds: the public log page, with the number and the salt
    after ``#`` so that they never reach a server's access log."""
    query = urlencode({"application_no": application_no, "salt": salt})
    return f"{base_url.rstrip('/')}/dashboard/log/#{query}"

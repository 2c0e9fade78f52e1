"""JSON API of the transparency log (public, read-only): heads, keys and proofs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from sahayata.api.schemas import ErrorOut
from sahayata.core.errors import NotFound
from sahayata.ledgerlog import selectors

router = Router(tags=["transparency log"])


class HeadOut(Schema):
    tree_size: int
    root_hash: str
    timestamp: str
    previous_root_hash: str
    key_id: str
    signature: str


class HeadsOut(Schema):
    items: list[HeadOut]
    count: int


class KeyOut(Schema):
    key_id: str
    public_key: str


class KeysOut(Schema):
    keys: list[KeyOut]


class LeafOut(Schema):
    index: int
    content_hash: str
    leaf_hash: str
    audit_path: list[str]


class InclusionOut(Schema):
    application_no: str
    tree_size: int
    root_hash: str
    leaves: list[LeafOut]
    head: HeadOut


class ConsistencyOut(Schema):
    from_: int = Field(..., alias="from")
    to: int
    from_root: str
    to_root: str
    proof: list[str]


class Page(Schema):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10**9)


class ProofQuery(Schema):
    application_no: str = Field(..., max_length=40)
    salt: str = Field(..., max_length=64)


class ConsistencyQuery(Schema):
    from_: int = Field(..., alias="from", ge=1, le=2**40)
    to: int = Field(..., ge=1, le=2**40)


@router.get("/transparency/log/heads/latest", response={200: HeadOut, 404: ErrorOut}, auth=None)
def log_head_latest(request: HttpRequest) -> dict[str, Any]:
    """The latest signed tree head."""
    head = selectors.head_latest()
    if head is None:
        raise NotFound()
    return selectors.head_body(head)


@router.get("/transparency/log/heads", response=HeadsOut, auth=None)
def log_heads(request: HttpRequest, page: Query[Page]) -> dict[str, Any]:
    """Signed tree heads, newest first."""
    return selectors.heads_page(limit=page.limit, offset=page.offset)


@router.get("/transparency/log/public-keys", response=KeysOut, auth=None)
def log_public_keys(request: HttpRequest) -> dict[str, Any]:
    """The log's Ed25519 public keys (raw 32 bytes, base64), current first."""
    return selectors.log_public_keys()


@router.get("/transparency/log/proof", response={200: InclusionOut, 404: ErrorOut}, auth=None)
def log_proof(request: HttpRequest, query: Query[ProofQuery]) -> dict[str, Any]:
    """Inclusion of an application's posted transfers in the latest head; the same 404
    for an unknown number and for a wrong salt."""
    return selectors.inclusion_proof(application_no=query.application_no, salt=query.salt)


@router.get(
    "/transparency/log/consistency",
    response={200: ConsistencyOut, 404: ErrorOut},
    auth=None,
    by_alias=True,
)
def log_consistency(request: HttpRequest, query: Query[ConsistencyQuery]) -> dict[str, Any]:
    """Proof that the head of size ``to`` extends the head of size ``from``."""
    body = selectors.consistency_proof(first=query.from_, second=query.to)
    return body

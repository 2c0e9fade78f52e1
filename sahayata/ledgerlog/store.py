"""The tree's node store in the database: leaves in ``LogLeaf``, interior nodes in ``LogNode``.

``fetch`` answers ``merkle``'s node requests with at most two queries (leaves, nodes), so a
proof at any size costs two indexed lookups of a few dozen keys.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from sahayata.core import dialect
from sahayata.ledgerlog import merkle
from sahayata.ledgerlog.models import NODE_LEVEL_STRIDE, LogLeaf, LogNode

CHUNK = 500  # keys per IN (...): SQLite's variable limit is far above, PostgreSQL's too


def node_key(node: merkle.Node) -> int:
    level, index = node
    return level * NODE_LEVEL_STRIDE + index


def fetch(nodes: Iterable[merkle.Node]) -> dict[merkle.Node, bytes]:
    wanted = set(nodes)
    # A leaf's index is below NODE_LEVEL_STRIDE and a node's key above it, so one UNION
    # ALL of the two tables answers a proof in one round trip.
    keys = sorted(node_key(node) for node in wanted)
    found: dict[merkle.Node, bytes] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        leaves = [key for key in chunk if key < NODE_LEVEL_STRIDE]
        inner = [key for key in chunk if key >= NODE_LEVEL_STRIDE]
        rows = (
            LogLeaf.objects.filter(index__in=leaves)
            .values_list("index", "leaf_hash")
            .union(LogNode.objects.filter(key__in=inner).values_list("key", "hash"), all=True)
        )
        for key, value in rows:
            found[divmod(key, NODE_LEVEL_STRIDE)] = bytes(value)
    missing = wanted - set(found)
    if missing:
        raise LookupError(f"the log's store lacks nodes {sorted(missing)[:5]}")
    return found


def write(leaves: list[tuple[int, str, bytes]], nodes: list[tuple[merkle.Node, bytes]]) -> None:
    """Insert new leaves ``(index, transfer id, hash)`` and completed nodes, in bulk (COPY on
    PostgreSQL, executemany on SQLite: ``core.dialect``), inside the caller's transaction."""
    transfer_field = LogLeaf._meta.get_field("transfer_id")
    dialect.rows_insert(
        LogLeaf,
        ('"index"', "transfer_id", "leaf_hash"),
        [
            (index, transfer_field.get_db_prep_value(transfer_id, connection), value)
            for index, transfer_id, value in leaves
        ],
    )
    dialect.rows_insert(
        LogNode, ("key", "hash"), [(node_key(node), value) for node, value in nodes]
    )

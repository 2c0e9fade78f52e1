"""The transparency log against the ledger, for ``ledger_check``.

Recomputes every leaf from the posted transfers in seal order (with their salts), every
stored node from the leaves, every head's root at its size, and checks each head's
signature and that it names the head before it. One pass, O(log n) memory.

The heads published outside the database (``published``) are checked the same way, and
more: each must be a head of the current ledger (its root recomputed at its size, its seal
chain hash the stored chain's at its sequence), the database must still hold it, and the
ledger must not end before it. A rewrite re-chained to the end, or rows deleted from the
end with the head reset, pass every check inside the database but not these.
"""

from __future__ import annotations

from typing import Any

from sahayata.ledgerlog import merkle, published, store
from sahayata.ledgerlog.models import LogHead, LogLeaf, LogNode, LogState
from sahayata.ledgerlog.services import leaf_hashes, posted_transfers_after
from sahayata.ledgerlog.signing import LOG_KEYRING, head_message, signature_valid
from sahayata.wallet.ledger import Violation, seal_chain_at, sealed_chain_hashes

CHECK = "transparency_log"
PUBLISHED = "published_heads"
BATCH = 10_000
MAX_REPORTED = 50


def _check_signatures(heads: list[LogHead], violations: list[Violation]) -> None:
    keys = dict(LOG_KEYRING.published_keys())
    previous = ""
    for head in heads:
        if head.previous_root_hash != previous:
            violations.append(
                Violation(CHECK, f"head {head.tree_size} does not name the head before it")
            )
        previous = head.root_hash
        key = keys.get(head.key_id)
        message = head_message(
            tree_size=head.tree_size,
            root_hash=head.root_hash,
            timestamp=head.timestamp,
            previous_root_hash=head.previous_root_hash,
        )
        if not signature_valid(key, head.signature, message):
            violations.append(Violation(CHECK, f"head {head.tree_size} is not signed by the log"))


def _check_published(heads: list[LogHead], violations: list[Violation]) -> list[dict[str, Any]]:
    """The published heads whose signatures hold, after checking each against the
    database's heads and the seal chain; their roots are checked in ``log_check``'s pass."""
    outside, unreadable = published.heads_read()
    for name in unreadable:
        violations.append(Violation(PUBLISHED, f"published file {name} is no signed head"))
    keys = dict(LOG_KEYRING.published_keys())
    in_database = {head.tree_size: head for head in heads}
    genuine: list[dict[str, object]] = []
    for head in outside:
        size = head["tree_size"]
        key = keys.get(head["key_id"])
        message = head_message(
            tree_size=size,
            root_hash=head["root_hash"],
            timestamp=head["timestamp"],
            previous_root_hash=head["previous_root_hash"],
        )
        seal = published.seal_message(
            tree_size=size,
            root_hash=head["root_hash"],
            seal_seq=head["seal_seq"],
            seal_chain_hash=head["seal_chain_hash"],
        )
        if not (
            signature_valid(key, head["signature"], message)
            and signature_valid(key, head["seal_signature"], seal)
        ):
            violations.append(
                Violation(PUBLISHED, f"published head {size} is not signed by the log")
            )
            continue
        genuine.append(head)
        stored = in_database.get(size)
        if stored is None:
            violations.append(
                Violation(PUBLISHED, f"published head {size} is missing from the database")
            )
        elif (stored.root_hash, stored.signature) != (head["root_hash"], head["signature"]):
            violations.append(
                Violation(PUBLISHED, f"the database's head {size} is not the one published")
            )
    last_seq, _last_hash = seal_chain_at()
    chain = sealed_chain_hashes([head["seal_seq"] for head in genuine])  # type: ignore[misc]
    for head in genuine:
        seq = head["seal_seq"]
        if seq > last_seq or seq not in chain:  # type: ignore[operator]
            violations.append(
                Violation(
                    PUBLISHED,
                    f"published head {head['tree_size']} anchors seal {seq}, the ledger is "
                    f"sealed to {last_seq}: sealed transfers were deleted",
                )
            )
        elif chain[seq] != head["seal_chain_hash"]:  # type: ignore[index]
            violations.append(
                Violation(
                    PUBLISHED,
                    f"the seal chain at {seq} is not the one published with head "
                    f"{head['tree_size']}: sealed transfers were rewritten",
                )
            )
    return genuine


def _stored_leaves(start: int, count: int) -> dict[int, bytes]:
    rows = LogLeaf.objects.filter(index__gte=start, index__lt=start + count)
    return {index: bytes(value) for index, value in rows.values_list("index", "leaf_hash")}


def _stored_nodes(nodes: list[tuple[merkle.Node, bytes]]) -> dict[merkle.Node, bytes]:
    keys = [store.node_key(node) for node, _value in nodes]
    found: dict[merkle.Node, bytes] = {}
    for start in range(0, len(keys), store.CHUNK):
        rows = LogNode.objects.filter(key__in=keys[start : start + store.CHUNK])
        for key, value in rows.values_list("key", "hash"):
            found[divmod(key, store.NODE_LEVEL_STRIDE)] = bytes(value)
    return found


def log_check() -> list[Violation]:
    """Every violation of the log against the ledger (empty: every head holds)."""
    violations: list[Violation] = []
    heads = list(LogHead.objects.order_by("tree_size"))
    _check_signatures(heads, violations)
    state = LogState.objects.filter(pk=1).first()
    size = state.size if state is not None else 0
    outside = _check_published(heads, violations)
    frontier = merkle.Frontier(0, store.fetch)
    roots = {head.tree_size: head.root_hash for head in heads}
    outside_roots = {head["tree_size"]: head["root_hash"] for head in outside}
    bad_leaves = 0
    seal_seq = 0
    while frontier.size < size:
        rows = posted_transfers_after(seal_seq, limit=min(BATCH, size - frontier.size))
        if not rows:
            break
        stored = _stored_leaves(frontier.size, len(rows))
        completed: list[tuple[merkle.Node, bytes]] = []
        for value in leaf_hashes(rows):
            if stored.get(frontier.size) != value:
                bad_leaves += 1
                if bad_leaves <= MAX_REPORTED:
                    violations.append(
                        Violation(CHECK, f"leaf {frontier.size} is not the ledger's transfer")
                    )
            completed.extend(frontier.append(value))
            root = roots.get(frontier.size)
            if root is not None and frontier.root().hex() != root:
                violations.append(
                    Violation(CHECK, f"head {frontier.size} is not the root of the ledger")
                )
            root = outside_roots.get(frontier.size)
            if root is not None and frontier.root().hex() != root:
                violations.append(
                    Violation(
                        PUBLISHED,
                        f"published head {frontier.size} is not the root of the ledger now:"
                        " posted transfers were rewritten",
                    )
                )
        stored_nodes = _stored_nodes(completed)
        if any(stored_nodes.get(node) != value for node, value in completed):
            violations.append(
                Violation(CHECK, f"stored nodes below leaf {frontier.size} were altered")
            )
        seal_seq = rows[-1][1]
    if frontier.size != size:
        violations.append(
            Violation(CHECK, f"the log has {size} leaves, the ledger {frontier.size} posted")
        )
    elif LogLeaf.objects.count() != size:
        violations.append(Violation(CHECK, "the log holds leaves beyond its size"))
    if heads and heads[-1].tree_size > size:
        violations.append(Violation(CHECK, f"head {heads[-1].tree_size} is beyond the log"))
    beyond = [head["tree_size"] for head in outside if head["tree_size"] > frontier.size]
    if beyond:
        violations.append(
            Violation(
                PUBLISHED,
                f"published head {max(beyond)} (and {len(beyond) - 1} more) is beyond the"
                f" {frontier.size} posted transfers of the ledger now: the ledger was truncated",
            )
        )
    return violations

"""RFC 9162's Merkle tree hash and its proofs, over a store of perfect-subtree nodes.

Pure: no database. A node ``(level, index)`` is the hash of the perfect subtree over
leaves ``[index << level, (index + 1) << level)``; level 0 is the leaf hashes. A log of
``n`` leaves keeps every complete node, fewer than ``2n`` hashes in all (O(n)), so the
hash of any range the RFC's recursion asks for is the fold of at most ~log2(n) stored
nodes, and a proof needs O(log² n) stored nodes, read in one go.

Proofs are *planned* first (which nodes they need), then computed from those nodes, so a
store answers with one query. ``scripts/verify_log.py`` checks proofs without this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

Node = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # leaves [start, end)
Fetch = Callable[[Iterable[Node]], Mapping[Node, bytes]]

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two smaller than ``size`` (> 1): the RFC's ``k``."""
    return 1 << ((size - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> list[Node]:
    """The perfect subtrees whose fold is MTH(D[start:end]), left to right.

    ``start`` must be aligned as every range of the RFC's recursion is (a multiple of the
    largest power of two not above ``end - start``)."""
    nodes: list[Node] = []
    while end - start > 0:
        size = end - start
        width = size if size & (size - 1) == 0 else split_point(size)
        level = width.bit_length() - 1
        nodes.append((level, start >> level))
        start += width
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its perfect subtrees (largest, leftmost first)."""
    if not hashes:
        return EMPTY_ROOT
    value = hashes[-1]
    for left in reversed(hashes[:-1]):
        value = node_hash(left, value)
    return value


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The ranges whose hashes form PATH(index, D[0:size]), leaf to root (RFC 9162 2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    ranges: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    ranges.reverse()
    return ranges


def consistency_ranges(first: int, second: int) -> list[Range]:
    """The ranges whose hashes form PROOF(first, D[0:second]) (RFC 9162 2.1.4.1)."""
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from {first} to {second}")
    ranges: list[Range] = []
    start, end, m, whole = 0, second, first, True
    while True:
        if m == end - start:
            if not whole:
                ranges.append((start, end))
            break
        k = split_point(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            m -= k
            start += k
            whole = False
    ranges.reverse()
    return ranges


def hashes_of(ranges: Sequence[Range], fetch: Fetch) -> list[bytes]:
    """The MTH of each range, from one call to ``fetch`` for every node they need."""
    needed = [range_nodes(start, end) for start, end in ranges]
    found = fetch({node for nodes in needed for node in nodes})
    return [fold([found[node] for node in nodes]) for nodes in needed]


def root_of(size: int, fetch: Fetch) -> bytes:
    return hashes_of([(0, size)], fetch)[0] if size else EMPTY_ROOT


class Frontier:
    """The right edge of a growing tree: one perfect subtree per set bit of its size.

    Appending a leaf completes nodes; ``append`` returns them so the store saves them.
    """

    def __init__(self, size: int, fetch: Fetch) -> None:
        self.size = size
        nodes = range_nodes(0, size)
        found = fetch(nodes) if nodes else {}
        self.stack: list[tuple[Node, bytes]] = [(node, found[node]) for node in nodes]

    def append(self, leaf: bytes) -> list[tuple[Node, bytes]]:
        completed: list[tuple[Node, bytes]] = []
        node, value = (0, self.size), leaf
        self.size += 1
        while self.stack and self.stack[-1][0][0] == node[0]:
            (level, left_index), left = self.stack.pop()
            node, value = (level + 1, left_index >> 1), node_hash(left, value)
            completed.append((node, value))
        self.stack.append((node, value))
        return completed

    def root(self) -> bytes:
        return fold([value for _node, value in self.stack])


class MemoryTree:
    """Every node of a tree in a dict: the reference the tests and the bench compare with."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self.nodes: dict[Node, bytes] = {}
        self.frontier = Frontier(0, self.fetch)
        for leaf in leaves:
            self.append(leaf)

    @property
    def size(self) -> int:
        return self.frontier.size

    def fetch(self, nodes: Iterable[Node]) -> dict[Node, bytes]:
        return {node: self.nodes[node] for node in nodes}

    def append(self, leaf: bytes) -> None:
        self.nodes[(0, self.size)] = leaf
        for node, value in self.frontier.append(leaf):
            self.nodes[node] = value

    def root(self, size: int | None = None) -> bytes:
        return root_of(self.size if size is None else size, self.fetch)

    def inclusion(self, index: int, size: int | None = None) -> list[bytes]:
        return hashes_of(inclusion_ranges(index, self.size if size is None else size), self.fetch)

    def consistency(self, first: int, second: int | None = None) -> list[bytes]:
        return hashes_of(
            consistency_ranges(first, self.size if second is None else second), self.fetch
        )

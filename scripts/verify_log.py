#!/usr/bin/env python3
"""Check Sahayata's transparency log offline: needs only Python 3.9+ and ``cryptography``.

The log is RFC 9162's Merkle tree over every posted wallet transfer. What this checks:

    verify_log.py heads HEADS.json KEYS.json
        every signed head's Ed25519 signature, and that each names the one before it
    verify_log.py inclusion PROOF.json SALT KEYS.json
        each leaf of a receipt's proof: its leaf hash is SHA-256(0x00 || "<content_hash>:<salt>"),
        its audit path leads to the head's root, and the head's signature holds
    verify_log.py consistency PROOF.json OLD_HEAD.json NEW_HEAD.json KEYS.json
        that the newer signed head extends the older one (nothing was rewritten)
    verify_log.py receipt QR_URL
        downloads the proof and the keys named by a receipt's QR code, saves them beside
        you (proof-<number>.json, log-keys.json), then checks them as ``inclusion`` does

HEADS.json is ``GET /api/v1/transparency/log/heads`` (or a list of heads), KEYS.json is
``GET …/public-keys``, a head is ``GET …/heads/latest``. Exit status 0 only if all holds.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import sys
import urllib.parse
import urllib.request
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

HEAD_FIELDS = ("tree_size", "root_hash", "timestamp", "previous_root_hash", "key_id", "signature")


class Invalid(Exception):
    """The log does not prove what it claims."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def transfer_leaf(content_hash: str, salt: str) -> bytes:
    return leaf_hash(f"{content_hash}:{salt}".encode())


def _unhex(text: Any, what: str) -> bytes:
    try:
        value = bytes.fromhex(text)
    except (TypeError, ValueError) as exc:
        raise Invalid(f"{what} is not hex") from exc
    if len(value) != 32:
        raise Invalid(f"{what} is not a SHA-256 hash")
    return value


def root_from_inclusion(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    """RFC 9162 section 2.1.3.2: the root that ``path`` leads ``leaf`` to."""
    if not 0 <= index < size:
        raise Invalid(f"leaf {index} is outside a tree of {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise Invalid("the audit path is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Invalid("the audit path is too short")
    return r


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: list[bytes]
) -> None:
    """RFC 9162 section 2.1.4.2; raises ``Invalid`` unless ``second`` extends ``first``."""
    if not 0 < first <= second:
        raise Invalid(f"no consistency between sizes {first} and {second}")
    if first == second:
        if proof or first_root != second_root:
            raise Invalid("equal sizes need equal roots and an empty proof")
        return
    if not proof:
        raise Invalid("the consistency proof is empty")
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise Invalid("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != first_root or sr != second_root:
        raise Invalid(f"the tree of {second} does not extend the tree of {first}")


def signed_message(head: dict[str, Any]) -> bytes:
    previous = head.get("previous_root_hash") or ""
    return (
        f"sahayata-log-v1\n{head['tree_size']}\n{head['root_hash']}\n"
        f"{head['timestamp']}\n{previous}\n"
    ).encode()


def public_keys(document: Any) -> dict[str, Ed25519PublicKey]:
    keys = document["keys"] if isinstance(document, dict) else document
    found = {}
    for entry in keys:
        raw = base64.b64decode(entry["public_key"], validate=True)
        found[entry["key_id"]] = Ed25519PublicKey.from_public_bytes(raw)
    return found


def verify_head(head: dict[str, Any], keys: dict[str, Ed25519PublicKey]) -> None:
    missing = [field for field in HEAD_FIELDS if field not in head]
    if missing:
        raise Invalid(f"the head lacks {', '.join(missing)}")
    key = keys.get(head["key_id"])
    if key is None:
        raise Invalid(f"no published key {head['key_id']!r}")
    try:
        key.verify(base64.b64decode(head["signature"], validate=True), signed_message(head))
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise Invalid(f"the head of size {head['tree_size']} is not signed by the log") from exc


def verify_heads(heads: list[dict[str, Any]], keys: dict[str, Ed25519PublicKey]) -> int:
    """Every signature, and the chain: oldest first, each head names the root before it."""
    ordered = sorted(heads, key=lambda head: head["tree_size"])
    previous = ""
    for head in ordered:
        verify_head(head, keys)
        if (head.get("previous_root_hash") or "") != previous:
            raise Invalid(f"the head of size {head['tree_size']} does not follow the one before")
        previous = head["root_hash"]
    return len(ordered)


def verify_inclusion(
    proof: dict[str, Any], salt: str, keys: dict[str, Ed25519PublicKey]
) -> list[int]:
    """Each leaf of a receipt's proof is in the signed head; returns the leaf indexes."""
    head = proof.get("head") or {}
    verify_head(head, keys)
    size, root = proof["tree_size"], _unhex(proof["root_hash"], "root_hash")
    if size != head["tree_size"] or proof["root_hash"] != head["root_hash"]:
        raise Invalid("the proof is not against the head it carries")
    indexes = []
    for leaf in proof["leaves"]:
        expected = transfer_leaf(leaf["content_hash"], salt)
        if leaf["leaf_hash"] != expected.hex():
            raise Invalid(f"leaf {leaf['index']} is not this transfer with this salt")
        path = [_unhex(item, "audit path") for item in leaf["audit_path"]]
        if root_from_inclusion(leaf["index"], size, expected, path) != root:
            raise Invalid(f"leaf {leaf['index']} is not in the tree of {size}")
        indexes.append(leaf["index"])
    return indexes


def verify_consistency_document(
    proof: dict[str, Any],
    old: dict[str, Any],
    new: dict[str, Any],
    keys: dict[str, Ed25519PublicKey],
) -> None:
    verify_head(old, keys)
    verify_head(new, keys)
    if (proof["from"], proof["to"]) != (old["tree_size"], new["tree_size"]):
        raise Invalid("the proof is not between these two heads")
    if (proof["from_root"], proof["to_root"]) != (old["root_hash"], new["root_hash"]):
        raise Invalid("the proof's roots are not the signed ones")
    verify_consistency(
        old["tree_size"],
        new["tree_size"],
        _unhex(old["root_hash"], "from_root"),
        _unhex(new["root_hash"], "to_root"),
        [_unhex(item, "proof") for item in proof["proof"]],
    )


def _load(path: str) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _download(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - a URL the user gave
        return json.load(response)


def receipt(url: str) -> tuple[list[int], str]:
    """A receipt's QR URL: ``…/dashboard/log/#application_no=…&salt=…``."""
    parts = urllib.parse.urlsplit(url)
    fields = urllib.parse.parse_qs(parts.fragment or parts.query)
    number, salt = fields["application_no"][0], fields["salt"][0]
    base = f"{parts.scheme}://{parts.netloc}/api/v1/transparency/log"
    query = urllib.parse.urlencode({"application_no": number, "salt": salt})
    proof = _download(f"{base}/proof?{query}")
    keys = _download(f"{base}/public-keys")
    for name, document in ((f"proof-{number}.json", proof), ("log-keys.json", keys)):
        with open(name, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1)
    return verify_inclusion(proof, salt, public_keys(keys)), number


def main(argv: list[str]) -> int:
    usage = __doc__ or ""
    if not argv or argv[0] not in {"heads", "inclusion", "consistency", "receipt"}:
        print(usage, file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    try:
        if command == "heads" and len(args) == 2:
            document = _load(args[0])
            heads = document["items"] if isinstance(document, dict) else document
            count = verify_heads(heads, public_keys(_load(args[1])))
            print(f"OK: {count} signed heads, each following the one before")
        elif command == "inclusion" and len(args) == 3:
            proof = _load(args[0])
            indexes = verify_inclusion(proof, args[1], public_keys(_load(args[2])))
            print(f"OK: leaves {indexes} are in the signed tree of {proof['tree_size']}")
        elif command == "consistency" and len(args) == 4:
            proof, old, new = _load(args[0]), _load(args[1]), _load(args[2])
            verify_consistency_document(proof, old, new, public_keys(_load(args[3])))
            print(f"OK: the tree of {new['tree_size']} extends the tree of {old['tree_size']}")
        elif command == "receipt" and len(args) == 1:
            indexes, number = receipt(args[0])
            print(f"OK: {number}'s payments are leaves {indexes} of the signed log")
        else:
            print(usage, file=sys.stderr)
            return 2
    except Invalid as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    except (KeyError, TypeError, ValueError, OSError) as exc:
        print(f"FAILED: cannot read the input ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The transparency log's tables: its leaves, its stored tree nodes and its signed heads.

Leaves are append-only, one per posted transfer in seal order; a node is stored once its
perfect subtree is complete, so storage grows by fewer than two hashes per leaf. A head,
once published, never changes: ``ledger_check`` recomputes every one from the ledger.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# A stored node's key: level * NODE_LEVEL_STRIDE + index (2^40 leaves is ample).
NODE_LEVEL_STRIDE = 1 << 40


class LogLeaf(models.Model):
    index = models.BigIntegerField(_("leaf index"), primary_key=True)
    transfer_id = models.UUIDField(_("transfer"), unique=True)
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32)

    class Meta:
        verbose_name = _("log leaf")
        verbose_name_plural = _("log leaves")

    def __str__(self) -> str:
        return f"leaf {self.index}"


class LogNode(models.Model):
    """A complete interior node: ``key = level * NODE_LEVEL_STRIDE + index``, level ≥ 1."""

    key = models.BigIntegerField(_("node"), primary_key=True)
    hash = models.BinaryField(_("hash"), max_length=32)

    class Meta:
        verbose_name = _("log node")
        verbose_name_plural = _("log nodes")

    def __str__(self) -> str:
        level, index = divmod(self.key, NODE_LEVEL_STRIDE)
        return f"node {level}/{index}"


class LogHead(models.Model):
    """A signed tree head, exactly as published (``timestamp`` is the signed text)."""

    tree_size = models.BigIntegerField(_("tree size"), unique=True)
    root_hash = models.CharField(_("root hash"), max_length=64)
    timestamp = models.CharField(_("timestamp"), max_length=40)
    previous_root_hash = models.CharField(_("previous root hash"), max_length=64, blank=True)
    key_id = models.CharField(_("key ID"), max_length=16)
    signature = models.CharField(_("signature"), max_length=100)
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("signed tree head")
        verbose_name_plural = _("signed tree heads")
        ordering = ["-tree_size"]
        constraints = [
            models.CheckConstraint(condition=models.Q(tree_size__gte=0), name="loghead_size"),
        ]

    def __str__(self) -> str:
        return f"head {self.tree_size} {self.root_hash[:12]}"


class LogState(models.Model):
    """The appender's position (one row): leaves so far, and the last seal seq appended."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)
    last_seal_seq = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("log state")
        verbose_name_plural = _("log states")

    def __str__(self) -> str:
        return f"log of {self.size}"

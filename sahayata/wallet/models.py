"""The e-wallet's double-entry ledger: accounts, immutable transfers, holds and top-ups.

Conventions (TigerBeetle's model; amounts are integer paise):

- Every transfer debits one account and credits another by ``amount_paise`` > 0.
- A centre wallet is *limited* (``debits_must_not_exceed_credits``). Its balance is
  ``credits_posted − debits_posted``; the money held for pending services is
  ``debits_pending``; available = balance − held. The database refuses
  ``debits_posted + debits_pending > credits_posted`` with a ``CheckConstraint``.
- A top-up debits the funding bank account and credits the wallet (single transfer).
- A service fee is a *hold*: a pending transfer that debits the wallet and credits the
  payee (treasury, department or biller receivable) as pending. *Post* moves the
  posted amount from pending to posted on both sides and releases the rest; *void*
  (or expiry) releases it all. A hold resolves at most once: the resolving transfer
  points at it through a unique ``pending`` column.
- **Hot accounts** (treasury, department and biller receivables, funding bank, refunds)
  take every centre's traffic, so they never take a row lock per transfer. They carry
  no balance limit, and their counters live in ``STRIPES`` ``AccountStripe`` rows:
  each transaction adds its delta to one stripe chosen at random, so 8 workers paying
  the treasury at once rarely touch the same row. Their totals are the sum of the
  stripes (one stripe may go negative on pending counters; the sum never does). Only
  centre wallets (cold, limited) are locked, in primary-key order, before any stripe.
- **Tamper evidence.** Each transfer stores the SHA-256 of its content when written.
  ``ledger_seal`` (run by ``ledger_check``) later chains committed rows in batches:
  it gives each a ``seal_seq`` and ``chain_hash = H(previous chain_hash, seq, content)``.
  Only the sealer serializes, never the transfer path.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sahayata.catalogue.models import Department
from sahayata.core.ids import uuid7
from sahayata.core.money import MAX_AMOUNT_PAISE
from sahayata.places.models import Centre

STRIPES = 16


class AccountKind(models.TextChoices):
    CENTRE_WALLET = "centre_wallet", _("Centre wallet")
    DEPARTMENT_RECEIVABLE = "department_receivable", _("Department receivable")
    BILLER_RECEIVABLE = "biller_receivable", _("Biller receivable")
    TREASURY = "treasury", _("State treasury")
    FUNDING_BANK = "funding_bank", _("Funding bank account")
    REFUNDS = "refunds", _("Refunds")


class Account(models.Model):
    kind = models.CharField(_("kind"), max_length=24, choices=AccountKind.choices)
    code = models.CharField(_("code"), max_length=64, unique=True)
    centre = models.OneToOneField(
        Centre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wallet_account",
        verbose_name=_("centre"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("department"),
    )
    debits_must_not_exceed_credits = models.BooleanField(
        _("debits must not exceed credits"), default=False
    )
    credits_must_not_exceed_debits = models.BooleanField(
        _("credits must not exceed debits"), default=False
    )
    hot = models.BooleanField(
        _("hot (striped counters)"),
        default=False,
        help_text=_("Counters live in striped rows; the account row is never locked."),
    )
    debits_posted = models.BigIntegerField(_("debits posted (paise)"), default=0)
    credits_posted = models.BigIntegerField(_("credits posted (paise)"), default=0)
    debits_pending = models.BigIntegerField(_("debits pending (paise)"), default=0)
    credits_pending = models.BigIntegerField(_("credits pending (paise)"), default=0)
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(debits_posted__gte=0)
                & Q(credits_posted__gte=0)
                & Q(debits_pending__gte=0)
                & Q(credits_pending__gte=0),
                name="account_counters_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(debits_must_not_exceed_credits=False)
                | Q(debits_posted__lte=F("credits_posted") - F("debits_pending")),
                name="account_debits_within_credits",
            ),
            models.CheckConstraint(
                condition=Q(credits_must_not_exceed_debits=False)
                | Q(credits_posted__lte=F("debits_posted") - F("credits_pending")),
                name="account_credits_within_debits",
            ),
            models.CheckConstraint(
                condition=Q(hot=False)
                | (
                    Q(debits_must_not_exceed_credits=False)
                    & Q(credits_must_not_exceed_debits=False)
                ),
                name="account_hot_has_no_limit",
            ),
            models.CheckConstraint(
                condition=~Q(kind="centre_wallet") | Q(centre__isnull=False),
                name="account_wallet_has_centre",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class AccountStripe(models.Model):
    """One of a hot account's striped counter rows. Values are deltas and may be negative."""

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="stripes", verbose_name=_("account")
    )
    stripe_no = models.PositiveSmallIntegerField(_("stripe"))
    debits_posted = models.BigIntegerField(default=0)
    credits_posted = models.BigIntegerField(default=0)
    debits_pending = models.BigIntegerField(default=0)
    credits_pending = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("account stripe")
        verbose_name_plural = _("account stripes")
        constraints = [
            models.UniqueConstraint(fields=["account", "stripe_no"], name="stripe_unique_no"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}#{self.stripe_no}"


class TransferKind(models.TextChoices):
    SINGLE = "single", _("Single")
    PENDING = "pending", _("Hold")
    POST_PENDING = "post_pending", _("Post of a hold")
    VOID_PENDING = "void_pending", _("Void of a hold")


class TransferCode(models.TextChoices):
    TOPUP = "topup", _("Top-up")
    SERVICE_FEE = "service_fee", _("Service fee")
    REFUND = "refund", _("Refund")
    SETTLEMENT = "settlement", _("Settlement")
    CORRECTION = "correction", _("Correction")
    EXPIRY = "expiry", _("Hold expired")


class Transfer(models.Model):
    """An immutable movement of money. Mistakes are corrected by new transfers."""

    id = models.UUIDField(_("id"), primary_key=True, default=uuid7, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=TransferKind.choices)
    debit_account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="debits",
        verbose_name=_("debit account"),
        db_index=False,  # transfer_debit_at starts with it
    )
    credit_account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="credits",
        verbose_name=_("credit account"),
        db_index=False,  # transfer_credit_at starts with it
    )
    amount_paise = models.BigIntegerField(_("amount (paise)"))
    pending = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resolution",
        verbose_name=_("hold resolved"),
    )
    code = models.CharField(_("code"), max_length=16, choices=TransferCode.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True, db_index=True)
    timeout_seconds = models.PositiveIntegerField(_("timeout (seconds)"), null=True, blank=True)
    timeout_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"))
    content_hash = models.CharField(_("content hash"), max_length=64, editable=False)
    seal_seq = models.BigIntegerField(_("seal sequence"), null=True, blank=True, unique=True)
    chain_hash = models.CharField(_("chain hash"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["debit_account", "created_at"], name="transfer_debit_at"),
            models.Index(fields=["credit_account", "created_at"], name="transfer_credit_at"),
            models.Index(fields=["created_at"], name="transfer_at"),
            # The sealer's queue: only rows not sealed yet, oldest first.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(seal_seq__isnull=True),
                name="transfer_unsealed",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_paise__gt=0) & Q(amount_paise__lte=MAX_AMOUNT_PAISE),
                name="transfer_amount_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(debit_account=F("credit_account")),
                name="transfer_accounts_differ",
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=["single", "pending"]) & Q(pending__isnull=True))
                | (Q(kind__in=["post_pending", "void_pending"]) & Q(pending__isnull=False)),
                name="transfer_pending_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="pending") | Q(timeout_at__isnull=True),
                name="transfer_only_holds_time_out",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} {self.amount_paise}"


class HoldTimeout(models.Model):
    """An unresolved hold with a timeout: the sweeper's queue. Deleted when resolved."""

    hold = models.OneToOneField(
        Transfer,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="timeout_entry",
        verbose_name=_("hold"),
    )
    timeout_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("hold timeout")
        verbose_name_plural = _("hold timeouts")

    def __str__(self) -> str:
        return f"{self.hold_id} @ {self.timeout_at:%Y-%m-%d %H:%M}"


class LedgerSeal(models.Model):
    """The sealer's head: the last sealed sequence number and its chain hash (one row)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ledger seal")
        verbose_name_plural = _("ledger seals")

    def __str__(self) -> str:
        return f"seal #{self.last_seq}"


class TopUp(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CREDITED = "credited", _("Credited")
        REJECTED = "rejected", _("Rejected")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="topups", verbose_name=_("centre")
    )
    amount_paise = models.BigIntegerField(_("amount (paise)"))
    bank_reference = models.CharField(_("bank reference"), max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        "people.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "people.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason"), max_length=200, blank=True)
    transfer_id = models.UUIDField(_("transfer"), null=True, blank=True, unique=True)
    # The secret that opens this top-up's leaf in the transparency log; the centre's alone.
    log_salt = models.CharField(_("log salt"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("top-up")
        verbose_name_plural = _("top-ups")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "requested_at"], name="topup_status_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_paise__gt=0) & Q(amount_paise__lte=MAX_AMOUNT_PAISE),
                name="topup_amount_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="credited") | Q(transfer_id__isnull=False),
                name="topup_credited_has_transfer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_reference} ({self.status})"

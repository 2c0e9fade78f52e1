"""The wallet's error family: each error has a stable machine code and a translatable message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sahayata.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied


class WalletError(DomainError):
    code = "wallet_error"
    status = 400
    default_message = _("The wallet could not do this.")


class InvalidAmount(WalletError, InvalidInput):
    code = "invalid_amount"
    status = 422
    default_message = _("The amount must be a whole number of paise from 1 to 10^15.")


class InvalidTransfer(WalletError, InvalidInput):
    code = "invalid_transfer"
    status = 422
    default_message = _("This transfer is not valid.")


class AccountNotFound(WalletError, NotFound):
    code = "account_not_found"
    status = 404
    default_message = _("The account does not exist.")


class InsufficientFunds(WalletError, Conflict):
    code = "insufficient_funds"
    status = 409
    default_message = _("The wallet does not have enough available balance.")


class CreditLimitExceeded(WalletError, Conflict):
    code = "credits_exceed_debits"
    status = 409
    default_message = _("This account may not be credited beyond its debits.")


class TransferExists(WalletError, Conflict):
    code = "transfer_exists_with_different_fields"
    status = 409
    default_message = _("A transfer with this id already exists with different details.")


class HoldNotFound(WalletError, NotFound):
    code = "hold_not_found"
    status = 404
    default_message = _("The hold does not exist.")


class HoldAlreadyResolved(WalletError, Conflict):
    code = "hold_already_resolved"
    status = 409
    default_message = _("The hold was already posted or voided.")


class HoldExpired(WalletError, Conflict):
    code = "hold_expired"
    status = 409
    default_message = _("The hold has expired and its money was released.")


class PostExceedsHold(WalletError, Conflict):
    code = "post_exceeds_hold"
    status = 409
    default_message = _("The amount to post is more than the hold.")


class TransfersRejected(WalletError, Conflict):
    code = "transfers_rejected"
    status = 409
    default_message = _("Some transfers of the batch were refused.")


class TopUpNotFound(WalletError, NotFound):
    code = "topup_not_found"
    status = 404
    default_message = _("The top-up does not exist.")


class TopUpNotPending(WalletError, Conflict):
    code = "topup_not_pending"
    status = 409
    default_message = _("The top-up was already credited or rejected.")


class DuplicateBankReference(WalletError, Conflict):
    code = "duplicate_bank_reference"
    status = 409
    default_message = _("This bank reference was already used for a top-up.")


class InvalidBankReference(WalletError, InvalidInput):
    code = "invalid_bank_reference"
    status = 422
    default_message = _("The bank reference must be 4 to 64 letters, digits, '-' or '/'.")


class ReasonRequired(WalletError, InvalidInput):
    code = "reason_required"
    status = 422
    default_message = _("Give the reason for rejecting this top-up; the centre reads it.")


class SamePerson(WalletError, PermissionDenied):
    code = "same_person"
    status = 403
    default_message = _("The person who requested a top-up may not approve it.")


class WalletForbidden(WalletError, PermissionDenied):
    code = "forbidden"
    status = 403
    default_message = _("Your role may not do this.")

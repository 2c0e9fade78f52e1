"""Forms of the wallet pages. Amounts are typed in rupees and kept as integer paise."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sahayata.core.money import AMOUNT_PROBLEMS, MAX_AMOUNT_PAISE, AmountError, parse_rupees


class RupeesField(forms.Field):
    """Rupees as typed (1,250 or 1250.50, in either script) → integer paise.

    The same parser and the same messages as the counter's amount fields
    (``core.money.parse_rupees``); the page echoes the amount in words as it is typed.
    """

    widget = forms.TextInput(
        attrs={"inputmode": "decimal", "maxlength": "30", "data-amount": "", "autocomplete": "off"}
    )

    def to_python(self, value: object) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        if len(text) > 30:
            raise forms.ValidationError(AMOUNT_PROBLEMS["not_an_amount"])
        try:
            paise = parse_rupees(text)
        except AmountError as error:
            raise forms.ValidationError(AMOUNT_PROBLEMS[error.code]) from error
        if paise > MAX_AMOUNT_PAISE:
            raise forms.ValidationError(
                _("The amount must be more than zero and at most ₹10 lakh crore.")
            )
        return paise


class TopUpRequestForm(forms.Form):
    amount = RupeesField(label=_("Amount (₹)"))
    bank_reference = forms.CharField(
        label=_("Bank reference (UTR)"),
        max_length=64,
        help_text=_("The reference of the bank transfer that funds this top-up."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class StatementForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        # The DateFields have cleaned both to a date or None.
        date_to = cast(dt.date | None, data.get("date_to")) or timezone.localdate()
        date_from = cast(dt.date | None, data.get("date_from")) or date_to - dt.timedelta(days=29)
        if date_from > date_to:
            raise forms.ValidationError(_("The start date is after the end date."))
        if (date_to - date_from).days >= 366:
            raise forms.ValidationError(_("Choose at most one year at a time."))
        data["date_from"], data["date_to"] = date_from, date_to
        return data

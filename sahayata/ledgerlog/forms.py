"""The receipt-check form of the public log page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReceiptCheckForm(forms.Form):
    application_no = forms.CharField(
        label=_("Application number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    salt = forms.CharField(
        label=_("Log code from the receipt"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_application_no(self) -> str:
        return self.cleaned_data["application_no"].strip().upper()

    def clean_salt(self) -> str:
        return self.cleaned_data["salt"].strip().lower()

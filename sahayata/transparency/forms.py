"""The dashboard's filter form: district, department and a date range, sent by GET."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sahayata.catalogue.models import Department
from sahayata.places.models import District
from sahayata.transparency.selectors import Filters


class FilterForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All districts"),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All departments"),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices show the name in the visitor's language.
        for name in ("district", "department"):
            self.fields[name].label_from_instance = lambda obj: obj.name  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        district, department = data.get("district"), data.get("department")
        return Filters(
            district_id=district.pk if district else None,
            department_id=department.pk if department else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )

"""Admin for staff users, citizens and API tokens.

Users and citizens are created through the services, so that the admin enforces the same
rules as the commands and the API. A clear Aadhaar number is accepted only through a
write-only form field that goes straight to ``citizen_register``/``citizen_update``; it is
never shown, and only the masked form is displayed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from sahayata.audit.admin import AuditedAdmin
from sahayata.core.admin import FONT_CSS, AdminFonts
from sahayata.core.errors import DomainError
from sahayata.people.models import CENTRE_ROLES, ApiToken, Citizen, User
from sahayata.people.roles import staff_user
from sahayata.people.rules import normalise_aadhaar, normalise_mobile
from sahayata.people.services import (
    aadhaar_hash,
    api_token_revoke,
    citizen_register,
    citizen_update,
    user_create,
    user_role_check,
)
from sahayata.people.twofactor import otp_devices_reset


def _adopt(target: Any, source: Any) -> None:
    """Make the admin's unsaved ``target`` stand for the row a service just created."""
    target.__dict__.update({k: v for k, v in source.__dict__.items() if k != "_state"})
    target._state.adding = False
    target._state.db = source._state.db


class _RoleFormMixin(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("role") in CENTRE_ROLES and cleaned.get("centre") is not None:
            # Centre staff belong to their centre's district: follow the centre.
            cleaned["district"] = cleaned["centre"].district
            self.instance.district = cleaned["district"]
        try:
            user_role_check(
                cleaned.get("role", ""),
                cleaned.get("centre"),
                cleaned.get("department"),
                cleaned.get("district"),
            )
        except DomainError as exc:
            raise forms.ValidationError(str(exc.message)) from None
        return cleaned


class StaffCreationForm(_RoleFormMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = ["username", "role", "centre", "department", "district"]


class StaffChangeForm(_RoleFormMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    class Media:
        css = {"all": FONT_CSS}

    form = StaffChangeForm
    add_form = StaffCreationForm
    list_display = ["username", "get_full_name", "role", "centre", "department", "district",
                    "is_active"]  # fmt: skip
    list_filter = ["role", "is_active", "district"]
    search_fields = ["username", "first_name", "last_name", "email", "centre__code"]
    autocomplete_fields = ["centre", "department", "district"]
    list_select_related = ["centre", "department", "district"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("Role"),
            {"fields": ("role", "centre", "department", "district", "preferred_language")},
        ),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        (_("Role"), {"fields": ("role", "centre", "department", "district")}),
    )

    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor login (a lost phone): set it up again"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = staff_user(request.user)
        done = 0
        for user in queryset:
            if user.pk == actor.pk:
                self.message_user(
                    request,
                    _("Your own two-factor login is reset by another administrator."),
                    level="error",
                )
                continue
            otp_devices_reset(user=user, actor=actor)
            done += 1
        if done:
            self.message_user(request, _("Two-factor login reset; the next login sets it up."))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        user = user_create(
            username=obj.username,
            role=obj.role,
            password_hash=obj.password,
            centre=obj.centre,
            department=obj.department,
            district=obj.district,
            actor=request.user,  # type: ignore[arg-type]
        )
        _adopt(obj, user)


class CitizenForm(forms.ModelForm):
    # Wider than the stored 10 digits: "+91 98300 12345" is accepted and normalised.
    mobile = forms.CharField(label=_("mobile"), max_length=20)
    aadhaar = forms.CharField(
        label=_("Aadhaar number"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Only the masked form (XXXX-XXXX-1234) and a keyed hash are kept. "
            "Leave empty to keep the current one."
        ),
    )

    class Meta:
        model = Citizen
        fields = ["name_en", "name_bn", "mobile", "gender", "date_of_birth", "district"]

    def clean_mobile(self) -> str:
        mobile = normalise_mobile(self.cleaned_data.get("mobile", ""))
        if mobile is None:
            raise forms.ValidationError(_("Enter a 10-digit Indian mobile number."))
        return mobile

    def clean_aadhaar(self) -> str:
        raw = self.cleaned_data.get("aadhaar") or ""
        if not raw:
            return ""
        digits = normalise_aadhaar(raw)
        if digits is None:
            raise forms.ValidationError(_("This is not a valid 12-digit Aadhaar number."))
        others = Citizen.objects.filter(aadhaar_hmac=aadhaar_hash(digits))
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                _("A citizen with this Aadhaar number is already registered.")
            )
        return digits


@admin.register(Citizen)
class CitizenAdmin(AuditedAdmin, AdminFonts):
    form = CitizenForm
    list_display = ["name_en", "name_bn", "mobile", "aadhaar_masked", "district", "created_at"]
    search_fields = ["name_en", "name_bn", "mobile"]
    list_filter = ["gender", "district"]
    readonly_fields = ["aadhaar_masked", "created_at"]
    autocomplete_fields = ["district"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        details = {
            "name_en": data["name_en"],
            "name_bn": data.get("name_bn", ""),
            "mobile": data["mobile"],
            "gender": data.get("gender", ""),
            "date_of_birth": data.get("date_of_birth"),
            "district": data.get("district"),
            "aadhaar": data.get("aadhaar") or None,
        }
        actor = staff_user(request.user)
        citizen = (
            citizen_update(citizen=obj, **details, actor=actor)
            if change
            else citizen_register(**details, actor=actor)
        )
        _adopt(obj, citizen)


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin, AdminFonts):
    list_display = ["prefix", "user", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["prefix", "user__username"]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            api_token_revoke(token=token, actor=request.user)  # type: ignore[arg-type]
        self.message_user(request, _("Tokens revoked."))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# django-otp's own admin pages would show any user's secret (and its QR code) and edit
# devices without an audit event: the reset action above is the only way in the admin.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

"""Creating and editing profiles in the admin.

A profile created here comes with its account, exactly like one imported from a
spreadsheet: the login is the phone number, and the official gets a one-time
password (or a set-password link) shown once on the next page.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.log_actions import log

from elearning import roles
from elearning.imports.officials import (
    ROLE_LABELS,
    Mode,
    OfficialRow,
    create_accounts,
    credential_rows,
    parse_phone,
    set_password_links_available,
)
from elearning.models import Profile, Unit
from elearning.validators import validate_vn_mobile

from .officials_import import CREDENTIALS_SALT, CredentialsForm, sign_for

PROFILE_FIELDS = ["full_name", "phone", "unit", "kind", "position", "birth_year", "national_id"]


class ProfileFormMixin(forms.Form):
    # Longer than the stored 10 digits: "+84 912 345 678" is normalised in clean_phone().
    phone = forms.CharField(label=gettext_lazy("phone"), max_length=20)
    email = forms.EmailField(label=gettext_lazy("email"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.with_related().order_by("name")
        self.fields["phone"].help_text = _("The official logs in with this number.")

    def clean_phone(self):
        phone = parse_phone(self.cleaned_data["phone"])
        validate_vn_mobile(phone)
        user = getattr(self.instance, "user", None) if self.instance.pk else None
        taken = get_user_model().objects.filter(username=phone)
        if user is not None:
            taken = taken.exclude(pk=user.pk)
        if taken.exists():
            raise forms.ValidationError(_("This phone number already has an account."), code="phone_taken")
        return phone

    def clean_national_id(self):
        return self.cleaned_data.get("national_id") or None


class ProfileCreateForm(ProfileFormMixin, WagtailAdminModelForm):
    role = forms.ChoiceField(
        label=gettext_lazy("role"), choices=[(role, ROLE_LABELS[role]) for role in roles.ROLES], initial=roles.LEARNER
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("How the official gets in"),
        choices=Mode.choices,
        initial=Mode.PASSWORD,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Profile
        fields = PROFILE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = Profile.Kind.OFFICIAL
        if not set_password_links_available():
            self.fields["mode"].choices = [(Mode.PASSWORD.value, Mode.PASSWORD.label)]


class ProfileEditForm(ProfileFormMixin, WagtailAdminModelForm):
    class Meta:
        model = Profile
        fields = [*PROFILE_FIELDS, "must_change_password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["email"].initial = self.instance.user.email

    def save(self, commit=True):
        profile = super().save(commit=commit)
        user = profile.user
        changed = []
        if user.email != self.cleaned_data["email"]:
            user.email = self.cleaned_data["email"]
            changed.append("email")
        # The login follows the phone number, unless the account was named otherwise.
        if user.username == self.initial.get("phone") and user.username != profile.phone:
            user.username = profile.phone
            changed.append("username")
        if changed and commit:
            user.save(update_fields=changed)
        return profile


class ProfileCreateView(generic.CreateView):
    """Creates the account with the profile, then shows its password once."""

    def save_instance(self):
        data = self.form.cleaned_data
        row = OfficialRow(
            row_number=1,
            full_name=data["full_name"],
            phone=data["phone"],
            email=data["email"],
            unit=data["unit"],
            position=data["position"],
            role=data["role"],
            kind=data["kind"],
            birth_year=data["birth_year"],
            national_id=data["national_id"],
        )
        self.credentials = create_accounts([row], mode=data["mode"], base_url=self.request.build_absolute_uri("/"))
        instance = Profile.objects.get(phone=row.phone)
        log(instance=instance, action="wagtail.create", user=self.request.user, content_changed=True)
        return instance

    def save_action(self):
        passwords = self.form.cleaned_data["mode"] == Mode.PASSWORD
        response = TemplateResponse(
            self.request,
            "elearning/admin/officials_import_result.html",
            {
                "header_title": _("Account created"),
                "page_title": _("Account created"),
                "header_icon": "user",
                "breadcrumbs_items": [
                    *self.breadcrumbs_items,
                    {"url": reverse(self.index_url_name), "label": _("Profiles")},
                    {"url": "", "label": str(self.object)},
                ],
                "credentials": self.credentials,
                "passwords": passwords,
                "download_form": CredentialsForm(
                    initial={
                        "payload": sign_for(self.request.user, CREDENTIALS_SALT, credential_rows(self.credentials))
                    }
                ),
            },
        )
        response["Cache-Control"] = "private, no-store"
        return response

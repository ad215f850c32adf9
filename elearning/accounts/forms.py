from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from elearning import throttling
from elearning.models import Unit
from elearning.services import accounts as account_services

# At most this many reset e-mails per account per hour, however often it is asked.
PASSWORD_RESET_MAILS_PER_HOUR = 5


class LoginForm(auth_forms.AuthenticationForm):
    """Log in with a phone number (any common format) or a username, behind the login lock."""

    username = auth_forms.UsernameField(
        label=_("Phone number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "tel"}),
    )
    error_messages = {
        "invalid_login": _("Please enter a correct phone number and password."),
        "inactive": _("This account is inactive."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.retry_after = None

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = account_services.authenticate_by_phone(self.request, username, password)
            except throttling.LoginLocked as exc:
                self.retry_after = exc.retry_after
                raise ValidationError(throttling.login_lock_message(exc.retry_after), code="login_locked")
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def get_invalid_login_error(self):
        return ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class RegistrationForm(forms.Form):
    """A citizen signs up; the rules live in :func:`register_citizen`."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=account_services.FULL_NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        help_text=_("Your mobile number, e.g. 0912345678. You log in with it."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=account_services.PASSWORD_MAX_LENGTH,
        help_text=_("At least 8 characters, not only digits, not a common password and not like your phone number."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        max_length=account_services.PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    unit = UnitChoiceField(
        label=_("Commune or unit"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        empty_label=_("— choose —"),
        help_text=_("Where you live or work."),
    )
    birth_year = forms.IntegerField(
        label=_("Birth year"), widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "bday-year"})
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        max_length=account_services.EMAIL_MAX_LENGTH,
        help_text=_("Needed only to reset a forgotten password."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    # Service field name -> form field name.
    service_fields = {"password": "password1"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.open_now().with_related()

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", ValidationError(_("The two passwords do not match."), code="password_mismatch"))
        # The service's checks too (phone taken, birth year, password strength…), so
        # every problem shows at once; fields that already have an error keep only it.
        try:
            account_services.validate_registration(**self._service_data())
        except ValidationError as exc:
            self._add_service_errors(exc, skip_fields_with_errors=True)
        return cleaned

    def _service_data(self):
        data = self.cleaned_data
        return {
            "full_name": data.get("full_name"),
            "phone": data.get("phone"),
            "password": data.get("password1"),
            "unit": data.get("unit"),
            "birth_year": data.get("birth_year"),
            "email": data.get("email", ""),
        }

    def _add_service_errors(self, exc, skip_fields_with_errors=False):
        for field, errors in exc.error_dict.items():
            name = self.service_fields.get(field, field)
            if name not in self.fields:
                name = None
            elif skip_fields_with_errors and (name in self.errors or name not in self.cleaned_data):
                continue
            for error in errors:
                self.add_error(name, error)

    def register(self):
        """Create the account; returns the profile, or ``None`` with the errors added to the form."""
        try:
            return account_services.register_citizen(**self._service_data())
        except ValidationError as exc:  # e.g. the phone was taken a moment ago
            self._add_service_errors(exc)
            return None


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Ask for a set-password link by phone number or e-mail address.

    The page answers the same whether or not an account matches; mail goes only to
    the address stored on the account.
    """

    email = forms.CharField(
        label=_("Phone number or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )

    def get_users(self, email):
        identifier = email.strip()
        User = get_user_model()
        users = User._default_manager.filter(is_active=True).exclude(email="")
        if "@" in identifier:
            users = users.filter(email__iexact=identifier)
        else:
            users = users.filter(username=throttling.canonical_username(identifier))
        for user in users:
            # Each account gets a few mails an hour at most, whoever asks.
            window = throttling.hit(f"password-reset:{user.pk}", 3600)
            if window.count <= PASSWORD_RESET_MAILS_PER_HOUR:
                yield user

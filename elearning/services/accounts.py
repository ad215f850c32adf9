"""Accounts: citizen self-registration and login, shared by the pages and the API."""

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from elearning import throttling
from elearning.models import Profile, Unit
from elearning.validators import normalize_phone, validate_birth_year, validate_vn_mobile

FULL_NAME_MAX_LENGTH = Profile._meta.get_field("full_name").max_length
EMAIL_MAX_LENGTH = 254
PASSWORD_MAX_LENGTH = 256

PHONE_TAKEN = _("An account with this phone number already exists.")
UNIT_NOT_OPEN = _("Choose a unit that is open for registration.")


def _error(message, code, **params):
    return ValidationError(message, code=code, params=params or None)


def _too_long(limit):
    return _error(_("Ensure this value has at most %(limit_value)d characters."), "max_length", limit_value=limit)


def _phone_taken(phone):
    User = get_user_model()
    return User.objects.filter(username=phone).exists() or Profile.objects.filter(phone=phone).exists()


def _clean_full_name(value, errors):
    full_name = " ".join(str(value or "").split())
    if not full_name:
        errors["full_name"] = [_error(_("Enter your full name."), "required")]
    elif len(full_name) > FULL_NAME_MAX_LENGTH:
        errors["full_name"] = [_too_long(FULL_NAME_MAX_LENGTH)]
    return full_name


def _clean_phone(value, errors):
    phone = normalize_phone(value)
    try:
        validate_vn_mobile(phone)
    except ValidationError as exc:
        errors["phone"] = exc.error_list
        return phone
    if _phone_taken(phone):
        errors["phone"] = [_error(PHONE_TAKEN, "phone_taken")]
    return phone


def _clean_email(value, errors):
    email = str(value or "").strip()
    if not email:
        return ""
    if len(email) > EMAIL_MAX_LENGTH:
        errors["email"] = [_too_long(EMAIL_MAX_LENGTH)]
        return email
    try:
        validate_email(email)
    except ValidationError as exc:
        errors["email"] = exc.error_list
        return email
    return get_user_model().objects.normalize_email(email)


def _clean_birth_year(value, errors):
    if value is None or value == "":
        errors["birth_year"] = [_error(_("Enter your birth year."), "required")]
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors["birth_year"] = [_error(_("Enter a whole number."), "invalid")]
        return None
    try:
        validate_birth_year(value)
    except ValidationError as exc:
        errors["birth_year"] = exc.error_list
    return value


def _clean_unit(value, errors):
    code = value.code if isinstance(value, Unit) else str(value or "").strip()
    unit = Unit.objects.open_now().filter(code=code).first() if code else None
    if unit is None:
        errors["unit"] = [_error(UNIT_NOT_OPEN, "unit_not_open")]
    return unit


def _clean_password(password, user, errors):
    if not password:
        errors["password"] = [_error(_("Enter a password."), "required")]
    elif len(password) > PASSWORD_MAX_LENGTH:
        errors["password"] = [_too_long(PASSWORD_MAX_LENGTH)]
    else:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            errors["password"] = exc.error_list


def validate_registration(*, full_name, phone, password, unit, birth_year, email=""):
    """Check a registration without writing anything; returns the cleaned values.

    Raises :class:`ValidationError` with a message list for every bad field at once.
    """
    errors = {}
    cleaned = {
        "full_name": _clean_full_name(full_name, errors),
        "phone": _clean_phone(phone, errors),
        "email": _clean_email(email, errors),
        "birth_year": _clean_birth_year(birth_year, errors),
        "unit": _clean_unit(unit, errors),
    }
    user = get_user_model()(username=cleaned["phone"], email=cleaned["email"])
    _clean_password(password, user, errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def register_citizen(*, full_name, phone, password, unit, birth_year, email=""):
    """Create a citizen's account and profile; returns the :class:`Profile`.

    ``phone`` may be written in any common format (it becomes the username, normalised);
    ``unit`` is a :class:`Unit` or a unit code, and must be open for registration today.
    Bad input raises :class:`ValidationError` with a message list per field and
    changes nothing — a phone registered by someone else, even a split second
    earlier in a parallel request, is an error on ``phone``.
    """
    cleaned = validate_registration(
        full_name=full_name, phone=phone, password=password, unit=unit, birth_year=birth_year, email=email
    )
    user = get_user_model()(username=cleaned["phone"], email=cleaned["email"])
    user.set_password(password)  # hash outside the transaction: it is the slow part
    try:
        with transaction.atomic():
            user.save()
            profile = Profile.objects.create(
                user=user,
                full_name=cleaned["full_name"],
                unit=cleaned["unit"],
                kind=Profile.Kind.CITIZEN,
                phone=cleaned["phone"],
                birth_year=cleaned["birth_year"],
            )
    except IntegrityError:
        # Another registration of this phone won the race between our check and insert.
        user.pk = None
        raise ValidationError({"phone": [_error(PHONE_TAKEN, "phone_taken")]})
    return profile


def authenticate_by_phone(request, username, password):
    """Check a phone number (any common format) or username and a password.

    Returns the user, or ``None`` for wrong credentials (counted against the account,
    known or not). Raises :class:`elearning.throttling.LoginLocked` while the account is
    locked — even when the password is right.
    """
    username = throttling.canonical_username(username)
    throttling.check_login_allowed(username)
    return authenticate(request, username=username, password=password)

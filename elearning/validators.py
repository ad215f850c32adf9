"""Validators and normalisers for Vietnamese personal data."""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Mobile numbers: 10 digits, 0 + a carrier prefix 3/5/7/8/9 (after the 2018 renumbering).
_MOBILE_RE = re.compile(r"^0[35789]\d{8}$")
# Citizen identity card (CCCD): 12 digits; the old ID card (CMND): 9 digits.
_NATIONAL_ID_RE = re.compile(r"^(\d{9}|\d{12})$")


def normalize_phone(value):
    """'+84 912 345 678', '84912345678', '0912.345.678' -> '0912345678'."""
    if value is None:
        return ""
    digits = re.sub(r"[\s.\-()]", "", str(value).strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def validate_vn_mobile(value):
    if not _MOBILE_RE.match(value or ""):
        raise ValidationError(
            _("Enter a Vietnamese mobile number of 10 digits, e.g. 0912345678."), code="invalid_phone"
        )


def validate_national_id(value):
    if value and not _NATIONAL_ID_RE.match(value):
        raise ValidationError(_("A national ID number has 12 digits (or 9 on an old card)."), code="invalid_national_id")


def validate_birth_year(value):
    this_year = timezone.localdate().year
    if value is not None and not (this_year - 100 <= value <= this_year - 14):
        raise ValidationError(
            _("Enter a birth year between %(low)s and %(high)s.") % {"low": this_year - 100, "high": this_year - 14},
            code="invalid_birth_year",
        )

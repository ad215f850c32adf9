"""Import officials' accounts from a spreadsheet, all or nothing.

Columns (DESIGN.md, "Files people bring"; Vietnamese headers accepted too):
``full_name``, ``phone``, ``email``, ``unit_code``, ``position``, ``role``.

Every row is checked first; if any row is bad, nothing is written and the
report names each bad row and why. Otherwise each row becomes a ``User``
(username: the normalised phone), a ``Profile`` (kind official) and a member
of its role group. No account gets a shared default password: each gets a
random one-time password that must be changed at first login, or (``Mode.LINK``)
no password and a set-password link.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from anyascii import anyascii
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearning import roles
from elearning.models import Profile, Unit
from elearning.spreadsheets import read_rows
from elearning.validators import normalize_phone, validate_vn_mobile

from .passwords import generate_one_time_password, hash_one_time_password

COLUMNS = {
    "full_name": {"Họ và tên", "Họ tên", "Full name", "Name"},
    "phone": {"Số điện thoại", "Điện thoại", "SĐT", "Phone number", "Mobile"},
    "email": {"Email", "E-mail", "Thư điện tử"},
    "unit_code": {"Mã đơn vị", "Unit code", "Unit"},
    "position": {"Chức vụ", "Chức danh"},
    "role": {"Vai trò"},
}
REQUIRED_COLUMNS = ("full_name", "phone", "unit_code")

# What people write in the role column -> the role group.
ROLE_NAMES = {
    roles.LEARNER: {"Learner", "Học viên"},
    roles.TRAINER: {"Trainer", "Giảng viên"},
    roles.REVIEWER: {"Reviewer", "Biên tập", "Ban biên tập", "Biên tập viên"},
    roles.ORGANIZER: {"Organizer", "Ban tổ chức"},
}
ROLE_LABELS = {
    roles.LEARNER: gettext_lazy("Learner"),
    roles.TRAINER: gettext_lazy("Trainer"),
    roles.REVIEWER: gettext_lazy("Reviewer"),
    roles.ORGANIZER: gettext_lazy("Organizer"),
}
DEFAULT_ROLE = roles.LEARNER
FULL_NAME_MAX_LENGTH = Profile._meta.get_field("full_name").max_length
POSITION_MAX_LENGTH = Profile._meta.get_field("position").max_length
# Excel drops the leading zero of a phone typed as a number: 912345678.
_PHONE_WITHOUT_ZERO = re.compile(r"^[35789]\d{8}$")
_QUERY_CHUNK = 500


class Mode(models.TextChoices):
    PASSWORD = "password", gettext_lazy("One-time passwords (must be changed at first login)")
    LINK = "link", gettext_lazy("Set-password links (no password until the official sets one)")


def _key(text):
    text = unicodedata.normalize("NFC", str(text))
    return " ".join(text.split()).casefold()


_ROLE_LOOKUP = {}
for _role, _names in ROLE_NAMES.items():
    for _name in (_role, *_names):
        _ROLE_LOOKUP.setdefault(_key(_name), _role)
        _ROLE_LOOKUP.setdefault(anyascii(_key(_name)), _role)


def parse_role(text):
    """'Giảng viên', 'giang vien', 'Trainer' -> roles.TRAINER; '' -> the default; None if unknown."""
    if not text.strip():
        return DEFAULT_ROLE
    return _ROLE_LOOKUP.get(_key(text)) or _ROLE_LOOKUP.get(anyascii(_key(text)))


def parse_phone(text):
    phone = normalize_phone(text)
    if _PHONE_WITHOUT_ZERO.match(phone):
        phone = "0" + phone
    return phone


@dataclass
class OfficialRow:
    """One spreadsheet row, cleaned, with what is wrong with it."""

    row_number: int
    full_name: str = ""
    phone: str = ""
    email: str = ""
    unit_code: str = ""
    position: str = ""
    role: str = DEFAULT_ROLE
    kind: str = Profile.Kind.OFFICIAL
    birth_year: int | None = None
    national_id: str | None = None
    raw: dict = field(default_factory=dict)
    unit: Unit | None = None
    errors: list = field(default_factory=list)
    phone_valid: bool = False

    @property
    def role_label(self):
        return ROLE_LABELS.get(self.role, self.raw.get("role", ""))


@dataclass
class ImportReport:
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    """Errors about the import as a whole, not one row."""

    @property
    def bad_rows(self):
        return [row for row in self.rows if row.errors]

    @property
    def ok(self):
        return bool(self.rows) and not self.bad_rows and not self.problems

    def error_lines(self):
        lines = list(self.problems)
        for row in self.bad_rows:
            lines.extend(_("Row %(row)s: %(error)s") % {"row": row.row_number, "error": error} for error in row.errors)
        return lines


@dataclass
class Credential:
    """What an organizer hands to one new account holder."""

    full_name: str
    phone: str
    unit: str
    role: str
    password: str = ""
    link: str = ""


class ImportRefused(Exception):
    """Nothing was written; ``report`` says why."""

    def __init__(self, report):
        super().__init__("; ".join(str(line) for line in report.error_lines()))
        self.report = report


def read_officials(fileobj):
    """The raw rows ``[(row_number, {column: text})]``; raises ``SpreadsheetError``."""
    return read_rows(fileobj, COLUMNS, required=REQUIRED_COLUMNS).rows


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), _QUERY_CHUNK):
        yield values[start : start + _QUERY_CHUNK]


def _registered_phones(phones):
    User = get_user_model()
    taken = set()
    for chunk in _chunks(phones):
        taken.update(Profile.objects.filter(phone__in=chunk).values_list("phone", flat=True))
        taken.update(User.objects.filter(username__in=chunk).values_list("username", flat=True))
    return taken


def _units_by_code(codes):
    units = {}
    wanted = {code for code in codes if code}
    for chunk in _chunks(wanted | {code.lower() for code in wanted}):
        units.update((unit.code, unit) for unit in Unit.objects.filter(code__in=chunk))
    return units


def _clean_row(row_number, raw):
    row = OfficialRow(row_number=row_number, raw=dict(raw))
    row.full_name = " ".join(raw.get("full_name", "").split())
    row.phone = parse_phone(raw.get("phone", ""))
    row.email = raw.get("email", "").strip()
    row.unit_code = raw.get("unit_code", "").strip()
    row.position = " ".join(raw.get("position", "").split())
    errors = row.errors

    if not row.full_name:
        errors.append(_("the full name is missing."))
    elif len(row.full_name) > FULL_NAME_MAX_LENGTH:
        errors.append(_("the full name is longer than %(max)s characters.") % {"max": FULL_NAME_MAX_LENGTH})

    if not raw.get("phone", "").strip():
        errors.append(_("the phone number is missing."))
    else:
        try:
            validate_vn_mobile(row.phone)
            row.phone_valid = True
        except ValidationError as error:
            errors.append(
                _("phone “%(phone)s”: %(error)s") % {"phone": raw.get("phone", ""), "error": " ".join(error.messages)}
            )

    if row.email:
        row.email = get_user_model().objects.normalize_email(row.email)
        try:
            validate_email(row.email)
        except ValidationError:
            errors.append(_("“%(email)s” is not a valid email address.") % {"email": row.email})

    if not row.unit_code:
        errors.append(_("the unit code is missing."))

    if len(row.position) > POSITION_MAX_LENGTH:
        errors.append(_("the position is longer than %(max)s characters.") % {"max": POSITION_MAX_LENGTH})

    role = parse_role(raw.get("role", ""))
    if role is None:
        errors.append(
            _("unknown role “%(role)s”; use one of: %(choices)s.")
            % {
                "role": raw.get("role", ""),
                "choices": ", ".join(f"{name} / {sorted(ROLE_NAMES[name] - {name})[0]}" for name in roles.ROLES),
            }
        )
    else:
        row.role = role
    return row


def validate_rows(raw_rows, *, today=None):
    """Check every row against the others and the database; write nothing."""
    today = today or timezone.localdate()
    report = ImportReport(rows=[_clean_row(number, raw) for number, raw in raw_rows])
    if not report.rows:
        report.problems.append(_("The spreadsheet has no officials in it."))
        return report

    first_row_of_phone = {}
    for row in report.rows:
        if not row.phone_valid:
            continue
        if row.phone in first_row_of_phone:
            row.errors.append(
                _("phone %(phone)s is also on row %(other)s.")
                % {"phone": row.phone, "other": first_row_of_phone[row.phone]}
            )
        else:
            first_row_of_phone[row.phone] = row.row_number

    registered = _registered_phones(first_row_of_phone)
    units = _units_by_code(row.unit_code for row in report.rows)
    for row in report.rows:
        if row.phone in registered and first_row_of_phone.get(row.phone) == row.row_number:
            row.errors.append(_("phone %(phone)s already has an account.") % {"phone": row.phone})
        if row.unit_code:
            unit = units.get(row.unit_code) or units.get(row.unit_code.lower())
            if unit is None:
                row.errors.append(_("unknown unit code “%(code)s”.") % {"code": row.unit_code})
            elif not unit.is_open_on(today):
                row.errors.append(
                    _("unit “%(code)s” (%(name)s) is closed.") % {"code": row.unit_code, "name": unit.name}
                )
            else:
                row.unit = unit
    return report


def set_password_links_available():
    try:
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "set-password"})
    except NoReverseMatch:
        return False
    return True


def set_password_path(user):
    """The path of the page where ``user`` chooses a password (Django's reset-confirm view)."""
    return reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def import_officials(raw_rows, *, mode=Mode.PASSWORD, base_url="", dry_run=False):
    """Validate and create every account, or none.

    Returns ``(report, credentials)``; raises :class:`ImportRefused` when any row
    is bad (nothing written). ``base_url`` prefixes set-password links.
    With ``dry_run`` the accounts are created and rolled back: the report is
    exactly what a real import would say.
    """
    if mode == Mode.LINK and not set_password_links_available():
        report = ImportReport()
        report.problems.append(_("Set-password links are not available on this site yet; use one-time passwords."))
        raise ImportRefused(report)
    try:
        with transaction.atomic():
            report = validate_rows(raw_rows)
            if not report.ok:
                raise ImportRefused(report)
            credentials = create_accounts(report.rows, mode=mode, base_url=base_url)
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError:
        # Someone registered one of these phones while we were writing.
        report = validate_rows(raw_rows)
        if report.ok:
            report.problems.append(_("The accounts could not be saved; nothing was imported. Try again."))
        raise ImportRefused(report)
    return report, credentials


def create_accounts(rows, *, mode=Mode.PASSWORD, base_url=""):
    """Create a user, profile and role membership per :class:`OfficialRow` (already validated).

    Call inside a transaction. Users are inserted in bulk: no ``post_save`` signal fires.
    """
    User = get_user_model()
    passwords = {}
    users = []
    for row in rows:
        user = User(username=row.phone, email=row.email, is_active=True)
        if mode == Mode.PASSWORD:
            passwords[row.phone] = generate_one_time_password()
            user.password = hash_one_time_password(passwords[row.phone])
        else:
            user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=_QUERY_CHUNK)
    if any(user.pk is None for user in users):  # backends that cannot return ids from a bulk insert
        ids = {}
        for chunk in _chunks(row.phone for row in rows):
            ids.update(User.objects.filter(username__in=chunk).values_list("username", "pk"))
        for user in users:
            user.pk = user.id = ids[user.username]

    Profile.objects.bulk_create(
        [
            Profile(
                user=user,
                full_name=row.full_name,
                unit=row.unit,
                kind=row.kind,
                position=row.position,
                phone=row.phone,
                birth_year=row.birth_year,
                national_id=row.national_id or None,
                must_change_password=mode == Mode.PASSWORD,
            )
            for row, user in zip(rows, users, strict=True)
        ],
        batch_size=_QUERY_CHUNK,
    )
    groups = {group.name: group for group in Group.objects.filter(name__in={row.role for row in rows})}
    for role in {row.role for row in rows} - set(groups):
        groups[role] = Group.objects.create(name=role)
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=user.pk, group_id=groups[row.role].pk) for row, user in zip(rows, users, strict=True)],
        batch_size=_QUERY_CHUNK,
    )

    credentials = []
    for row, user in zip(rows, users, strict=True):
        credential = Credential(
            full_name=row.full_name,
            phone=row.phone,
            unit=row.unit.name if row.unit else "",
            role=str(row.role_label),
        )
        if mode == Mode.PASSWORD:
            credential.password = passwords[row.phone]
        else:
            credential.link = base_url.rstrip("/") + set_password_path(user)
        credentials.append(credential)
    return credentials


def credential_headers():
    return [_("Full name"), _("Phone (login)"), _("Unit"), _("Role"), _("One-time password"), _("Set-password link")]


def credential_rows(credentials):
    return [[c.full_name, c.phone, c.unit, c.role, c.password, c.link] for c in credentials]

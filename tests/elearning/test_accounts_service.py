"""register_citizen(): the rules shared by the registration page and the API."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from elearning.models import Profile
from elearning.services import accounts
from tests.factories.elearning import ProfileFactory, UnitFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
GOOD_PASSWORD = "Hoa-Yen-Trach-2018"


def register(**overrides):
    data = {
        "full_name": "  Nguyễn   Thị Hoa ",
        "phone": "+84 912 345 678",
        "password": GOOD_PASSWORD,
        "unit": None,
        "birth_year": 1990,
        "email": "Hoa@Example.VN",
    }
    data.update(overrides)
    if data["unit"] is None:
        data["unit"] = UnitFactory(code="xa-yen-trach").code
    return accounts.register_citizen(**data)


def codes(exc):
    return {field: [error.code for error in errors] for field, errors in exc.error_dict.items()}


def field_errors(excinfo):
    return codes(excinfo.value)


def test_creates_a_citizen_whose_username_is_the_normalised_phone():
    profile = register()
    user = User.objects.get(username="0912345678")
    assert profile.user == user
    assert user.check_password(GOOD_PASSWORD)
    assert user.email == "Hoa@example.vn"
    assert (profile.full_name, profile.phone, profile.kind, profile.birth_year, profile.unit.code) == (
        "Nguyễn Thị Hoa",
        "0912345678",
        Profile.Kind.CITIZEN,
        1990,
        "xa-yen-trach",
    )
    assert not profile.must_change_password


def test_a_unit_instance_is_accepted_too():
    unit = UnitFactory()
    assert register(unit=unit).unit == unit


def test_every_bad_field_is_reported_at_once_and_nothing_is_written():
    UnitFactory(code="xa-cu", valid_to=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError) as excinfo:
        register(full_name=" ", phone="12345", password="123", unit="xa-cu", birth_year=1800, email="not-an-email")
    errors = field_errors(excinfo)
    assert errors["full_name"] == ["required"]
    assert errors["phone"] == ["invalid_phone"]
    assert errors["unit"] == ["unit_not_open"]
    assert errors["birth_year"] == ["invalid_birth_year"]
    assert errors["email"] == ["invalid"]
    assert "password_too_short" in errors["password"]
    assert not User.objects.exists() and not Profile.objects.exists()


@pytest.mark.parametrize("phone", ["0912345678", "+84912345678", "84 912 345 678", "0912.345.678"])
def test_a_phone_already_registered_in_any_format_is_a_phone_error(phone):
    ProfileFactory(user__username="0912345678", phone="0912345678")
    with pytest.raises(ValidationError) as excinfo:
        register(phone=phone)
    assert field_errors(excinfo) == {"phone": ["phone_taken"]}
    assert User.objects.count() == 1


def test_a_username_taken_by_an_account_without_profile_is_a_phone_error():
    User.objects.create_user("0912345678", password=GOOD_PASSWORD)
    with pytest.raises(ValidationError) as excinfo:
        register()
    assert field_errors(excinfo) == {"phone": ["phone_taken"]}


def test_losing_the_race_to_a_parallel_registration_is_a_phone_error(monkeypatch):
    # The other request inserted the same phone after our check: the database refuses.
    ProfileFactory(user__username="0912345678", phone="0912345678")
    monkeypatch.setattr(accounts, "_phone_taken", lambda phone: False)
    unit = UnitFactory()
    with pytest.raises(ValidationError) as excinfo:
        register(unit=unit)
    assert field_errors(excinfo) == {"phone": ["phone_taken"]}
    assert User.objects.count() == 1 and Profile.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_parallel_registrations_of_one_phone_make_one_account():
    if connection.vendor != "postgresql":
        pytest.skip("needs real parallel transactions (PostgreSQL)")
    unit = UnitFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(name):
        try:
            barrier.wait(timeout=10)
            register(full_name=name, unit=unit)
            outcomes.append("created")
        except ValidationError as exc:
            outcomes.append(codes(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(name,)) for name in ("Một", "Hai")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=str) == sorted(["created", {"phone": ["phone_taken"]}], key=str)
    assert Profile.objects.filter(phone="0912345678").count() == 1


def test_password_validators_apply_including_similarity_to_the_phone():
    unit = UnitFactory()
    for password, code in [
        ("12345678901", "password_entirely_numeric"),
        ("password123", "password_too_common"),
        ("0912345678a", "password_too_similar"),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            register(password=password, unit=unit)
        assert code in field_errors(excinfo)["password"]


def test_unknown_unit_and_missing_birth_year_are_errors():
    with pytest.raises(ValidationError) as excinfo:
        register(unit="khong-co", birth_year=None)
    errors = field_errors(excinfo)
    assert errors == {"unit": ["unit_not_open"], "birth_year": ["required"]}


def test_a_unit_not_yet_open_is_refused():
    UnitFactory(code="xa-moi", valid_from=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ValidationError) as excinfo:
        register(unit="xa-moi")
    assert field_errors(excinfo) == {"unit": ["unit_not_open"]}


def test_email_is_optional():
    profile = register(email="")
    assert profile.user.email == ""

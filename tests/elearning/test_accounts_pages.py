"""Account pages: log in and out, register, change a password (and must-change), reset it."""

import copy
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from elearning.models import Profile
from tests.factories.elearning import ProfileFactory, UnitFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Mat-khau-2018"  # the factories' password
NEW_PASSWORD = "Cai-cach-hanh-chinh-2025"
LOGIN = "/accounts/login/"


@pytest.fixture
def person():
    return ProfileFactory(user__username="0912345678", phone="0912345678", user__email="hoa@example.vn")


def logged_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def errors_of(response, field):
    """The inline error messages shown under ``field``."""
    html = response.content.decode()
    match = re.search(rf'<ul class="errorlist"[^>]*id="id_{field}_error"[^>]*>(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


# --- Log in -------------------------------------------------------------------------


def test_the_login_page_is_in_vietnamese(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html and "Số điện thoại" in html
    assert reverse("password_reset") in html and reverse("register") in html


@pytest.mark.parametrize("typed", ["0912345678", "+84 912 345 678", "84912345678", "0912.345.678"])
def test_log_in_with_the_phone_in_any_common_format(client, person, typed):
    response = client.post(LOGIN, {"username": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == settings.LOGIN_REDIRECT_URL
    assert logged_in_user(client) == person.user


def test_the_session_is_rotated_at_login(client, person):
    client.get(LOGIN)
    client.cookies["sessionid"] = "attacker-chosen-key"
    client.post(LOGIN, {"username": "0912345678", "password": PASSWORD})
    assert client.cookies["sessionid"].value != "attacker-chosen-key"


def test_a_wrong_password_shows_an_error_and_logs_nobody_in(client, person):
    response = client.post(LOGIN, {"username": "0912345678", "password": "wrong"})
    assert response.status_code == 200
    assert "Vui lòng nhập đúng số điện thoại và mật khẩu." in response.content.decode()
    assert logged_in_user(client) is None


def test_a_known_and_an_unknown_account_get_the_same_page(client, person):
    known = client.post(LOGIN, {"username": "0912345678", "password": "wrong"})
    unknown = client.post(LOGIN, {"username": "0987654321", "password": "wrong"})
    assert known.status_code == unknown.status_code
    strip = lambda response: re.sub(r'value="[^"]*"', "", response.content.decode())  # noqa: E731
    assert strip(known) == strip(unknown)


@pytest.mark.parametrize("target", ["/accounts/password/change/", "/tin-tuc/?page=2"])
def test_next_is_followed_when_it_stays_on_the_site(client, person, target):
    response = client.post(LOGIN, {"username": "0912345678", "password": PASSWORD, "next": target})
    assert response["Location"] == target


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "http://testserver.evil.example/", "javascript:alert(1)"]
)
def test_an_unsafe_next_is_ignored(client, person, target):
    response = client.post(LOGIN, {"username": "0912345678", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == settings.LOGIN_REDIRECT_URL


def test_ten_wrong_passwords_pause_logging_in_with_a_clear_message(client, person):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert client.post(LOGIN, {"username": "0912345678", "password": "wrong"}).status_code == 200
    response = client.post(LOGIN, {"username": "+84912345678", "password": PASSWORD})
    assert response.status_code == 429
    assert settings.LOGIN_FAILURE_WINDOW - 10 <= int(response["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW
    html = response.content.decode()
    assert "Tài khoản này đã nhập sai mật khẩu quá nhiều lần" in html
    assert "15 phút" in html
    assert logged_in_user(client) is None
    other = ProfileFactory(user__username="0987654321", phone="0987654321")
    assert client.post(LOGIN, {"username": "0987654321", "password": PASSWORD}).status_code == 302
    assert logged_in_user(client) == other.user


# --- Log out ------------------------------------------------------------------------


def test_logins_from_one_network_are_limited_generously(client, person):
    rest = copy.deepcopy(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"]["token_ip"] = "2/hour"
    with override_settings(REST_FRAMEWORK=rest):
        for _ in range(2):
            client.post(LOGIN, {"username": "0987654321", "password": "wrong"})
        response = client.post(LOGIN, {"username": "0912345678", "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 3500
    assert "Mạng của bạn đã gửi quá nhiều yêu cầu" in response.content.decode()
    assert logged_in_user(client) is None


def test_log_out_is_post_only(client, person):
    client.force_login(person.user)
    assert client.get("/accounts/logout/").status_code == 405
    assert logged_in_user(client) == person.user
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert logged_in_user(client) is None


# --- Register -----------------------------------------------------------------------


@pytest.fixture
def units():
    today = timezone.localdate()
    return {
        "open": UnitFactory(code="xa-yen-trach", name="Xã Yên Trạch"),
        "closed": UnitFactory(code="xa-cu", name="Xã Cũ Đã Sáp Nhập", valid_to=today - timezone.timedelta(days=1)),
    }


def registration(**overrides):
    data = {
        "full_name": "Nguyễn Thị Hoa",
        "phone": "+84 912 345 678",
        "password1": "Hoa-Yen-Trach-2018",
        "password2": "Hoa-Yen-Trach-2018",
        "unit": "xa-yen-trach",
        "birth_year": "1990",
        "email": "",
    }
    data.update(overrides)
    return data


def test_the_registration_page_offers_only_open_units(client, units):
    response = client.get("/accounts/register/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xã Yên Trạch" in html
    assert "Xã Cũ Đã Sáp Nhập" not in html
    for label in ("Họ và tên", "Số điện thoại", "Năm sinh"):
        assert label in html


def test_registering_creates_a_citizen_and_logs_them_in(client, units):
    response = client.post("/accounts/register/", registration())
    assert response.status_code == 302
    profile = Profile.objects.get(phone="0912345678")
    assert (profile.kind, profile.unit.code, profile.birth_year) == (Profile.Kind.CITIZEN, "xa-yen-trach", 1990)
    assert logged_in_user(client) == profile.user
    assert profile.user.username == "0912345678"


def test_registration_follows_a_safe_next_only(client, units):
    response = client.post("/accounts/register/?next=/cuoc-thi/", registration())
    assert response["Location"] == "/cuoc-thi/"
    client.logout()
    response = client.post("/accounts/register/", registration(phone="0912345679", next="https://evil.example/"))
    assert response["Location"] == settings.LOGIN_REDIRECT_URL


def test_registration_errors_are_shown_inline_and_nothing_is_created(client, units):
    ProfileFactory(user__username="0912345678", phone="0912345678")
    response = client.post(
        "/accounts/register/",
        registration(phone="0912 345 678", password2="khac-han", birth_year="1800", unit="xa-cu", full_name=""),
    )
    assert response.status_code == 200
    assert errors_of(response, "phone") == ["Số điện thoại này đã có tài khoản."]
    assert errors_of(response, "password2") == ["Hai mật khẩu không khớp nhau."]
    assert errors_of(response, "unit")
    assert errors_of(response, "full_name")
    assert errors_of(response, "birth_year")  # every problem at once
    assert Profile.objects.count() == 1
    assert logged_in_user(client) is None


def test_a_duplicate_phone_is_an_error_on_the_phone_field(client, units):
    ProfileFactory(user__username="0912345678", phone="0912345678")
    response = client.post("/accounts/register/", registration(phone="0912.345.678"))
    assert response.status_code == 200
    assert errors_of(response, "phone") == ["Số điện thoại này đã có tài khoản."]
    assert Profile.objects.count() == 1


def test_weak_passwords_and_bad_birth_years_are_errors_on_their_fields(client, units):
    response = client.post(
        "/accounts/register/", registration(password1="12345678", password2="12345678", birth_year="1800")
    )
    assert errors_of(response, "password1")
    assert errors_of(response, "birth_year")
    assert not Profile.objects.exists()


def test_someone_logged_in_is_not_asked_to_register(client, person):
    client.force_login(person.user)
    assert client.get("/accounts/register/")["Location"] == settings.LOGIN_REDIRECT_URL


# --- Password change and the one-time password -------------------------------------


def test_change_password(client, person):
    client.force_login(person.user)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    person.user.refresh_from_db()
    assert person.user.check_password(NEW_PASSWORD)
    assert logged_in_user(client) == person.user  # still logged in


def test_password_change_needs_a_login(client):
    response = client.get("/accounts/password/change/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_wrong_old_password_is_an_inline_error(client, person):
    client.force_login(person.user)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert errors_of(response, "old_password")


def test_a_one_time_password_must_be_changed_before_anything_else(client, person):
    Profile.objects.filter(pk=person.pk).update(must_change_password=True)
    response = client.post(LOGIN, {"username": "0912345678", "password": PASSWORD, "next": "/cuoc-thi/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/?next=%2Fcuoc-thi%2F"
    page = client.get(response["Location"])
    assert "Bạn đã đăng nhập bằng mật khẩu dùng một lần" in page.content.decode()

    # Any other page sends them back…
    for path in ("/", "/cuoc-thi/", "/accounts/register/"):
        elsewhere = client.get(path)
        assert elsewhere.status_code == 302
        assert elsewhere["Location"].startswith("/accounts/password/change/?next=")
    # …except logging out, the API and static files.
    assert client.get("/api/v1/units/").status_code == 200

    response = client.post(
        "/accounts/password/change/?next=/cuoc-thi/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "next": "/cuoc-thi/"},
    )
    assert response["Location"] == "/cuoc-thi/"
    person.refresh_from_db()
    assert not person.must_change_password
    assert not client.get("/accounts/password/change/done/").has_header("Location")
    home = client.get("/")
    assert not home.get("Location", "").startswith("/accounts/password/change/")


def test_the_one_time_password_flow_is_not_bypassed_by_the_admin_login(client, person):
    Profile.objects.filter(pk=person.pk).update(must_change_password=True)
    User.objects.filter(pk=person.user.pk).update(is_staff=True, is_superuser=True)
    client.post("/admin/login/", {"username": "0912345678", "password": PASSWORD})
    assert logged_in_user(client) == person.user
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/password/change/")


def test_a_logout_is_allowed_while_the_change_is_pending(client, person):
    Profile.objects.filter(pk=person.pk).update(must_change_password=True)
    client.post(LOGIN, {"username": "0912345678", "password": PASSWORD})
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == settings.LOGOUT_REDIRECT_URL
    assert logged_in_user(client) is None


# --- Password reset -----------------------------------------------------------------


def reset_link(message):
    return re.search(r"https?://testserver(/accounts/reset/\S+/)", message.body).group(1)


@pytest.mark.parametrize("identifier", ["hoa@example.vn", "HOA@Example.vn", "+84 912 345 678"])
def test_reset_by_email_or_phone_sends_a_link_to_the_account_email(client, person, identifier):
    response = client.post("/accounts/password/reset/", {"email": identifier})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hoa@example.vn"]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_reset_answers_the_same_for_unknown_accounts_and_sends_nothing(client, person):
    known = client.post("/accounts/password/reset/", {"email": "hoa@example.vn"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.vn"})
    no_email = client.post("/accounts/password/reset/", {"email": "0987654321"})
    assert known.status_code == unknown.status_code == no_email.status_code == 302
    assert known["Location"] == unknown["Location"] == no_email["Location"]
    assert len(mail.outbox) == 1


def test_reset_mails_are_capped_per_account(client, person):
    for _ in range(8):
        client.post("/accounts/password/reset/", {"email": "hoa@example.vn"})
    assert len(mail.outbox) == 5


def test_the_reset_link_sets_a_password_and_clears_the_one_time_flag(client, person):
    Profile.objects.filter(pk=person.pk).update(must_change_password=True)
    client.post("/accounts/password/reset/", {"email": "hoa@example.vn"})
    link = reset_link(mail.outbox[0])
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("password_reset_complete")
    person.refresh_from_db()
    person.user.refresh_from_db()
    assert person.user.check_password(NEW_PASSWORD)
    assert not person.must_change_password
    assert client.get(link, follow=True).context["validlink"] is False  # used once


def test_an_imported_official_sets_a_first_password_from_the_link(client):
    official = ProfileFactory(user__username="0912345670", phone="0912345670", kind=Profile.Kind.OFFICIAL)
    official.user.set_unusable_password()
    official.user.save()
    link = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(official.user.pk)),
            "token": default_token_generator.make_token(official.user),
        },
    )
    page = client.get(link, follow=True)
    assert page.context["validlink"]
    client.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = client.post(LOGIN, {"username": "0912 345 670", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert logged_in_user(client) == official.user


def test_the_set_password_url_is_stable_for_the_officials_import():
    assert (
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "abc-123"}) == "/accounts/reset/MQ/abc-123/"
    )


def test_a_bad_reset_link_says_so(client):
    response = client.get("/accounts/reset/MQ/not-a-token/", follow=True)
    assert response.status_code == 200
    assert response.context["validlink"] is False

"""POST /api/v1/auth/register/ and /api/v1/auth/token/: shapes, every error, the login lock."""

import copy

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from elearning import throttling
from elearning.models import Profile
from tests.factories.elearning import ProfileFactory, UnitFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
PASSWORD = "Mat-khau-2018"  # the factories' password
LIMIT = settings.LOGIN_FAILURE_LIMIT


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def unit():
    return UnitFactory(code="xa-yen-trach", parent=UnitFactory(code="huyen-phu-luong"))


def payload(**overrides):
    data = {
        "full_name": "Nguyễn Thị Hoa",
        "phone": "+84 912 345 678",
        "password": "Hoa-Yen-Trach-2018",
        "unit": "xa-yen-trach",
        "birth_year": 1990,
        "email": "hoa@example.vn",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not ...}


def assert_error(response, status, code, fields=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    if fields is not None:
        assert set(body["fields"]) == set(fields), body
        for messages in body["fields"].values():
            assert messages and all(isinstance(message, str) and message for message in messages)
    return body


# --- Registration -----------------------------------------------------------------


def test_register_answers_201_with_the_profile(api, unit):
    response = api.post(REGISTER, payload(), format="json")
    assert response.status_code == 201, response.content
    assert response.json() == {
        "full_name": "Nguyễn Thị Hoa",
        "phone": "0912345678",
        "unit": "xa-yen-trach",
        "kind": "citizen",
        "birth_year": 1990,
        "email": "hoa@example.vn",
    }
    user = User.objects.get(username="0912345678")
    assert user.check_password("Hoa-Yen-Trach-2018")
    assert "password" not in response.json()
    assert "sessionid" not in response.cookies  # the API does not log anyone in


def test_register_without_email(api, unit):
    response = api.post(REGISTER, payload(email=...), format="json")
    assert response.status_code == 201
    assert response.json()["email"] == ""


def test_missing_fields_are_listed(api):
    body = assert_error(
        api.post(REGISTER, {}, format="json"),
        400,
        "invalid",
        fields={"full_name", "phone", "password", "unit", "birth_year"},
    )
    assert body["detail"]


def test_duplicate_phone_in_another_format_is_a_phone_error(api, unit):
    ProfileFactory(user__username="0912345678", phone="0912345678")
    body = assert_error(api.post(REGISTER, payload(phone="0912.345.678"), format="json"), 400, "invalid", {"phone"})
    assert Profile.objects.count() == 1
    assert "0912345678" not in str(body)  # the error does not echo personal data


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "0212345678"}, "phone"),  # a landline prefix
        ({"birth_year": 1800}, "birth_year"),
        ({"birth_year": timezone.localdate().year}, "birth_year"),
        ({"birth_year": "abc"}, "birth_year"),
        ({"birth_year": 1990.5}, "birth_year"),
        ({"birth_year": True}, "birth_year"),
        ({"birth_year": 10**30}, "birth_year"),
        ({"unit": "khong-co"}, "unit"),
        ({"password": "123"}, "password"),
        ({"password": "password123"}, "password"),
        ({"password": "0912345678xyz"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"full_name": "   "}, "full_name"),
        ({"full_name": "x" * 151}, "full_name"),
        ({"full_name": {"a": 1}}, "full_name"),
        ({"full_name": None}, "full_name"),
        ({"full_name": "Nguyễn\x00"}, "full_name"),
        ({"phone": ["0912345678"]}, "phone"),
        ({"phone": "0" * 100_000}, "phone"),
        ({"password": "p" * 100_000}, "password"),
        ({"unit": "x" * 100_000}, "unit"),
    ],
)
def test_bad_fields_are_400_with_the_field_named(api, unit, overrides, field):
    assert_error(api.post(REGISTER, payload(**overrides), format="json"), 400, "invalid", {field})
    assert not User.objects.exists()


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=300),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(st.sampled_from(list(payload())), JSON_VALUES, max_size=6) | JSON_VALUES)
def test_no_body_makes_a_server_error(api, unit, body):
    response = api.post(REGISTER, body, format="json")
    assert response.status_code in (201, 400), response.content
    assert "code" in response.json() or response.status_code == 201


def test_a_closed_unit_is_refused(api):
    UnitFactory(code="xa-cu", valid_to=timezone.localdate() - timezone.timedelta(days=1))
    assert_error(api.post(REGISTER, payload(unit="xa-cu"), format="json"), 400, "invalid", {"unit"})


@pytest.mark.parametrize("body", ["{not json", '{"full_name": "A",}', "\xff\xfe", ""])
def test_malformed_json_is_400(api, body):
    response = api.generic("POST", REGISTER, body, content_type="application/json")
    assert_error(response, 400, "parse_error" if body else "invalid")


@pytest.mark.parametrize(
    ("body", "code"),
    [("[]", "invalid"), ('"text"', "invalid"), ("42", "invalid"), ("[1, 2]", "invalid"), ("null", "null")],
)
def test_json_that_is_not_an_object_is_400(api, body, code):
    response = api.generic("POST", REGISTER, body, content_type="application/json")
    assert_error(response, 400, code)


def test_a_form_encoded_body_is_415_json(api, unit):
    response = api.post(REGISTER, payload(), format="multipart")
    assert_error(response, 415, "unsupported_media_type")


def test_wrong_method_is_405_json(api):
    assert_error(api.get(REGISTER), 405, "method_not_allowed")


def test_unknown_api_path_is_a_json_404(api):
    assert_error(api.get("/api/v1/nothing-here/"), 404, "not_found")
    assert_error(api.get("/api/v2/"), 404, "not_found")


def test_registration_is_limited_per_ip_but_generously(api, unit):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    # A whole commune office behind one router: hundreds an hour.
    assert int(rates["register_ip"].split("/")[0]) >= 300 and rates["register_ip"].endswith("hour")
    assert int(rates["token_ip"].split("/")[0]) >= 300 and rates["token_ip"].endswith("hour")
    rest = copy.deepcopy(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"]["register_ip"] = "2/hour"
    with override_settings(REST_FRAMEWORK=rest):
        for phone in ("0912345671", "0912345672"):
            assert api.post(REGISTER, payload(phone=phone), format="json").status_code == 201
        response = api.post(REGISTER, payload(phone="0912345673"), format="json")
        body = assert_error(response, 429, "throttled")
        assert 3500 <= int(response["Retry-After"]) <= 3600
        assert body["detail"] == "Mạng của bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau 60 phút."
        other_network = api.post(REGISTER, payload(phone="0912345674"), format="json", REMOTE_ADDR="10.0.0.9")
        assert other_network.status_code == 201
    assert not User.objects.filter(username="0912345673").exists()


# --- Token --------------------------------------------------------------------------


@pytest.fixture
def account():
    return ProfileFactory(user__username="0912345678", phone="0912345678").user


def test_token_for_the_right_password_in_any_phone_format(api, account):
    response = api.post(TOKEN, {"username": "+84 912 345 678", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=account).key}
    again = api.post(TOKEN, {"username": "0912345678", "password": PASSWORD}, format="json")
    assert again.json() == response.json()
    assert "sessionid" not in response.cookies


def test_the_token_authenticates_api_requests(api, account):
    key = api.post(TOKEN, {"username": "0912345678", "password": PASSWORD}, format="json").json()["token"]
    request = Request(APIRequestFactory().get("/api/v1/", HTTP_AUTHORIZATION=f"Token {key}"))
    user, _token = TokenAuthentication().authenticate(request)
    assert user == account


def test_wrong_password_and_unknown_account_answer_the_same(api, account):
    wrong = api.post(TOKEN, {"username": "0912345678", "password": "wrong-password"}, format="json")
    unknown = api.post(TOKEN, {"username": "0987654321", "password": "wrong-password"}, format="json")
    assert_error(wrong, 400, "invalid_credentials")
    assert wrong.json() == unknown.json()
    assert wrong.status_code == unknown.status_code


def test_an_inactive_account_gets_no_token(api, account):
    account.is_active = False
    account.save()
    assert_error(
        api.post(TOKEN, {"username": "0912345678", "password": PASSWORD}, format="json"), 400, "invalid_credentials"
    )


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "0912345678"},
        {"password": PASSWORD},
        {"username": ["a"], "password": PASSWORD},
        {"username": "0" * 10_000, "password": PASSWORD},
        {"username": "0912345678", "password": "p" * 10_000},
    ],
)
def test_token_field_errors(api, account, body):
    assert_error(api.post(TOKEN, body, format="json"), 400, "invalid")


def test_token_malformed_json(api):
    assert_error(api.generic("POST", TOKEN, "{", content_type="application/json"), 400, "parse_error")


def fail(api, username, times=1):
    for _ in range(times):
        response = api.post(TOKEN, {"username": username, "password": "wrong-password"}, format="json")
        assert response.status_code == 400, response.content
    return response


def test_ten_wrong_passwords_lock_the_account_with_retry_after(api, account):
    fail(api, "0912345678", LIMIT)
    response = api.post(TOKEN, {"username": "0912345678", "password": "still-wrong"}, format="json")
    body = assert_error(response, 429, "throttled")
    assert settings.LOGIN_FAILURE_WINDOW - 10 <= int(response["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW
    assert body["detail"] == (
        "Tài khoản này đã nhập sai mật khẩu quá nhiều lần. Để bảo vệ tài khoản, việc đăng nhập tạm dừng: "
        "vui lòng thử lại sau 15 phút."
    )


def test_the_right_password_does_not_unlock(api, account):
    fail(api, "0912345678", LIMIT)
    response = api.post(TOKEN, {"username": "0912345678", "password": PASSWORD}, format="json")
    assert_error(response, 429, "throttled")
    assert not Token.objects.filter(user=account).exists()


def test_nine_failures_then_the_right_password_works(api, account):
    fail(api, "0912345678", LIMIT - 1)
    assert api.post(TOKEN, {"username": "0912345678", "password": PASSWORD}, format="json").status_code == 200


def test_other_accounts_are_not_affected(api, account):
    other = ProfileFactory(user__username="0987654321", phone="0987654321").user
    fail(api, "0912345678", LIMIT)
    response = api.post(TOKEN, {"username": "0987654321", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=other).key


def test_failures_in_any_phone_format_count_for_one_account(api, account):
    for phone in ["+84912345678", "0912 345 678", "84912345678", "0912.345.678", "0912345678"] * 2:
        fail(api, phone)
    assert_error(api.post(TOKEN, {"username": "0912345678", "password": PASSWORD}, format="json"), 429, "throttled")


def test_unknown_accounts_lock_the_same_way(api):
    fail(api, "0987654321", LIMIT)
    response = api.post(TOKEN, {"username": "0987654321", "password": "x"}, format="json")
    assert_error(response, 429, "throttled")
    assert response["Retry-After"]


def test_failures_counted_by_another_worker_lock_this_one(api, account, monkeypatch):
    other_worker = throttling.caches.create_connection(throttling.THROTTLE_CACHE)
    monkeypatch.setattr(throttling, "_cache", lambda: other_worker)
    for _ in range(LIMIT):
        throttling.record_login_failure("0912345678")
    monkeypatch.undo()
    assert_error(api.post(TOKEN, {"username": "0912345678", "password": PASSWORD}, format="json"), 429, "throttled")


def test_the_lock_also_holds_on_the_login_page_and_the_admin(api, client, account):
    fail(api, "0912345678", LIMIT)
    assert client.post("/accounts/login/", {"username": "0912345678", "password": PASSWORD}).status_code == 429
    account.is_staff = account.is_superuser = True
    account.save()
    client.post("/admin/login/", {"username": "0912345678", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_token_is_limited_per_ip(api, account):
    rest = copy.deepcopy(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"]["token_ip"] = "3/hour"
    with override_settings(REST_FRAMEWORK=rest):
        for _ in range(3):
            api.post(TOKEN, {"username": "0912345678", "password": PASSWORD}, format="json")
        response = api.post(TOKEN, {"username": "0912345678", "password": PASSWORD}, format="json")
        assert_error(response, 429, "throttled")
        assert int(response["Retry-After"]) > 0


# --- OpenAPI ------------------------------------------------------------------------


def test_the_schema_documents_the_auth_and_units_endpoints(api):
    response = api.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    register = schema["paths"]["/api/v1/auth/register/"]["post"]
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    units = schema["paths"]["/api/v1/units/"]["get"]

    def ref(operation, status):
        return operation["responses"][status]["content"]["application/json"]["schema"]

    assert ref(register, "201") == {"$ref": "#/components/schemas/Profile"}
    assert ref(register, "400") == ref(token, "400") == ref(token, "429") == {"$ref": "#/components/schemas/Error"}
    assert ref(token, "200") == {"$ref": "#/components/schemas/Token"}
    assert ref(units, "200") == {"type": "array", "items": {"$ref": "#/components/schemas/Unit"}}
    components = schema["components"]["schemas"]
    assert set(components["Profile"]["properties"]) == {"full_name", "phone", "unit", "kind", "birth_year", "email"}
    assert set(components["Unit"]["properties"]) == {"code", "name", "kind", "parent"}
    assert set(components["Error"]["properties"]) == {"detail", "code", "fields"}
    request = register["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(components[request]["required"]) == {"full_name", "phone", "password", "unit", "birth_year"}
    assert components[request]["properties"]["password"]["writeOnly"] is True
    assert "security" not in register or register["security"] in ([], [{}])

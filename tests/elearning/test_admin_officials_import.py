"""Officials import in the admin: upload -> preview -> confirm -> result -> credentials."""

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from elearning import roles
from elearning.admin_views.officials_import import CREDENTIALS_SALT, ROWS_SALT, sign_for
from elearning.models import Profile
from tests.factories.elearning import OfficialFactory, UnitFactory, user_with_role
from tests.factories.spreadsheets import xlsx_upload

pytestmark = pytest.mark.django_db
User = get_user_model()

IMPORT_URL = "/admin/people/officials-import/"
CONFIRM_URL = IMPORT_URL + "confirm/"
CREDENTIALS_URL = IMPORT_URL + "credentials/"
HEADER = ["Họ và tên", "Số điện thoại", "Email", "Mã đơn vị", "Chức vụ", "Vai trò"]


@pytest.fixture
def units():
    return [UnitFactory(code="xa-yen-trach", name="Xã Yên Trạch"), UnitFactory(code="xa-on-luong", name="Xã Ôn Lương")]


@pytest.fixture
def organizer(client):
    user = user_with_role(roles.ORGANIZER)
    client.force_login(user)
    return user


GOOD_ROWS = [
    ["Nguyễn Văn An", "0912345678", "an@phuluong.gov.vn", "xa-yen-trach", "Chủ tịch", "Học viên"],
    ["Trần Thị Bình", "0987654321", "", "xa-on-luong", "Công chức Tư pháp", "Giảng viên"],
]


def upload(client, *rows, mode="password"):
    return client.post(IMPORT_URL, {"file": xlsx_upload(HEADER, *rows), "mode": mode})


def test_urls_are_named():
    assert reverse("elearning_officials_import") == IMPORT_URL
    assert reverse("elearning_officials_import_confirm") == CONFIRM_URL
    assert reverse("elearning_officials_import_credentials") == CREDENTIALS_URL


def test_upload_page_renders(client, organizer):
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()
    assert "Mã đơn vị" in response.content.decode()


def test_full_flow_upload_preview_confirm_download(client, organizer, units):
    preview = upload(client, *GOOD_ROWS)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Nguyễn Văn An" in html and "Trần Thị Bình" in html
    assert preview.context["report"].ok
    # Nothing is written at the preview.
    assert not User.objects.filter(username__in=["0912345678", "0987654321"]).exists()
    payload = preview.context["confirm_form"].initial["payload"]
    assert "0912345678" not in payload  # signed and compressed, not a form to edit

    result = client.post(CONFIRM_URL, {"payload": payload, "mode": "password"})
    assert result.status_code == 200
    assert "no-store" in result["Cache-Control"]
    credentials = result.context["credentials"]
    assert [c.phone for c in credentials] == ["0912345678", "0987654321"]
    html = result.content.decode()
    for credential in credentials:
        assert credential.password in html
        assert authenticate(username=credential.phone, password=credential.password) is not None
    assert Profile.objects.get(phone="0912345678").must_change_password
    assert User.objects.get(username="0987654321").groups.get().name == roles.TRAINER

    download = client.post(CREDENTIALS_URL, {"payload": result.context["download_form"].initial["payload"]})
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(download.content)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [(row[1], row[4]) for row in values] == [(c.phone, c.password) for c in credentials]


def test_preview_names_each_bad_row_and_offers_no_confirm(client, organizer, units):
    OfficialFactory(phone="0911000000", user__username="0911000000")
    response = upload(
        client,
        GOOD_ROWS[0],
        ["Trần Thị Bình", "0911000000", "", "xa-on-luong", "", ""],
        ["Lê Văn Cường", "0912345678", "", "xa-khong-co", "", ""],
    )
    assert response.status_code == 200
    assert response.context["confirm_form"] is None
    report = response.context["report"]
    assert [row.row_number for row in report.bad_rows] == [3, 4]
    html = response.content.decode()
    assert "0911000000" in html and "xa-khong-co" in html
    assert not User.objects.filter(username="0912345678").exists()


def test_a_file_that_is_not_xlsx_is_refused_with_a_message(client, organizer):
    response = client.post(
        IMPORT_URL,
        {
            "file": SimpleUploadedFile("officials.xlsx", b"full_name,phone\n", content_type="text/csv"),
            "mode": "password",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


def test_missing_columns_are_named(client, organizer):
    response = client.post(IMPORT_URL, {"file": xlsx_upload(["Họ và tên"], ["An"]), "mode": "password"})
    assert response.status_code == 400
    assert "Số điện thoại" in " ".join(response.context["form"].errors["file"])


def test_confirm_checks_the_rows_again(client, organizer, units):
    preview = upload(client, *GOOD_ROWS)
    payload = preview.context["confirm_form"].initial["payload"]
    # Someone registers one of the phones between preview and confirm.
    OfficialFactory(phone="0987654321", user__username="0987654321")
    response = client.post(CONFIRM_URL, {"payload": payload, "mode": "password"})
    assert response.status_code == 409
    assert [row.row_number for row in response.context["report"].bad_rows] == [3]
    assert not User.objects.filter(username="0912345678").exists()


def test_confirming_twice_does_not_import_twice(client, organizer, units):
    payload = upload(client, *GOOD_ROWS).context["confirm_form"].initial["payload"]
    assert client.post(CONFIRM_URL, {"payload": payload, "mode": "password"}).status_code == 200
    assert client.post(CONFIRM_URL, {"payload": payload, "mode": "password"}).status_code == 409
    assert Profile.objects.filter(phone__in=["0912345678", "0987654321"]).count() == 2


def test_a_forged_or_foreign_payload_is_refused(client, organizer, units):
    rows = [
        [
            2,
            {
                "full_name": "X",
                "phone": "0912345678",
                "email": "",
                "unit_code": "xa-yen-trach",
                "position": "",
                "role": "",
            },
        ]
    ]
    other = user_with_role(roles.ORGANIZER)
    for payload in ("not-signed", sign_for(other, ROWS_SALT, rows), sign_for(organizer, CREDENTIALS_SALT, rows)):
        response = client.post(CONFIRM_URL, {"payload": payload, "mode": "password"})
        assert response.status_code == 400
        assert response.context["error"]
    assert not User.objects.filter(username="0912345678").exists()


def test_credentials_cannot_be_downloaded_later_or_by_someone_else(client, organizer, units, settings):
    rows = [["Nguyễn Văn An", "0912345678", "Xã Yên Trạch", "Học viên", "abcd-efgh-jkmn", ""]]
    other = user_with_role(roles.ORGANIZER)
    assert client.post(CREDENTIALS_URL, {"payload": sign_for(other, CREDENTIALS_SALT, rows)}).status_code == 410
    assert client.post(CREDENTIALS_URL, {"payload": sign_for(organizer, ROWS_SALT, rows)}).status_code == 410
    assert client.get(CREDENTIALS_URL).status_code == 405


def test_expired_credentials_link(client, organizer, monkeypatch):
    from elearning.admin_views import officials_import

    rows = [["Nguyễn Văn An", "0912345678", "Xã Yên Trạch", "Học viên", "abcd-efgh-jkmn", ""]]
    payload = sign_for(organizer, CREDENTIALS_SALT, rows)
    monkeypatch.setattr(officials_import, "CREDENTIALS_MAX_AGE", -1)
    assert client.post(CREDENTIALS_URL, {"payload": payload}).status_code == 410


@pytest.mark.parametrize("role", [roles.LEARNER, roles.TRAINER, roles.REVIEWER])
def test_only_organizers_may_import(client, units, role):
    user = user_with_role(role)
    client.force_login(user)
    payload = sign_for(
        user,
        ROWS_SALT,
        [[2, dict(zip(["full_name", "phone", "email", "unit_code", "position", "role"], GOOD_ROWS[0], strict=True))]],
    )
    for response in (
        client.get(IMPORT_URL),
        client.post(IMPORT_URL, {"file": xlsx_upload(HEADER, *GOOD_ROWS), "mode": "password"}),
        client.post(CONFIRM_URL, {"payload": payload, "mode": "password"}),
    ):
        assert response.status_code in {302, 403}
    assert not User.objects.filter(username="0912345678").exists()


def test_the_profiles_listing_links_to_the_import(client, organizer):
    assert IMPORT_URL in client.get("/admin/people/profiles/").content.decode()


def test_link_mode_shows_set_password_links(client, organizer, units):
    preview = upload(client, GOOD_ROWS[0], mode="link")
    if preview.status_code == 400:  # the URL named password_reset_confirm is not there yet: link mode is not offered
        pytest.skip("set-password links are not available yet")
    payload = preview.context["confirm_form"].initial["payload"]
    result = client.post(CONFIRM_URL, {"payload": payload, "mode": "link"})
    assert result.status_code == 200
    [credential] = result.context["credentials"]
    assert credential.password == ""
    assert credential.link.startswith("http://testserver/accounts/reset/")
    assert credential.link in result.content.decode()
    user = User.objects.get(username="0912345678")
    assert not user.has_usable_password()
    assert not user.profile.must_change_password

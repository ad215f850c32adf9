"""Officials import: every row checked, all or nothing, no shared password."""

import datetime
import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from elearning import roles
from elearning.imports.officials import ImportRefused, Mode, import_officials, parse_role, read_officials
from elearning.imports.passwords import HASHER_PATH, generate_one_time_password
from elearning.models import Profile
from tests.factories.elearning import OfficialFactory, UnitFactory
from tests.factories.spreadsheets import xlsx_bytes

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


HEADER = ["full_name", "phone", "email", "unit_code", "position", "role"]


@pytest.fixture
def units():
    return {
        "yen-trach": UnitFactory(code="xa-yen-trach", name="Xã Yên Trạch"),
        "on-luong": UnitFactory(code="xa-on-luong", name="Xã Ôn Lương"),
        "closed": UnitFactory(code="xa-cu", name="Xã Cũ", valid_to=timezone.localdate() - datetime.timedelta(days=1)),
    }


def rows_of(*rows, header=HEADER):
    return read_officials(xlsx_bytes(header, *rows))


def run(*rows, header=HEADER, **kwargs):
    return import_officials(rows_of(*rows, header=header), **kwargs)


def test_good_file_creates_accounts_profiles_and_roles(units):
    report, credentials = run(
        ["Nguyễn Văn An", "0912345678", "an@phuluong.gov.vn", "xa-yen-trach", "Chủ tịch UBND xã", "Learner"],
        ["Trần Thị Bình", "0987654321", "", "xa-on-luong", "", "Giảng viên"],
        ["Lê Văn Cường", "0977111222", "", "xa-on-luong", "Công chức Tư pháp", ""],
    )
    assert report.ok
    assert [c.phone for c in credentials] == ["0912345678", "0987654321", "0977111222"]
    an = Profile.objects.select_related("user", "unit").get(phone="0912345678")
    assert an.full_name == "Nguyễn Văn An"
    assert an.kind == Profile.Kind.OFFICIAL
    assert an.unit == units["yen-trach"]
    assert an.position == "Chủ tịch UBND xã"
    assert an.user.username == "0912345678"
    assert an.user.email == "an@phuluong.gov.vn"
    assert list(an.user.groups.values_list("name", flat=True)) == [roles.LEARNER]
    assert list(User.objects.get(username="0987654321").groups.values_list("name", flat=True)) == [roles.TRAINER]
    # No role given: a learner.
    assert list(User.objects.get(username="0977111222").groups.values_list("name", flat=True)) == [roles.LEARNER]


def test_one_time_passwords_differ_work_and_must_be_changed(units):
    _report, credentials = run(
        ["Nguyễn Văn An", "0912345678", "", "xa-yen-trach", "", ""],
        ["Trần Thị Bình", "0987654321", "", "xa-yen-trach", "", ""],
    )
    passwords = [c.password for c in credentials]
    assert len(set(passwords)) == 2
    assert all(len(p) >= 12 for p in passwords)
    for credential in credentials:
        user = authenticate(username=credential.phone, password=credential.password)
        assert user is not None
        assert user.profile.must_change_password
        assert authenticate(username=credential.phone, password="Mat-khau-2018") is None
    assert not User.objects.filter(username="0912345678").first().check_password(passwords[1])


def test_the_light_one_time_hasher_is_replaced_at_first_login(units, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", HASHER_PATH]
    _report, [credential] = run(["Nguyễn Văn An", "0912345678", "", "xa-yen-trach", "", ""])
    assert User.objects.get(username="0912345678").password.startswith("pbkdf2_sha256_otp$")
    assert authenticate(username="0912345678", password=credential.password) is not None
    assert User.objects.get(username="0912345678").password.startswith("md5$")


def test_generated_passwords_are_random():
    assert len({generate_one_time_password() for _ in range(200)}) == 200


def test_vietnamese_headers_and_roles(units):
    header = ["Họ và tên", "Số điện thoại", "Email", "Mã đơn vị", "Chức vụ", "Vai trò"]
    report, _credentials = run(
        ["Phạm Thị Dung", "0912345678", "", "xa-yen-trach", "Văn thư", "Ban tổ chức"],
        ["Hoàng Văn Em", "0912345679", "", "xa-on-luong", "", "Biên tập"],
        ["Vũ Thị Giang", "0912345670", "", "xa-on-luong", "", "Học viên"],
        header=header,
    )
    assert report.ok
    assert User.objects.get(username="0912345678").groups.get().name == roles.ORGANIZER
    assert User.objects.get(username="0912345679").groups.get().name == roles.REVIEWER
    assert User.objects.get(username="0912345670").groups.get().name == roles.LEARNER
    assert Profile.objects.get(phone="0912345678").position == "Văn thư"


@pytest.mark.parametrize(
    ("text", "role"),
    [("giang vien", roles.TRAINER), (" ORGANIZER ", roles.ORGANIZER), ("", roles.LEARNER), ("Boss", None)],
)
def test_role_names(text, role):
    assert parse_role(text) == role


def test_phones_are_normalised(units):
    # Excel drops the leading zero of a number; people write +84 and dots.
    run(
        ["Nguyễn Văn An", 912345678, "", "xa-yen-trach", "", ""],
        ["Trần Thị Bình", "+84 987 654 321", "", "xa-yen-trach", "", ""],
        ["Lê Văn Cường", "0977.111.222", "", "xa-yen-trach", "", ""],
    )
    assert set(Profile.objects.values_list("phone", flat=True)) == {"0912345678", "0987654321", "0977111222"}


def test_bad_rows_are_each_reported_with_their_row_number_and_nothing_is_written(units):
    OfficialFactory(user__username="0911000000", phone="0911000000")
    users_before = User.objects.count()
    with pytest.raises(ImportRefused) as refused:
        run(
            ["Nguyễn Văn An", "0912345678", "", "xa-yen-trach", "", ""],  # 2: fine
            ["Trần Thị Bình", "12345", "", "xa-yen-trach", "", ""],  # 3: bad phone
            ["Lê Văn Cường", "0912345678", "", "xa-yen-trach", "", ""],  # 4: same phone as row 2
            ["Phạm Thị Dung", "0911000000", "", "xa-yen-trach", "", ""],  # 5: already registered
            ["Hoàng Văn Em", "0912000001", "", "xa-khong-co", "", ""],  # 6: unknown unit
            ["Vũ Thị Giang", "0912000002", "", "xa-cu", "", ""],  # 7: closed unit
            ["Đỗ Văn Hùng", "0912000003", "not-an-email", "xa-yen-trach", "", ""],  # 8: bad email
            ["Bùi Thị Lan", "0912000004", "", "xa-yen-trach", "", "Giám đốc"],  # 9: unknown role
            ["", "0912000005", "", "", "", ""],  # 10: no name, no unit
        )
    report = refused.value.report
    errors = {row.row_number: " ".join(str(e) for e in row.errors) for row in report.bad_rows}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "12345" in errors[3]
    assert "row 2" in errors[4]
    assert "0911000000" in errors[5] and "already" in errors[5]
    assert "xa-khong-co" in errors[6]
    assert "closed" in errors[7]
    assert "not-an-email" in errors[8]
    assert "Giám đốc" in errors[9]
    assert "full name" in errors[10] and "unit code" in errors[10]
    lines = [str(line) for line in report.error_lines()]
    assert lines[0].startswith("Row 3:")
    assert User.objects.count() == users_before
    assert not Profile.objects.filter(phone="0912345678").exists()


def test_one_bad_row_among_many_writes_nothing(units):
    rows = [[f"Cán bộ {n}", f"09120{n:05d}", "", "xa-yen-trach", "", ""] for n in range(50)]
    rows[37][3] = "xa-khong-co"
    with pytest.raises(ImportRefused) as refused:
        run(*rows)
    assert [row.row_number for row in refused.value.report.bad_rows] == [39]
    assert not Profile.objects.filter(phone__startswith="09120").exists()
    assert not User.objects.filter(username__startswith="09120").exists()


def test_an_existing_login_name_counts_as_registered(units):
    User.objects.create_user(username="0912345678", password="x-Secret-2018")  # an account without a profile
    with pytest.raises(ImportRefused) as refused:
        run(["Nguyễn Văn An", "0912345678", "", "xa-yen-trach", "", ""])
    assert refused.value.report.bad_rows[0].row_number == 2


def test_an_empty_sheet_is_refused(units):
    with pytest.raises(ImportRefused) as refused:
        run()
    assert refused.value.report.problems


def test_dry_run_writes_nothing(units):
    report, _credentials = run(["Nguyễn Văn An", "0912345678", "", "xa-yen-trach", "", ""], dry_run=True)
    assert report.ok
    assert not User.objects.filter(username="0912345678").exists()


def _links_available():
    try:
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "x-y"})
    except NoReverseMatch:
        return False
    return True


def test_link_mode_gives_a_working_set_password_link_and_no_password(units, client):
    if not _links_available():
        with pytest.raises(ImportRefused):
            run(["Nguyễn Văn An", "0912345678", "", "xa-yen-trach", "", ""], mode=Mode.LINK)
        assert not User.objects.filter(username="0912345678").exists()
        pytest.skip("the password_reset_confirm URL is not defined yet")
    _report, [credential] = run(
        ["Nguyễn Văn An", "0912345678", "", "xa-yen-trach", "", ""], mode=Mode.LINK, base_url="https://cchc.example.vn"
    )
    assert credential.password == ""
    assert credential.link.startswith("https://cchc.example.vn/accounts/reset/")
    user = User.objects.get(username="0912345678")
    assert not user.has_usable_password()
    assert not user.profile.must_change_password
    response = client.get(credential.link.removeprefix("https://cchc.example.vn"), follow=True)
    assert response.status_code == 200
    assert "new_password1" in response.content.decode()


# --- the command --------------------------------------------------------------------


def _file(tmp_path, *rows, header=HEADER):
    path = tmp_path / "officials.xlsx"
    path.write_bytes(xlsx_bytes(header, *rows))
    return str(path)


def test_command_imports_and_prints_each_password(units, tmp_path):
    out = io.StringIO()
    call_command(
        "import_officials", _file(tmp_path, ["Nguyễn Văn An", "0912345678", "", "xa-yen-trach", "", ""]), stdout=out
    )
    line = next(line for line in out.getvalue().splitlines() if line.startswith("0912345678"))
    password = line.split("\t")[-1]
    assert authenticate(username="0912345678", password=password) is not None


def test_command_writes_credentials_to_a_file(units, tmp_path):
    output = tmp_path / "accounts.xlsx"
    call_command(
        "import_officials",
        _file(tmp_path, ["Nguyễn Văn An", "0912345678", "", "xa-yen-trach", "", ""]),
        "--output",
        str(output),
        stdout=io.StringIO(),
    )
    sheet = load_workbook(output).worksheets[0]
    assert sheet["B2"].value == "0912345678"
    assert authenticate(username="0912345678", password=sheet["E2"].value) is not None


def test_command_dry_run_writes_nothing(units, tmp_path):
    out = io.StringIO()
    call_command(
        "import_officials",
        _file(tmp_path, ["Nguyễn Văn An", "0912345678", "", "xa-yen-trach", "", ""]),
        "--dry-run",
        stdout=out,
    )
    assert "all 1 rows are valid" in out.getvalue()
    assert not User.objects.filter(username="0912345678").exists()


def test_command_fails_on_bad_rows_and_names_them(units, tmp_path):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_officials",
            _file(
                tmp_path,
                ["Nguyễn Văn An", "0912345678", "", "xa-yen-trach", "", ""],
                ["Trần Thị Bình", "0912", "", "xa-yen-trach", "", ""],
            ),
            stderr=err,
            stdout=io.StringIO(),
        )
    assert err.getvalue().splitlines() == [
        "Row 3: phone “0912”: Enter a Vietnamese mobile number of 10 digits, e.g. 0912345678."
    ]
    assert not User.objects.filter(username="0912345678").exists()


def test_command_refuses_a_file_that_is_not_xlsx(tmp_path):
    path = tmp_path / "officials.csv"
    path.write_text("full_name,phone\nAn,0912345678\n")
    with pytest.raises(CommandError, match="xlsx"):
        call_command("import_officials", str(path))

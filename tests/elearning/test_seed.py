"""``manage.py seed_demo``: the demo site in one command, idempotent."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from taggit.models import Tag, TaggedItem
from wagtail.models import Page, Revision

from elearning import roles, seed
from elearning.models import NewsPage, NewsPageTag, Profile, SiteSettings, Unit, UnitKind

pytestmark = pytest.mark.django_db

COUNTED = [UnitKind, Unit, Page, Revision, NewsPageTag, Tag, TaggedItem, Profile, SiteSettings, get_user_model()]


def counts():
    User = get_user_model()
    return {model.__name__: model.objects.count() for model in COUNTED} | {
        "group memberships": User.groups.through.objects.count(),
    }


def run_seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded():
    return run_seed()


def test_running_twice_changes_nothing(seeded):
    first = counts()
    passwords = dict(get_user_model().objects.values_list("username", "password"))

    output = run_seed()

    assert counts() == first
    assert dict(get_user_model().objects.values_list("username", "password")) == passwords
    assert "Core demo content: nothing new." in output


def test_prints_every_demo_account(seeded):
    for account in seed.DEMO_ACCOUNTS:
        line = next(line for line in seeded.splitlines() if f" {account.username} " in line)
        assert account.role in line
        assert account.password in line
        assert account.full_name in line


def test_units_of_phu_luong(seeded):
    district = Unit.objects.get(code="huyen-phu-luong")
    assert district.parent.name == "Tỉnh Thái Nguyên"
    communes = district.children.filter(kind__code="commune")
    towns = district.children.filter(kind__code="town")

    assert set(towns.values_list("name", flat=True)) == {"Thị trấn Đu", "Thị trấn Giang Tiên"}
    assert communes.count() == 13
    assert {"Xã Yên Trạch", "Xã Động Đạt", "Xã Sơn Cẩm"} <= set(communes.values_list("name", flat=True))
    assert all(15 <= unit.headcount <= 40 for unit in communes)
    assert district.children.filter(kind__code="agency", name="Bộ phận Một cửa huyện").exists()
    assert set(Unit.objects.open_now().values_list("code", flat=True)) == {code for code, *_ in seed.UNITS}


def test_accounts_log_in_and_have_their_role(client, seeded):
    User = get_user_model()
    for account in seed.DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert client.login(username=account.username, password=account.password), account.username
        assert user.profile.full_name == account.full_name
        assert user.profile.unit.code == account.unit_code
        if account.group:
            assert account.group in user.groups.values_list("name", flat=True)
        admin = client.get("/admin/")
        can_use_admin = account.superuser or account.group in roles.ADMIN_ROLES
        assert (admin.status_code == 200) is can_use_admin, account.role
        client.logout()
    assert User.objects.get(username="admin").is_superuser
    learner = User.objects.get(username="0912000001")
    assert learner.profile.kind == Profile.Kind.OFFICIAL
    assert learner.profile.unit.kind.code == "commune"
    assert User.objects.get(username="0912000005").profile.kind == Profile.Kind.CITIZEN


def test_demo_site_has_news_and_contact_details(client, seeded):
    home = client.get("/").content.decode()
    assert NewsPage.objects.live().count() >= 4
    assert "Học tập và thi tìm hiểu cải cách hành chính" in home
    assert "Phát động Cuộc thi trực tuyến tìm hiểu về cải cách hành chính năm 2018" in home
    assert "cchc@phuluong.example.vn" in home
    assert "0912000" not in home  # no account's phone on a public page

    news = client.get("/tin-tuc/?tag=buu-chinh-cong-ich").content.decode()
    assert "Nhận kết quả thủ tục hành chính tại nhà qua dịch vụ bưu chính công ích" in news
    assert "Áp dụng ISO 9001:2015" not in news


def test_does_not_overwrite_what_editors_changed(seeded):
    settings = SiteSettings.objects.get()
    settings.phone = "0208 3999 999"
    settings.save()
    article = NewsPage.objects.get(slug="chi-so-cai-cach-hanh-chinh")
    article.title = "Chỉ số CCHC năm 2018"
    article.save_revision().publish()

    run_seed()

    assert SiteSettings.objects.get().phone == "0208 3999 999"
    assert NewsPage.objects.get(slug="chi-so-cai-cach-hanh-chinh").title == "Chỉ số CCHC năm 2018"

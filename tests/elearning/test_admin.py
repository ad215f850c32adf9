"""The "People and units" admin screens: listings, search, filters, who sees them."""

import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from elearning import roles
from elearning.models import Profile
from tests.factories.elearning import (
    LegalDocumentFactory,
    OfficialFactory,
    ProfileFactory,
    UnitFactory,
    UnitKindFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db
User = get_user_model()

UNITS_URL = "/admin/people/units/"
PROFILES_URL = "/admin/people/profiles/"
UNIT_KINDS_URL = "/admin/people/unit-kinds/"
IMPORT_URL = "/admin/people/officials-import/"


@pytest.fixture
def organizer(client):
    user = user_with_role(roles.ORGANIZER)
    client.force_login(user)
    return user


@pytest.fixture
def tree():
    district_kind = UnitKindFactory(code="district", name="Huyện", order=1)
    commune_kind = UnitKindFactory(code="commune", name="Xã", order=2)
    district = UnitFactory(code="huyen-phu-luong", name="Huyện Phú Lương", kind=district_kind, headcount=80)
    yen_trach = UnitFactory(code="xa-yen-trach", name="Xã Yên Trạch", kind=commune_kind, parent=district)
    on_luong = UnitFactory(code="xa-on-luong", name="Xã Ôn Lương", kind=commune_kind, parent=district)
    merged = UnitFactory(
        code="xa-phu-ly",
        name="Xã Phú Lý",
        kind=commune_kind,
        parent=district,
        valid_to=timezone.localdate() - datetime.timedelta(days=30),
    )
    return {"district": district, "yen_trach": yen_trach, "on_luong": on_luong, "merged": merged}


def listed(response, *names):
    """Which of ``names`` appear on the page."""
    html = response.content.decode()
    return {name for name in names if name in html}


def rows(response, objects, name=str):
    """The names of those ``objects`` listed on the page (their edit link is the title of a row)."""
    found = set(re.findall(r'href="[^"]*/edit/(\d+)/"', response.content.decode()))
    return {name(obj) for obj in objects if str(obj.pk) in found}


UNIT_NAMES = ("Huyện Phú Lương", "Xã Yên Trạch", "Xã Ôn Lương", "Xã Phú Lý")


def test_units_listing_shows_every_column(client, organizer, tree):
    response = client.get(UNITS_URL)
    assert response.status_code == 200
    assert listed(response, *UNIT_NAMES) == set(UNIT_NAMES)
    html = response.content.decode()
    assert "xa-yen-trach" in html
    assert "80" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "yen-trach"}, {"Xã Yên Trạch"}),
        ({"q": "Ôn Lương"}, {"Xã Ôn Lương"}),
        ({"status": "closed"}, {"Xã Phú Lý"}),
        ({"status": "open"}, {"Huyện Phú Lương", "Xã Yên Trạch", "Xã Ôn Lương"}),
    ],
)
def test_units_search_and_status_filter(client, organizer, tree, query, expected):
    response = client.get(UNITS_URL + "results/", query)
    assert response.status_code == 200
    assert rows(response, tree.values()) == expected


def test_units_filter_by_kind_and_parent(client, organizer, tree):
    commune = tree["yen_trach"].kind
    response = client.get(UNITS_URL + "results/", {"kind": commune.pk})
    assert rows(response, tree.values()) == {"Xã Yên Trạch", "Xã Ôn Lương", "Xã Phú Lý"}
    other_district = UnitFactory(name="Huyện Khác", kind=tree["district"].kind)
    outside = UnitFactory(name="Xã Ngoài Huyện", kind=commune, parent=other_district)
    response = client.get(UNITS_URL + "results/", {"parent": other_district.pk})
    assert rows(response, [*tree.values(), other_district, outside]) == {"Xã Ngoài Huyện"}


def test_units_listing_query_count_does_not_grow_with_units(client, organizer, tree, django_assert_max_num_queries):
    client.get(UNITS_URL)
    for n in range(30):
        UnitFactory(name=f"Xã Thêm {n}", kind=tree["yen_trach"].kind, parent=tree["district"])
    with django_assert_max_num_queries(25):
        response = client.get(UNITS_URL)
    assert "Xã Thêm 29" in response.content.decode()


def test_unit_kinds_listing(client, organizer, tree):
    response = client.get(UNIT_KINDS_URL)
    assert response.status_code == 200
    assert listed(response, "Huyện", "Xã") == {"Huyện", "Xã"}


def test_an_organizer_can_add_a_unit(client, organizer, tree):
    response = client.post(
        UNITS_URL + "new/",
        {
            "name": "Xã Hợp Thành",
            "code": "xa-hop-thanh",
            "kind": tree["yen_trach"].kind.pk,
            "parent": tree["district"].pk,
            "headcount": "25",
            "valid_from": "",
            "valid_to": "",
        },
    )
    assert response.status_code == 302
    assert tree["district"].children.filter(code="xa-hop-thanh", headcount=25).exists()


def test_a_unit_cannot_be_placed_under_its_own_child(client, organizer, tree):
    district = tree["district"]
    response = client.post(
        UNITS_URL + f"edit/{district.pk}/",
        {
            "name": district.name,
            "code": district.code,
            "kind": district.kind.pk,
            "parent": tree["yen_trach"].pk,
            "headcount": "80",
            "valid_from": "",
            "valid_to": "",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    district.refresh_from_db()
    assert district.parent is None


@pytest.fixture
def people(tree):
    return {
        "an": OfficialFactory(
            full_name="Nguyễn Văn An", phone="0912345678", user__username="0912345678", unit=tree["yen_trach"]
        ),
        "binh": OfficialFactory(
            full_name="Trần Thị Bình", phone="0987654321", user__username="0987654321", unit=tree["on_luong"]
        ),
        "cuong": ProfileFactory(
            full_name="Lê Văn Cường", phone="0977111222", user__username="0977111222", unit=tree["yen_trach"]
        ),
    }


PEOPLE = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường")


def test_profiles_listing_shows_name_phone_unit_and_position(client, organizer, people):
    response = client.get(PROFILES_URL)
    assert response.status_code == 200
    assert listed(response, *PEOPLE) == set(PEOPLE)
    assert listed(response, "0912345678", "Xã Yên Trạch", "Công chức Văn phòng - Thống kê") == {
        "0912345678",
        "Xã Yên Trạch",
        "Công chức Văn phòng - Thống kê",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "0987654321"}, {"Trần Thị Bình"}),
        ({"q": "Cường"}, {"Lê Văn Cường"}),
        ({"kind": "citizen"}, {"Lê Văn Cường"}),
        ({"kind": "official"}, {"Nguyễn Văn An", "Trần Thị Bình"}),
    ],
)
def test_profiles_search_and_kind_filter(client, organizer, people, query, expected):
    response = client.get(PROFILES_URL + "results/", query)
    assert response.status_code == 200
    assert rows(response, people.values()) == expected


def test_profiles_filter_by_unit(client, organizer, people, tree):
    response = client.get(PROFILES_URL + "results/", {"unit": tree["yen_trach"].pk})
    assert rows(response, people.values()) == {"Nguyễn Văn An", "Lê Văn Cường"}


def test_profiles_listing_query_count_does_not_grow_with_people(
    client, organizer, people, django_assert_max_num_queries
):
    client.get(PROFILES_URL)
    for _ in range(30):
        OfficialFactory()
    with django_assert_max_num_queries(25):
        assert client.get(PROFILES_URL).status_code == 200


@pytest.fixture
def documents():
    today = timezone.localdate()
    new = LegalDocumentFactory(
        number="118/2025/NĐ-CP", title="Thực hiện thủ tục hành chính theo cơ chế một cửa", effective_from=today
    )
    old = LegalDocumentFactory(
        number="61/2018/NĐ-CP",
        title="Thực hiện cơ chế một cửa, một cửa liên thông",
        effective_to=today - datetime.timedelta(days=1),
        replaced_by=new,
    )
    law = LegalDocumentFactory(number="Luật 80/2015/QH13", kind="law", title="Luật Ban hành văn bản quy phạm pháp luật")
    return {"new": new, "old": old, "law": law}


DOCS = ("118/2025/NĐ-CP", "61/2018/NĐ-CP", "Luật 80/2015/QH13")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, set(DOCS)),
        ({"q": "61/2018"}, {"61/2018/NĐ-CP"}),
        ({"q": "quy phạm"}, {"Luật 80/2015/QH13"}),
        ({"kind": "law"}, {"Luật 80/2015/QH13"}),
        ({"in_force": "yes"}, {"118/2025/NĐ-CP", "Luật 80/2015/QH13"}),
        ({"in_force": "no"}, {"61/2018/NĐ-CP"}),
    ],
)
def test_legal_documents_search_and_filters(client, organizer, documents, query, expected):
    url = reverse(LegalDocumentFactory._meta.model.snippet_viewset.get_url_name("list_results"))
    response = client.get(url, query)
    assert response.status_code == 200
    assert rows(response, documents.values(), name=lambda doc: doc.number) == expected


def test_legal_documents_have_a_chooser(client, organizer, documents):
    viewset = LegalDocumentFactory._meta.model.snippet_viewset
    response = client.get(reverse(viewset.chooser_viewset.get_url_name("choose")))
    assert response.status_code == 200
    assert "118/2025" in response.json()["html"]


def test_the_menu_is_shown_to_organizers_only(client, tree):
    organizer = user_with_role(roles.ORGANIZER)
    trainer = user_with_role(roles.TRAINER)
    client.force_login(organizer)
    html = client.get("/admin/").content.decode()
    assert UNITS_URL in html and PROFILES_URL in html and IMPORT_URL in html

    client.force_login(trainer)
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert UNITS_URL not in html and PROFILES_URL not in html and IMPORT_URL not in html
    for url in (UNITS_URL, PROFILES_URL, UNIT_KINDS_URL, IMPORT_URL):
        assert client.get(url).status_code in {302, 403}


def test_a_learner_cannot_reach_the_admin_screens(client, tree):
    client.force_login(user_with_role(roles.LEARNER))
    for url in (UNITS_URL, PROFILES_URL, IMPORT_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


# --- creating and editing profiles -------------------------------------------------------


def test_adding_a_profile_creates_the_account_and_shows_its_password_once(client, organizer, tree):
    response = client.post(
        PROFILES_URL + "new/",
        {
            "full_name": "Phạm Thị Dung",
            "phone": "0912 000 111",
            "email": "dung@phuluong.gov.vn",
            "unit": tree["yen_trach"].pk,
            "kind": "official",
            "position": "Văn thư",
            "birth_year": "1990",
            "national_id": "",
            "role": roles.TRAINER,
            "mode": "password",
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    profile = Profile.objects.select_related("user").get(phone="0912000111")
    assert profile.user.username == "0912000111"
    assert profile.user.email == "dung@phuluong.gov.vn"
    assert profile.must_change_password
    assert list(profile.user.groups.values_list("name", flat=True)) == [roles.TRAINER]
    password = response.context["credentials"][0].password
    assert password and password in response.content.decode()
    assert profile.user.check_password(password)


def test_adding_a_profile_with_a_registered_phone_is_refused(client, organizer, people, tree):
    users = User.objects.count()
    response = client.post(
        PROFILES_URL + "new/",
        {
            "full_name": "Ai Đó",
            "phone": "0912345678",
            "unit": tree["yen_trach"].pk,
            "kind": "official",
            "role": roles.LEARNER,
            "mode": "password",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert User.objects.count() == users


def test_editing_a_profile_moves_the_login_with_the_phone(client, organizer, people):
    an = people["an"]
    response = client.post(
        PROFILES_URL + f"edit/{an.pk}/",
        {
            "full_name": "Nguyễn Văn An",
            "phone": "0912999888",
            "email": "an@phuluong.gov.vn",
            "unit": an.unit.pk,
            "kind": "official",
            "position": "Chủ tịch",
            "birth_year": "1985",
            "national_id": "",
        },
    )
    assert response.status_code == 302
    an.refresh_from_db()
    an.user.refresh_from_db()
    assert (an.phone, an.user.username, an.user.email, an.position) == (
        "0912999888",
        "0912999888",
        "an@phuluong.gov.vn",
        "Chủ tịch",
    )


def test_an_organizer_cannot_delete_profiles(client, organizer, people):
    an = people["an"]
    response = client.post(PROFILES_URL + f"delete/{an.pk}/")
    assert response.status_code in {302, 403}
    assert Profile.objects.filter(pk=an.pk).exists()


def test_profile_exports_cannot_carry_formulas(client, organizer, tree):
    ProfileFactory(full_name='=HYPERLINK("http://evil.example","Bấm")', phone="0912000999", user__username="0912000999")
    csv = client.get(PROFILES_URL, {"export": "csv", "q": "0912000999"})
    assert csv.status_code == 200
    text = b"".join(csv.streaming_content).decode()
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text

    xlsx = client.get(PROFILES_URL, {"export": "xlsx", "q": "0912000999"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).worksheets[0]
    assert sheet["A2"].value.startswith("'=HYPERLINK")
    assert sheet["B2"].value == "0912000999"

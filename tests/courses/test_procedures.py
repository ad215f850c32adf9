"""The procedure catalogue: public list with search and filters, detail page, admin snippets."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from courses.models import Procedure, ProcedureField
from tests.factories.courses import ProcedureFactory
from tests.factories.elearning import LegalDocumentFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

URL = "/thu-tuc/"


def names(response):
    assert response.status_code == 200
    return re.findall(r'<th scope="row"><a href="[^"]*">([^<]*)</a>', response.content.decode())


@pytest.fixture
def procedures():
    return [
        ProcedureFactory(
            code="1.001193",
            name="Đăng ký khai sinh",
            field=ProcedureField.CIVIL_STATUS,
            level=Procedure.Level.COMMUNE,
            online_level=4,
            postal_return=True,
            tags=["hộ tịch"],
        ),
        ProcedureFactory(
            code="2.000815",
            name="Chứng thực bản sao từ bản chính",
            field=ProcedureField.CERTIFICATION,
            level=Procedure.Level.COMMUNE,
            online_level=2,
            postal_return=False,
        ),
        ProcedureFactory(
            code="1.004227",
            name="Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
            field=ProcedureField.LAND,
            level=Procedure.Level.DISTRICT,
            mechanism=Procedure.Mechanism.INTER_LINKED,
            processing_days=30,
            online_level=3,
            postal_return=True,
        ),
    ]


def test_the_list_shows_every_procedure_by_field_then_code(client, procedures):
    assert names(client.get(URL)) == [
        "Chứng thực bản sao từ bản chính",
        "Đăng ký khai sinh",
        "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
    ]


@pytest.mark.parametrize(
    "query", ["khai sinh", "Khai Sinh", "đăng ký khai sinh", "dang ky khai sinh", "1.001193", "ho tich"]
)
def test_search_with_or_without_diacritics_by_name_code_field_or_tag(client, procedures, query):
    assert names(client.get(URL, {"q": query})) == ["Đăng ký khai sinh"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"field": "land"}, ["Cấp giấy chứng nhận quyền sử dụng đất lần đầu"]),
        ({"level": "commune"}, ["Chứng thực bản sao từ bản chính", "Đăng ký khai sinh"]),
        ({"online_level": "4"}, ["Đăng ký khai sinh"]),
        ({"postal": "on"}, ["Đăng ký khai sinh", "Cấp giấy chứng nhận quyền sử dụng đất lần đầu"]),
        ({"level": "commune", "postal": "on", "q": "dang ky"}, ["Đăng ký khai sinh"]),
        ({"level": "district", "field": "civil_status"}, []),
    ],
)
def test_filters(client, procedures, params, expected):
    assert names(client.get(URL, params)) == expected


def test_a_bad_filter_value_is_reported_and_lists_nothing(client, procedures):
    response = client.get(URL, {"field": "khong-co", "online_level": "9"})

    html = response.content.decode()
    assert names(response) == []
    assert html.count('class="errorlist') >= 2


def test_the_list_pages_twenty_at_a_time_keeping_filters(client):
    for n in range(25):
        ProcedureFactory(code=f"1.{n:06d}", name=f"Thủ tục hộ tịch {n:02d}", field=ProcedureField.CIVIL_STATUS)

    first = client.get(URL, {"field": "civil_status"})
    second = client.get(URL, {"field": "civil_status", "page": "2"})

    assert len(names(first)) == 20
    assert names(second) == [f"Thủ tục hộ tịch {n:02d}" for n in range(20, 25)]
    assert 'href="?field=civil_status&amp;page=2"' in first.content.decode()
    assert names(client.get(URL, {"page": "99"})) == names(second)


def test_the_list_renders_in_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    ProcedureFactory(legal_basis=[LegalDocumentFactory()], tags=["hộ tịch"])
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    with_one = len(queries)
    for _ in range(15):
        ProcedureFactory(legal_basis=[LegalDocumentFactory()], tags=["hộ tịch"])

    with django_assert_max_num_queries(with_one):
        assert len(names(client.get(URL))) == 16


def test_the_detail_page_shows_everything_a_citizen_needs(client):
    old = LegalDocumentFactory(
        number="123/2015/NĐ-CP", effective_to="2020-01-01", replaced_by=LegalDocumentFactory(number="87/2020/NĐ-CP")
    )
    procedure = ProcedureFactory(
        code="1.001193",
        name="Đăng ký khai sinh",
        fee="Miễn phí",
        processing_days=3,
        required_documents="<ul><li>Tờ khai đăng ký khai sinh</li></ul>",
        steps="<ol><li>Nộp hồ sơ tại bộ phận một cửa</li></ol>",
        legal_basis=[old],
        tags=["hộ tịch"],
    )

    response = client.get(f"/thu-tuc/{procedure.code}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Đăng ký khai sinh</h1>" in html
    for text in [
        "1.001193",
        "Miễn phí",
        "Tờ khai đăng ký khai sinh",
        "Nộp hồ sơ tại bộ phận một cửa",
        "123/2015/NĐ-CP",
        "87/2020/NĐ-CP",
        "hộ tịch",
    ]:
        assert text in html
    assert 'href="/thu-tuc/"' in html  # back to the list


def test_an_unknown_procedure_is_a_404(client):
    assert client.get("/thu-tuc/9.999999/").status_code == 404


def test_the_list_and_detail_answer_only_reads(client, procedures):
    assert client.post(URL).status_code == 405
    assert client.post(f"/thu-tuc/{procedures[0].code}/").status_code == 405


def test_a_procedure_code_is_unique_and_starts_with_a_digit():
    ProcedureFactory(code="1.001193")

    with pytest.raises(ValidationError):
        Procedure(code="TTHC-01", name="x").full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        ProcedureFactory(code="1.001193")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Procedure.objects.filter(code="1.001193").update(online_level=5)


# --- Admin --------------------------------------------------------------------------------


ADMIN_URL = "/admin/snippets/courses/procedure/"


def test_reviewers_search_and_filter_procedures_in_the_admin(client, procedures):
    client.force_login(user_with_role("Reviewer"))

    everything = client.get(ADMIN_URL)
    searched = client.get(ADMIN_URL, {"q": "dang ky khai sinh"})
    filtered = client.get(ADMIN_URL, {"field": "land"})

    assert everything.status_code == 200
    assert "Đăng ký khai sinh" in searched.content.decode()
    assert "Chứng thực bản sao" not in searched.content.decode()
    assert "quyền sử dụng đất" in filtered.content.decode()
    assert "Đăng ký khai sinh" not in filtered.content.decode()


def test_a_reviewer_adds_a_procedure_and_a_learner_cannot(client):
    document = LegalDocumentFactory()
    data = {
        "code": "1.000656",
        "name": "Đăng ký kết hôn",
        "field": "civil_status",
        "level": "commune",
        "mechanism": "one_stop",
        "processing_days": "0",
        "fee": "Miễn phí",
        "required_documents": '{"blocks": [], "entityMap": {}}',
        "steps": '{"blocks": [], "entityMap": {}}',
        "legal_basis": [str(document.pk)],
        "online_level": "3",
        "tags": "hộ tịch, kết hôn",
    }

    learner = UserFactory()
    client.force_login(learner)
    assert client.post(f"{ADMIN_URL}add/", data).status_code in (302, 403)
    assert not Procedure.objects.exists()

    client.force_login(user_with_role("Reviewer"))
    response = client.post(f"{ADMIN_URL}add/", data)

    assert response.status_code == 302
    procedure = Procedure.objects.get()
    assert list(procedure.legal_basis.all()) == [document]
    assert procedure.search_text.startswith("1.000656 dang ky ket hon")


def test_trainers_can_choose_procedures_but_not_edit_them(client, procedures):
    client.force_login(user_with_role("Trainer"))

    assert client.get("/admin/snippets/choose/courses/procedure/").status_code == 200
    assert client.get(f"{ADMIN_URL}edit/{procedures[0].pk}/").status_code in (302, 403)

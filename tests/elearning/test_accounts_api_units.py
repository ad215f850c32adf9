"""GET /api/v1/units/: the units open for registration today."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories.elearning import UnitFactory, UnitKindFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/units/"


def test_lists_open_units_with_kind_and_parent_codes():
    district = UnitFactory(code="huyen-phu-luong", name="Huyện Phú Lương", kind=UnitKindFactory(code="district"))
    UnitFactory(code="xa-yen-trach", name="Xã Yên Trạch", parent=district)
    response = APIClient().get(URL)
    assert response.status_code == 200
    assert response.json() == [
        {"code": "huyen-phu-luong", "name": "Huyện Phú Lương", "kind": "district", "parent": None},
        {"code": "xa-yen-trach", "name": "Xã Yên Trạch", "kind": "commune", "parent": "huyen-phu-luong"},
    ]


def test_units_not_open_today_are_absent():
    today = timezone.localdate()
    UnitFactory(code="closed", valid_to=today - timedelta(days=1))
    UnitFactory(code="not-yet", valid_from=today + timedelta(days=1))
    UnitFactory(code="last-day", valid_to=today)
    UnitFactory(code="first-day", valid_from=today)
    codes = {unit["code"] for unit in APIClient().get(URL).json()}
    assert codes == {"last-day", "first-day"}


def test_one_query_however_many_units(django_assert_num_queries):
    parents = [UnitFactory(kind=UnitKindFactory(code="district")) for _ in range(3)]
    for index in range(30):
        UnitFactory(parent=parents[index % 3])
    client = APIClient()
    with django_assert_num_queries(1):
        response = client.get(URL)
    assert len(response.json()) == 33


def test_public_even_with_a_stale_token():
    UnitFactory()
    response = APIClient().get(URL, HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 200
    assert len(response.json()) == 1


def test_no_personal_data_in_the_listing():
    UnitFactory()
    assert set(APIClient().get(URL).json()[0]) == {"code", "name", "kind", "parent"}


def test_an_unexpected_error_is_a_json_500_not_an_html_page(monkeypatch, caplog):
    from elearning.api.units import UnitListView

    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(UnitListView, "get_queryset", broken)
    response = APIClient().get(URL)
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "server_error"
    assert "boom" not in response.content.decode()
    assert any(record.exc_info for record in caplog.records)  # logged with its traceback

"""The API's error messages are in the site's language (Vietnamese unless the visitor chose
English); the codes clients act on stay the same."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "detail"),
    [("vi", "Cuộc thi không có tuần thi này."), ("en", "This contest has no such round.")],
)
def test_a_board_of_a_round_that_does_not_exist(api, contest, language, detail):
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = api.get(f"/api/v1/contests/{contest.slug}/leaderboard/?round=9")
    assert response.status_code == 404
    assert response.json() == {"detail": detail, "code": "round_not_found"}


def test_my_rank_before_my_first_result_says_so_in_vietnamese(api, contest, participant):
    api.force_authenticate(participant)
    response = api.get(f"/api/v1/contests/{contest.slug}/leaderboard/me/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Bạn chưa có kết quả trong bảng xếp hạng này.", "code": "not_ranked"}

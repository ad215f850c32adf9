"""Who reaches the contest results in the admin, and the round actions' rules."""

import pytest
from django.test import Client
from wagtail.models import PageLogEntry

from elearning.roles import LEARNER, ORGANIZER, REVIEWER, TRAINER
from quizzes.models import FinalStanding, PrizeAward, RoundResult
from tests.factories.elearning import ProfileFactory, UserFactory, user_with_role
from tests.factories.results import closed_contest, graded_attempt, questions_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest():
    contest = closed_contest(questions=3)
    graded_attempt(
        ProfileFactory(full_name="Người Thi", phone="0933000001"),
        contest.rounds.get(number=1),
        right=questions_of(contest),
    )
    return contest


def urls(contest):
    base = f"/admin/contest/results/{contest.pk}/"
    return [
        "/admin/contest/results/",
        base,
        base + "?round=1",
        base + "prizes/",
        base + "export/attempts.xlsx",
        base + "export/round.xlsx?round=1",
    ]


def posts(contest):
    base = f"/admin/contest/results/{contest.pk}/"
    return [base + "rounds/1/close/", base + "prizes/draft/", base + "prizes/confirm/"]


def test_organizers_see_everything(client, contest):
    client.force_login(user_with_role(ORGANIZER, unit=None))
    for url in urls(contest):
        assert client.get(url).status_code == 200, url


def test_a_superuser_is_an_organizer(client, contest):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(urls(contest)[1]).status_code == 200


@pytest.mark.parametrize("role", [TRAINER, REVIEWER])
def test_other_admin_users_get_403(client, contest, role):
    client.force_login(user_with_role(role, unit=None))
    for url in urls(contest):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"0933000001" not in response.content and "Người Thi".encode() not in response.content
    for url in posts(contest):
        assert client.post(url).status_code == 403, url
    assert not RoundResult.objects.filter(finalized_at__isnull=False).exists()


def test_learners_never_get_into_the_admin(client, contest):
    client.force_login(user_with_role(LEARNER, unit=None))
    for url in urls(contest) + posts(contest):
        response = client.get(url) if url in urls(contest) else client.post(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
    assert not FinalStanding.objects.exists()


def test_the_menu_item_is_for_organizers_only(client, contest):
    client.force_login(user_with_role(ORGANIZER, unit=None))
    assert "/admin/contest/results/" in client.get("/admin/").content.decode()
    client.force_login(user_with_role(TRAINER, unit=None))
    assert "/admin/contest/results/" not in client.get("/admin/").content.decode()


def test_posts_without_csrf_are_refused(contest):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with_role(ORGANIZER, unit=None))
    for url in posts(contest):
        assert client.post(url).status_code == 403, url
    assert not RoundResult.objects.filter(finalized_at__isnull=False).exists()
    assert not PrizeAward.objects.exists()


def test_gets_do_not_change_anything(client, contest):
    client.force_login(user_with_role(ORGANIZER, unit=None))
    for url in posts(contest):
        assert client.get(url).status_code == 405, url
    assert not FinalStanding.objects.exists()


def test_close_round_once_and_only_when_closed(client, contest):
    organizer = user_with_role(ORGANIZER, unit=None)
    client.force_login(organizer)
    base = f"/admin/contest/results/{contest.pk}/"
    # round 2 is still open
    response = client.post(base + "rounds/2/close/", follow=True)
    assert "Tuần 2 vẫn đang mở" in response.content.decode()
    assert not RoundResult.objects.filter(finalized_at__isnull=False).exists()
    # round 1 closes once
    response = client.post(base + "rounds/1/close/", follow=True)
    assert "Đã chốt tuần 1" in response.content.decode()
    result = RoundResult.objects.get(round__contest=contest, round__number=1)
    assert result.finalized_by == organizer and result.actual_count == 1
    again = client.post(base + "rounds/1/close/", follow=True)
    assert "đã được tính" in again.content.decode()
    assert FinalStanding.objects.filter(round=result.round).count() == 1
    entry = PageLogEntry.objects.get(page=contest, action="quizzes.close_round")
    assert entry.user == organizer and entry.data["round"] == 1
    assert client.post(base + "rounds/9/close/").status_code == 404


def test_an_unknown_contest_is_404(client):
    client.force_login(user_with_role(ORGANIZER, unit=None))
    assert client.get("/admin/contest/results/999999/").status_code == 404

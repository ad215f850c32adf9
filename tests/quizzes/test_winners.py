"""Public results pages: the final ranking on the HTML board (label, group switch) and
the winners page, reached through the organizer's prize flow in the admin."""

import re

import pytest
from django.test import Client

from elearning.models import Profile
from elearning.roles import ORGANIZER
from quizzes.models import FinalStanding, PrizeAward, PrizeRule
from quizzes.services import prizes, results
from tests.factories.elearning import ProfileFactory, UnitFactory, user_with_role
from tests.factories.results import closed_contest, graded_attempt, questions_of

pytestmark = pytest.mark.django_db

PHONES = ("0911000001", "0911000002", "0911000003")


@pytest.fixture
def contest():
    """Round 1 closed: an official and two citizens; the official predicted best."""
    contest = closed_contest(questions=4, separate_groups=True)
    unit = UnitFactory(name="Xã Sơn Cẩm", headcount=3)
    questions = questions_of(contest)
    round1 = contest.rounds.get(number=1)
    people = [
        ProfileFactory(full_name="Công Chức Một", kind=Profile.Kind.OFFICIAL, unit=unit, phone=PHONES[0]),
        ProfileFactory(full_name="Công Dân Hai", kind=Profile.Kind.CITIZEN, unit=unit, phone=PHONES[1]),
        ProfileFactory(
            full_name="Công Dân Ba", kind=Profile.Kind.CITIZEN, unit=unit, phone=PHONES[2], national_id="001200000003"
        ),
    ]
    people[2].user.email = "ba@example.com"
    people[2].user.save()
    # equal scores: the prediction decides in the final ranking (3 took part)
    graded_attempt(people[0], round1, right=questions[:3], wrong=questions[3:], seconds=300, prediction=3)
    graded_attempt(people[1], round1, right=questions[:3], wrong=questions[3:], seconds=100, prediction=50)
    graded_attempt(people[2], round1, right=questions[:2], wrong=questions[2:], seconds=50, prediction=3)
    for group in ("official", "citizen"):
        PrizeRule.objects.create(contest=contest, group=group, level="first", count=1)
    return contest


def board(client, contest, query):
    response = client.get(contest.url + "leaderboard/" + query)
    assert response.status_code == 200
    return response


def names_on(response):
    return [row["name"] for row in response.context["results"]]


# --- the HTML board ---------------------------------------------------------------------


def test_live_board_before_the_round_is_final(client, contest):
    response = board(client, contest, "?round=1")
    html = response.content.decode()
    assert response.context["final"] is False
    assert names_on(response) == ["Công Dân Hai", "Công Chức Một", "Công Dân Ba"]  # by time
    assert "Kết quả chung cuộc" not in html
    assert not re.search(r'href="[^"]*&amp;group=', html)
    # a group is only offered once the ranking is final: ignored before
    assert names_on(board(client, contest, "?round=1&group=official")) == names_on(response)


def test_final_board_with_label_and_group_switch(client, contest):
    results.close_round(contest.rounds.get(number=1))
    response = board(client, contest, "?round=1")
    html = response.content.decode()
    assert response.context["final"] is True
    assert "Kết quả chung cuộc" in html
    # the prediction breaks the tie on score: the official predicted exactly 3
    assert names_on(response) == ["Công Chức Một", "Công Dân Hai", "Công Dân Ba"]
    assert re.search(r'href="[^"]*round=1&amp;scope=individual&amp;group=official"', html)
    assert re.search(r'href="[^"]*round=1&amp;scope=individual&amp;group=citizen"', html)
    officials = board(client, contest, "?round=1&group=official")
    assert names_on(officials) == ["Công Chức Một"]
    assert 'aria-current="page">Cán bộ, công chức</a>' in officials.content.decode()
    citizens = board(client, contest, "?round=1&group=citizen")
    assert [(r["rank"], r["name"]) for r in citizens.context["results"]] == [(1, "Công Dân Hai"), (2, "Công Dân Ba")]
    # nonsense is the whole ranking
    assert names_on(board(client, contest, "?round=1&group=admins")) == names_on(response)
    for page in (response, officials, citizens):
        for phone in PHONES:
            assert phone not in page.content.decode()


def test_my_place_on_the_final_group_board(client, contest):
    results.close_round(contest.rounds.get(number=1))
    ba = Profile.objects.get(full_name="Công Dân Ba").user
    client.force_login(ba)
    response = board(client, contest, "?round=1&group=citizen")
    assert response.context["mine"] == {"rank": 2, "score": 2, "duration_ms": 50000}


def test_contests_without_groups_have_no_switch(client):
    contest = closed_contest(questions=2)
    questions = questions_of(contest)
    graded_attempt(ProfileFactory(), contest.rounds.get(number=1), right=questions)
    results.close_round(contest.rounds.get(number=1))
    response = board(client, contest, "?round=1&group=official")
    assert response.context["final"] is True and response.context["group"] == ""
    assert not re.search(r'href="[^"]*&amp;group=', response.content.decode())


def test_board_query_count_stays_small(client, contest, django_assert_max_num_queries):
    results.close_round(contest.rounds.get(number=1))
    board(client, contest, "?round=1")
    with django_assert_max_num_queries(20):
        board(client, contest, "?round=1&group=citizen")


# --- prizes through the admin, then the winners page ---------------------------------------


def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_prize_flow_draft_review_confirm_then_public_winners(client, contest):
    organizer = user_with_role(ORGANIZER, unit=None)
    admin = csrf_client(organizer)
    base = f"/admin/contest/results/{contest.pk}/"
    dashboard = admin.get(base)
    token = dashboard.cookies["csrftoken"].value

    # close round 1 with the admin button
    closed = admin.post(base + "rounds/1/close/", {"csrfmiddlewaretoken": token})
    assert closed.status_code == 302
    assert FinalStanding.objects.filter(round__number=1, round__contest=contest, group="").count() == 3
    summary = admin.get(base + "?round=1").content.decode()
    assert "Công Chức Một" in summary  # the final ranking's top three
    assert base + "rounds/1/close/" not in summary  # closed once: no button any more

    # draft: a reviewable table, nothing public yet
    drafted = admin.post(base + "prizes/draft/", {"csrfmiddlewaretoken": token})
    assert drafted.status_code == 302 and drafted["Location"] == base + "prizes/"
    review = admin.get(base + "prizes/")
    assert [(a.user.profile.full_name if a.user else a.unit.name, a.group) for a in review.context["drafts"]] == [
        ("Công Dân Hai", "citizen"),
        ("Công Chức Một", "official"),
        ("Xã Sơn Cẩm", ""),
    ]
    assert "Công Dân Hai" in review.content.decode()
    public = client.get(contest.url + "winners/")
    assert public.status_code == 200 and "Công Dân Hai" not in public.content.decode()
    assert "winners/" not in client.get(contest.url).content.decode()

    # confirm
    confirmed = admin.post(
        base + "prizes/confirm/", {"csrfmiddlewaretoken": token, "draft": review.context["fingerprint"]}
    )
    assert confirmed.status_code == 302
    assert PrizeAward.objects.filter(contest=contest, status="confirmed").count() == 3  # 2 people + 1 unit

    html = client.get(contest.url + "winners/").content.decode()
    for name in ("Công Dân Hai", "Công Chức Một", "Xã Sơn Cẩm", "Giải nhất"):
        assert name in html
    assert "Công Dân Ba" not in html
    for secret in (*PHONES, "ba@example.com", "001200000003"):
        assert secret not in html
    assert 'href="' + contest.url + 'winners/"' in client.get(contest.url).content.decode()


def test_a_stale_draft_is_not_confirmed(contest):
    results.close_round(contest.rounds.get(number=1))
    admin = csrf_client(user_with_role(ORGANIZER, unit=None))
    base = f"/admin/contest/results/{contest.pk}/"
    token = admin.get(base).cookies["csrftoken"].value
    admin.post(base + "prizes/draft/", {"csrfmiddlewaretoken": token})
    reviewed = admin.get(base + "prizes/").context["fingerprint"]
    prizes.draft_prizes(contest)  # someone drafts again meanwhile
    response = admin.post(base + "prizes/confirm/", {"csrfmiddlewaretoken": token, "draft": reviewed})
    assert response.status_code == 302
    assert not PrizeAward.objects.filter(status="confirmed").exists()


def test_drafting_before_any_final_round_says_so(contest):
    admin = csrf_client(user_with_role(ORGANIZER, unit=None))
    base = f"/admin/contest/results/{contest.pk}/"
    token = admin.get(base).cookies["csrftoken"].value
    response = admin.post(base + "prizes/draft/", {"csrfmiddlewaretoken": token}, follow=True)
    assert not PrizeAward.objects.exists()
    assert "Chưa tuần thi nào có kết quả chung cuộc" in response.content.decode()


def test_winners_page_before_any_confirmation(client, contest):
    results.close_round(contest.rounds.get(number=1))
    prizes.draft_prizes(contest)
    response = client.get(contest.url + "winners/")
    assert response.status_code == 200
    assert response.context["announced"] is False
    assert "Công Chức Một" not in response.content.decode()

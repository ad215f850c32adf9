"""Contest pages in Wagtail: where they may be created, the editor's cross-row
checks, and the organizer's page permissions."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from elearning.models import HomePage, NewsIndexPage
from elearning.roles import ORGANIZER
from quizzes.models import ContestIndexPage, ContestPage
from tests.factories.elearning import OfficialFactory
from tests.factories.quizzes import QuestionBankFactory, QuestionFactory, contest_index, make_contest


class ContestPageTreeTests(WagtailPageTestCase):
    def test_where_contest_pages_live(self):
        self.assertCanCreateAt(HomePage, ContestIndexPage)
        self.assertCanCreateAt(ContestIndexPage, ContestPage)
        self.assertCanNotCreateAt(HomePage, ContestPage)
        self.assertCanNotCreateAt(NewsIndexPage, ContestPage)
        self.assertCanNotCreateAt(ContestPage, ContestPage)
        self.assertAllowedSubpageTypes(ContestPage, set())

    def test_contest_pages_render(self):
        contest = make_contest(questions=5, rounds=2)
        self.assertPageIsRenderable(contest)
        self.assertPageIsRenderable(contest, route_path="/leaderboard/")
        self.assertPageIsRenderable(ContestIndexPage.objects.get())


def contest_form(bank, rounds, **overrides):
    data = {
        "title": "Cuộc thi thử",
        "slug": "cuoc-thi-thu",
        "intro": '{"blocks": [], "entityMap": {}}',
        "body": {"count": 0},
        "bank": bank.pk,
        "questions_per_attempt": 5,
        "time_limit_seconds": 900,
        "attempts_per_round": 3,
        "prediction_question": "",
        "prediction_kind": "participants",
        "eligibility": "everyone",
        "review": "after_round",
        "rounds": inline_formset(rounds),
        "topic_quotas": inline_formset([]),
        "prize_rules": inline_formset([{"group": "", "level": "first", "count": 1}]),
        "unit_prize_count": 3,
        "unit_min_participation": "0.50",
    }
    data.update(overrides)
    return nested_form_data(data)


def iso(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@pytest.mark.django_db
def test_organizer_creates_a_contest_in_the_admin_and_overlaps_are_refused(client):
    organizer = OfficialFactory().user
    organizer.groups.add(Group.objects.get(name=ORGANIZER))
    index = contest_index()
    bank = QuestionBankFactory()
    QuestionFactory.create_batch(6, bank=bank)
    client.force_login(organizer)
    start = timezone.now().replace(second=0, microsecond=0)
    overlapping = [
        {"number": 1, "opens_at": iso(start), "closes_at": iso(start + timedelta(days=7))},
        {"number": 2, "opens_at": iso(start + timedelta(days=6)), "closes_at": iso(start + timedelta(days=13))},
    ]
    add_url = f"/admin/pages/add/quizzes/contestpage/{index.pk}/"
    response = client.post(add_url, contest_form(bank, overlapping))
    assert response.status_code == 200
    assert not ContestPage.objects.filter(slug="cuoc-thi-thu").exists()
    assert "chồng lên nhau" in response.content.decode() or "overlap" in response.content.decode()
    weekly = [
        {"number": 1, "opens_at": iso(start), "closes_at": iso(start + timedelta(days=6))},
        {"number": 2, "opens_at": iso(start + timedelta(days=7)), "closes_at": iso(start + timedelta(days=13))},
    ]
    response = client.post(add_url, contest_form(bank, weekly, **{"action-publish": "action-publish"}))
    assert response.status_code == 302, response.content.decode()[:2000]
    contest = ContestPage.objects.get(slug="cuoc-thi-thu")
    assert contest.live and list(contest.rounds.values_list("number", flat=True)) == [1, 2]
    assert list(contest.prize_rules.values_list("level", "count")) == [("first", 1)]


@pytest.mark.django_db
def test_a_learner_cannot_reach_the_contest_editor(client):
    learner = OfficialFactory().user
    client.force_login(learner)
    index = contest_index()
    response = client.get(f"/admin/pages/add/quizzes/contestpage/{index.pk}/")
    assert response.status_code in (302, 403)


@pytest.mark.django_db
def test_organizers_get_page_permissions_on_the_contest_index():
    index = contest_index()
    organizers = Group.objects.get(name=ORGANIZER)
    codes = set(index.group_permissions.filter(group=organizers).values_list("permission__codename", flat=True))
    assert {"add_page", "change_page", "publish_page"} <= codes
    assert Page.objects.get(pk=index.pk)

"""The organizer's dashboard: its numbers against a small data set computed by hand,
its charts, and its query budget.

Round 1 (closed), five questions, ten participants (✓ right, ✗ wrong, — unanswered):

    rank  who  unit  Q1 Q2 Q3 Q4 Q5  score  time   day
     1    P1   A     ✓  ✗  ✓  ✗  ✓    3     100 s  0   (and a worse 2nd attempt on day 3)
     2    P2   A     ✓  ✗  ✓  ✗  ✓    3     110 s  0
     3    P3   A     ✓  ✗  ✓  ✓  —    3     120 s  0
     4    P4   A     ✓  ✗  ✓  ✗  ✗    2     100 s  0
     5    P5   B     ✓  ✗  ✗  ✓  ✗    2     110 s  1
     6    P6   B     ✓  ✗  ✗  ✓  ✗    2     120 s  1
     7    P7   B     ✓  ✗  ✗  ✓  ✗    2     130 s  1
     8    P8   B     ✓  ✓  ✗  ✗  ✗    2     140 s  1
     9    P9   C     ✓  ✗  ✗  ✗  ✗    1     100 s  3
    10    P10  C     ✓  ✗  ✗  ✗  —    1     110 s  3

Upper 27 % = round(2.7) = 3 people (P1–P3), lower 27 % = P8–P10.
"""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from elearning.roles import ORGANIZER
from quizzes.services import analytics, results
from tests.factories.elearning import ProfileFactory, UnitFactory, user_with_role
from tests.factories.quizzes import QuestionFactory
from tests.factories.results import closed_contest, graded_attempt, questions_of

pytestmark = pytest.mark.django_db

TABLE = {
    # name: (unit, marks for Q1..Q5, seconds, day)
    "P1": ("A", "✓✗✓✗✓", 100, 0),
    "P2": ("A", "✓✗✓✗✓", 110, 0),
    "P3": ("A", "✓✗✓✓—", 120, 0),
    "P4": ("A", "✓✗✓✗✗", 100, 0),
    "P5": ("B", "✓✗✗✓✗", 110, 1),
    "P6": ("B", "✓✗✗✓✗", 120, 1),
    "P7": ("B", "✓✗✗✓✗", 130, 1),
    "P8": ("B", "✓✓✗✗✗", 140, 1),
    "P9": ("C", "✓✗✗✗✗", 100, 3),
    "P10": ("C", "✓✗✗✗—", 110, 3),
}


def first_day():
    """09:00 local time, six days ago: inside round 1 (8 → 1 days ago)."""
    day = timezone.localdate() - timedelta(days=6)
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def build():
    contest = closed_contest(questions=5, unit_min_participation="0.50")
    questions = questions_of(contest)
    round1 = contest.rounds.get(number=1)
    units = {
        "A": UnitFactory(code="a", name="Xã A", headcount=4),
        "B": UnitFactory(code="b", name="Xã B", headcount=10),
        "C": UnitFactory(code="c", name="Xã C", headcount=5),
        "D": UnitFactory(code="d", name="Xã D", headcount=3),
    }
    people = {}
    start = first_day()
    for index, (name, (unit, marks, seconds, day)) in enumerate(TABLE.items()):
        profile = ProfileFactory(full_name=name, unit=units[unit])
        people[name] = profile
        graded_attempt(
            profile,
            round1,
            right=[q for q, mark in zip(questions, marks, strict=True) if mark == "✓"],
            wrong=[q for q, mark in zip(questions, marks, strict=True) if mark == "✗"],
            unanswered=[q for q, mark in zip(questions, marks, strict=True) if mark == "—"],
            started_at=start + timedelta(days=day, minutes=index),
            seconds=seconds,
            prediction=10,
        )
    # P1 tries again on day 3 and does worse: the best attempt still counts.
    graded_attempt(
        people["P1"],
        round1,
        right=questions[:1],
        wrong=questions[1:],
        started_at=start + timedelta(days=3, hours=2),
        seconds=50,
    )
    return contest, round1, questions, people, units


@pytest.fixture
def data():
    return build()


def test_participation_per_day_counts_people_and_attempts_with_empty_days(data):
    contest, *_ = data
    days = analytics.participation_per_day(contest)
    first = first_day().date()
    assert [(d.day, d.people, d.attempts) for d in days] == [
        (first, 4, 4),
        (first + timedelta(days=1), 4, 4),
        (first + timedelta(days=2), 0, 0),
        (first + timedelta(days=3), 3, 3),
    ]


def test_unit_rates_against_headcount_and_lagging_units(data):
    contest, *_ = data
    rows = {row["code"]: row for row in analytics.unit_participation(contest)}
    assert {code: (r["participants"], r["headcount"], r["participation_rate"]) for code, r in rows.items()} == {
        "a": (4, 4, 1.0),
        "b": (4, 10, 0.4),
        "c": (2, 5, 0.4),
        "d": (0, 3, 0.0),
    }
    assert [code for code, row in rows.items() if row["lagging"]] == ["b", "c", "d"]
    # ranked by rate, then participants: A, B (4 people), C (2), D
    assert [row["code"] for row in analytics.unit_participation(contest)] == ["a", "b", "c", "d"]


@pytest.mark.parametrize("finalize", [False, True], ids=["live", "final"])
def test_score_distribution_and_item_analysis(data, finalize):
    contest, round1, questions, *_ = data
    if finalize:
        results.close_round(round1)
    data_ = analytics.round_results(round1)
    assert data_.final is finalize
    assert analytics.score_distribution(data_) == [(0, 0), (1, 2), (2, 5), (3, 3), (4, 0), (5, 0)]
    assert analytics.extreme_group_size(len(data_.participants)) == 3

    items = {item.question_id: item for item in analytics.item_analysis(data_)}
    q1, q2, q3, q4, q5 = (items[q.pk] for q in questions)
    assert [(i.seen, i.correct) for i in (q1, q2, q3, q4, q5)] == [(10, 10), (10, 1), (10, 4), (10, 4), (10, 2)]
    assert [i.share_correct for i in (q1, q2, q3, q4, q5)] == [1.0, 0.1, 0.4, 0.4, 0.2]
    assert [(i.upper_correct, i.upper_seen, i.lower_correct, i.lower_seen) for i in (q1, q2, q3, q4, q5)] == [
        (3, 3, 3, 3),
        (0, 3, 1, 3),
        (3, 3, 0, 3),
        (1, 3, 0, 3),
        (2, 3, 0, 3),
    ]
    assert q1.discrimination == 0
    assert q2.discrimination == pytest.approx(-1 / 3)
    assert q3.discrimination == 1
    assert q4.discrimination == pytest.approx(1 / 3)
    assert q5.discrimination == pytest.approx(2 / 3)
    # flags: Q1 almost everyone right (and it separates nobody), Q2 almost no one right and negative
    assert (q1.too_easy, q1.low_discrimination, q1.too_hard) == (True, True, False)
    assert (q2.too_hard, q2.negative_discrimination, q2.too_easy) == (True, True, False)
    assert [q.flagged for q in (q3, q4, q5)] == [False, False, False]


def test_a_question_counts_only_the_participants_who_drew_it(data):
    contest, round1, questions, *_ = data
    extra = QuestionFactory(bank=contest.bank, text="Chỉ một người gặp câu này?")
    graded_attempt(ProfileFactory(full_name="P11"), round1, right=[extra], wrong=questions[:1], seconds=30)
    items = {item.question_id: item for item in analytics.item_analysis(analytics.round_results(round1))}
    assert (items[extra.pk].seen, items[extra.pk].correct) == (1, 1)
    assert items[questions[0].pk].seen == 11


def test_extreme_group_size():
    assert [analytics.extreme_group_size(n) for n in (0, 1, 2, 3, 4, 10, 100)] == [0, 0, 1, 1, 1, 3, 27]


# --- the page ----------------------------------------------------------------------------


@pytest.fixture
def organizer(db):
    return user_with_role(ORGANIZER, unit=None)


def dashboard_url(contest, round_number=None):
    url = f"/admin/contest/results/{contest.pk}/"
    return f"{url}?round={round_number}" if round_number else url


def test_dashboard_shows_the_numbers_and_accessible_charts(client, data, organizer):
    contest, round1, *_ = data
    client.force_login(organizer)
    response = client.get(dashboard_url(contest, 1))
    assert response.status_code == 200
    html = response.content.decode()
    # charts: inline SVG with a title and a description, and the numbers as a table
    assert html.count('role="img"') == 3
    assert "<title" in html and "<desc" in html
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"(https?:)?//", html), "no asset from another site"
    # coordinates stay numbers in the Vietnamese locale (a decimal comma would break the drawing)
    for svg in re.findall(r"<svg class=\"results-chart__svg\".*?</svg>", html, re.S):
        for shape in re.findall(r"<(?:rect|line|text)\b[^>]*>", svg):
            for value in re.findall(r'\b(?:x|y|x1|x2|y1|y2|width|height)="([^"]*)"', shape):
                float(value)
        assert "<rect" in svg
    assert "Xã B" in html and "Xã D" in html
    units = response.context["units"]
    assert [u["code"] for u in units if u["lagging"]] == ["b", "c", "d"]
    assert response.context["lagging_count"] == 3
    assert response.context["distribution"] == [(0, 0), (1, 2), (2, 5), (3, 3), (4, 0), (5, 0)]
    assert response.context["flagged_items"] == 2
    # round 1 has closed but is not final yet: the close button is offered
    assert f"/admin/contest/results/{contest.pk}/rounds/1/close/" in html
    # the feedback of the closed round is there: unit B missed Q2 (4/4 wrong)
    feedback = {unit.code: unit for unit in response.context["feedback"]}
    assert feedback["b"].participants == 4


def test_dashboard_query_count_is_bounded(client, data, organizer, django_assert_max_num_queries):
    contest, round1, *_ = data
    results.close_round(round1)
    client.force_login(organizer)
    client.get(dashboard_url(contest, 1))  # warm the caches (site root paths, final round results)
    with django_assert_max_num_queries(45):
        assert client.get(dashboard_url(contest, 1)).status_code == 200
    # more participants do not mean more queries
    questions = data[2]
    round2 = contest.rounds.get(number=2)
    for _index in range(15):
        graded_attempt(ProfileFactory(), round2, right=questions[:2], wrong=questions[2:], started_at=timezone.now())
    with django_assert_max_num_queries(45):
        assert client.get(dashboard_url(contest, 2)).status_code == 200


def test_dashboard_of_a_contest_without_attempts(client, organizer):
    contest = closed_contest()
    client.force_login(organizer)
    response = client.get(dashboard_url(contest))
    assert response.status_code == 200
    assert response.context["participation_chart"].points == []
    assert 'role="img"' not in response.content.decode()
    assert client.get(dashboard_url(contest, 9)).status_code == 404

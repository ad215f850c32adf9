"""A whole submit's statements: grading, standings, aggregates and rank (test_write_path has
the attempt's part alone, test_leaderboard_rebuild the standings')."""

from datetime import timedelta

import pytest
from django.db.models import F

from quizzes.models import Attempt

from .helpers import correct_ids
from .test_leaderboard_rebuild import AGGREGATE_STATEMENTS
from .test_write_path import answer_url, bank_contest, extra_queries, two  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_a_submit_is_nine_statements_in_all(two, django_assert_num_queries):  # noqa: F811 (the fixture)
    client, attempt = two
    # Started a minute earlier than the first full mark's attempt: slower, so ranked behind it
    # however long the requests took on a busy machine.
    Attempt.objects.filter(pk=attempt.pk).update(started_at=F("started_at") - timedelta(minutes=1))
    for index, item in enumerate(attempt.draw):
        client.put(answer_url(attempt, index), {"choices": correct_ids(item["q"])}, format="json")
    # SAVEPOINT, the locked attempt (with its contest's prediction question and my name), its
    # answers, its UPDATE; my round standing's INSERT, my contest standing's upsert, the unit
    # rows and the buckets (one statement on PostgreSQL, one per table on SQLite), RELEASE;
    # my rank from the SQL board's score buckets (the push after the commit reads nothing).
    with django_assert_num_queries(8 + AGGREGATE_STATEMENTS() + extra_queries()):
        response = client.post(f"/api/v1/attempts/{attempt.pk}/submit/", {"prediction": 7}, format="json")
    assert response.status_code == 200 and response.json()["rank"] == 2  # behind the first full mark

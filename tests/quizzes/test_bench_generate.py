"""The benchmark generator's rows fit the schema and are what the grading would have written.

Its rows are loaded here through the test database's own cursor (the bench loads them with
COPY or executemany): a column the models require and the generator leaves out fails here."""

from argparse import Namespace
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from bench import generate
from quizzes.leaderboards import SqlLeaderboard
from quizzes.leaderboards.redis_backend import RedisLeaderboard, contest_key
from quizzes.models import ContestStanding, Standing
from tests.factories.elearning import UnitFactory
from tests.factories.quizzes import make_contest

pytestmark = pytest.mark.django_db


def load(plan):
    for table, columns, rows in generate.build(plan):
        names = columns.split()
        if "draw" in names:  # as the loaders do: the draw's index into plan.draws
            at = names.index("draw")
            rows = [(*row[:at], plan.draws[row[at]], *row[at + 1 :]) for row in rows]
        quoted = ", ".join(name if name.startswith('"') else f'"{name}"' for name in names)
        with connection.cursor() as cursor:
            cursor.executemany(
                f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join(["%s"] * len(names))})',  # noqa: S608 — the generator's names
                rows,
            )


def test_generated_contest_standings_carry_a_version_and_rebuild_as_sql_ranks_them(with_redis):
    contest = make_contest(questions=20, rounds=1, questions_per_attempt=20)
    UnitFactory(headcount=30)
    args = Namespace(seed=3, participants=12, attempts=15, in_progress=2, rank_users=3, rush_users=2, spare_users=1)
    plan = generate.Plan(contest, args)
    load(plan)
    standings = ContestStanding.objects.filter(contest=contest)
    assert standings.count() == Standing.objects.filter(round__contest=contest).count() == 12
    assert set(standings.values_list("version", flat=True)) == {1}
    call_command("rebuild_leaderboards", stdout=StringIO())
    versions = with_redis.hgetall(f"{contest_key(contest.pk)}:v")
    assert {int(user): int(version) for user, version in versions.items()} == dict(
        standings.values_list("user_id", "version")
    )
    assert RedisLeaderboard().contest_board(contest.pk, 0, 50) == SqlLeaderboard().contest_board(contest.pk, 0, 50)

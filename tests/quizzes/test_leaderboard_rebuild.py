"""Redis boards: rebuilt out of band when big, swapped in whole, kept by one write per grading;
the standings' aggregates kept in one statement per table."""

import json
import random
from collections import Counter
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
import redis as redis_lib
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.test import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from redis.connection import Encoder as RespEncoder
from redis.connection import PythonRespSerializer

from elearning.models import Profile
from quizzes.leaderboards import SqlLeaderboard, bulk
from quizzes.leaderboards import redis_backend as rb
from quizzes.leaderboards.redis_backend import RedisLeaderboard, contest_key, round_key
from quizzes.leaderboards.rows import display_json, display_name
from quizzes.leaderboards.units import all_units
from quizzes.models import Attempt, ContestStanding, RoundResult, ScoreBucket, Standing, UnitStanding
from quizzes.services import standings
from tests.factories.elearning import ProfileFactory, UnitFactory, UserFactory
from tests.factories.quizzes import make_contest

from .test_leaderboards import graded
from .test_redis_outage import DEAD_CACHES, DEAD_REDIS

pytestmark = pytest.mark.django_db


def field(contest, seed=1, people=9):
    """Round 1 and round 2 results with ties on score, duration and submission time, people
    in two units, one with no unit and one with no profile at all."""
    rng = random.Random(seed)
    round1, round2 = contest.rounds.order_by("number")[:2]
    units = [UnitFactory(), UnitFactory()]
    now = timezone.now().replace(microsecond=0)
    users = [ProfileFactory(unit=units[i % 2] if i else None).user for i in range(people)]
    for user in users:
        for round_ in (round1, round2):
            for _ in range(rng.randint(0, 2)):
                graded(
                    user,
                    contest,
                    round_,
                    rng.randint(0, 3),
                    rng.choice([30, 31]),
                    now + timedelta(seconds=rng.choice([0, 0, 1])),
                )
    nobody = UserFactory()
    graded(nobody, contest, round1, 2, 30, now)
    return round1, round2, [*users, nobody]


def assert_redis_equals_sql(contest, rounds, users, *, from_redis=True, require_no_profile=True):
    """Every page, total and rank: names, units, ties. ``from_redis``: SQL must not be asked."""
    redis_board, sql = RedisLeaderboard(), SqlLeaderboard()
    expected = {
        "rounds": [(sql.round_board(r.pk, 0, 500), [sql.round_rank(r.pk, u.pk) for u in users]) for r in rounds],
        "contest": (sql.contest_board(contest.pk, 0, 500), [sql.contest_rank(contest.pk, u.pk) for u in users]),
    }
    patch = mock.patch.object(redis_board, "sql", None) if from_redis else mock.MagicMock()
    with patch:
        got = {
            "rounds": [
                (redis_board.round_board(r.pk, 0, 500), [redis_board.round_rank(r.pk, u.pk) for u in users])
                for r in rounds
            ],
            "contest": (
                redis_board.contest_board(contest.pk, 0, 500),
                [redis_board.contest_rank(contest.pk, u.pk) for u in users],
            ),
        }
    assert got == expected
    names = {row["name"] for row in expected["rounds"][0][0][1]}
    without_profile = [user for user in users if not Profile.objects.filter(user=user).exists()]
    assert without_profile or not require_no_profile
    assert {display_name(user.pk, None) for user in without_profile} <= names


@pytest.fixture
def contest(db):
    return make_contest(questions=5, rounds=2)


@override_settings(LEADERBOARD_REQUEST_REBUILD_MAX=3)
def test_big_missing_board_is_served_from_sql_until_the_command_rebuilds_it(with_redis, contest):
    round1, round2, users = field(contest)
    with_redis.flushdb()  # Redis restarted empty
    rb.forget_memos()
    # more standings than a request may rebuild: answered from SQL, nothing rebuilt, no lock left
    assert_redis_equals_sql(contest, [round1, round2], users, from_redis=False)
    for key in (round_key(round1.pk), contest_key(contest.pk)):
        assert not with_redis.exists(f"{key}:meta") and not with_redis.exists(f"{key}:lock")
    out = StringIO()
    call_command("rebuild_leaderboards", stdout=out)
    assert f"{contest.slug} round 1: {Standing.objects.filter(round=round1).count()} standings" in out.getvalue()
    assert with_redis.exists(f"{round_key(round1.pk)}:meta") and with_redis.exists(f"{contest_key(contest.pk)}:meta")
    assert_redis_equals_sql(contest, [round1, round2], users)


def test_small_missing_board_is_rebuilt_by_the_first_reader_unless_another_is_at_it(with_redis, contest):
    round1, round2, users = field(contest, seed=2)
    with_redis.flushdb()
    rb.forget_memos()
    with_redis.set(f"{round_key(round1.pk)}:lock", "request")  # another worker is rebuilding it
    assert RedisLeaderboard().round_board(round1.pk) == SqlLeaderboard().round_board(round1.pk)
    assert not with_redis.exists(f"{round_key(round1.pk)}:meta")
    with_redis.delete(f"{round_key(round1.pk)}:lock")
    rb.forget_memos()
    assert_redis_equals_sql(contest, [round1, round2], users, from_redis=False)  # rebuilt while reading
    assert_redis_equals_sql(contest, [round1, round2], users)


@override_settings(LEADERBOARD_REQUEST_REBUILD_MAX=3)
def test_stale_big_board_is_served_from_sql_until_the_periodic_job_rebuilds_it(with_redis, contest):
    round1, round2, users = field(contest, seed=3)
    call_command("rebuild_leaderboards", stdout=StringIO())
    # an outage: gradings that never reached Redis, the round marked stale
    late = ProfileFactory().user
    graded(late, contest, round1, 3, 5, timezone.now())
    RoundResult.objects.update_or_create(round=round1, defaults={"leaderboard_stale": True})
    rb.forget_memos()
    users = [*users, late]
    assert_redis_equals_sql(contest, [round1, round2], users, from_redis=False)
    assert RoundResult.objects.get(round=round1).leaderboard_stale  # no rebuild in a request
    out = StringIO()
    call_command("close_expired_attempts", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "0 expired attempt(s) graded"
    assert any(line.startswith(f"{contest.slug} round 1: board rebuilt") for line in lines)
    assert any(line.startswith(f"{contest.slug} contest-wide: board rebuilt") for line in lines)
    assert not any("round 2" in line for line in lines)  # built and not stale: left alone
    assert not RoundResult.objects.get(round=round1).leaderboard_stale
    assert_redis_equals_sql(contest, [round1, round2], users)


def test_missing_option_rebuilds_only_what_is_missing(with_redis, contest):
    round1, round2, users = field(contest, seed=4)
    call_command("rebuild_leaderboards", stdout=StringIO())
    with_redis.delete(f"{round_key(round2.pk)}:meta")
    out = StringIO()
    call_command("rebuild_leaderboards", "--missing", stdout=out)
    assert [line.split(":")[0] for line in out.getvalue().splitlines()] == [f"{contest.slug} round 2"]
    out = StringIO()
    call_command("rebuild_leaderboards", "--missing", stdout=out)
    assert out.getvalue() == ""
    assert_redis_equals_sql(contest, [round1, round2], users)


def test_periodic_job_survives_redis_down(contest):
    with override_settings(REDIS_URL=DEAD_REDIS, CACHES=DEAD_CACHES):
        out, err = StringIO(), StringIO()
        call_command("close_expired_attempts", stdout=out, stderr=err)
    assert out.getvalue().strip() == "0 expired attempt(s) graded"
    assert "Redis unavailable" in err.getvalue()


def test_readers_never_see_a_half_built_board(with_redis, contest):
    round1, round2, users = field(contest, seed=5)
    board = RedisLeaderboard()
    board.rebuild_round(round1.pk)
    before = board.round_board(round1.pk, 0, 500)
    extra = [ProfileFactory().user for _ in range(5)]
    for i, user in enumerate(extra):
        graded(user, contest, round1, 3, 10 + i, timezone.now())  # not pushed (no commit)
    seen = []
    add = bulk.BoardLoader.add

    def watching(loader, chunk):
        seen.append(board.round_board(round1.pk, 0, 500))  # what a reader gets mid-rebuild
        return add(loader, chunk)

    with mock.patch.object(bulk.BoardLoader, "add", watching):
        count = board.rebuild_round(round1.pk, chunk=2)
    assert count == Standing.objects.filter(round=round1).count() and len(seen) >= 4
    assert all(page == before for page in seen)
    assert_redis_equals_sql(contest, [round1, round2], [*users, *extra])
    assert not [key for key in with_redis.scan_iter("*:building:*")]


def test_gradings_during_a_rebuild_are_replayed(with_redis, contest, django_capture_on_commit_callbacks):
    round1, round2, users = field(contest, seed=6)
    board = RedisLeaderboard()
    late = []
    add = bulk.BoardLoader.add

    def grading_meanwhile(loader, chunk):
        if not late:  # once, in the middle of the round's rebuild
            late.append(ProfileFactory().user)
            with django_capture_on_commit_callbacks(execute=True):
                graded(late[0], contest, round1, 3, 1, timezone.now())
        return add(loader, chunk)

    with mock.patch.object(bulk.BoardLoader, "add", grading_meanwhile):
        board.rebuild_round(round1.pk, chunk=3)
    board.rebuild_contest(contest.pk)
    assert board.round_rank(round1.pk, late[0].pk)["rank"] == 1
    assert_redis_equals_sql(contest, [round1, round2], [*users, *late])


def test_a_grading_writes_both_boards_in_one_call(with_redis, contest, django_capture_on_commit_callbacks):
    round1, round2, users = field(contest, seed=7)
    call_command("rebuild_leaderboards", stdout=StringIO())
    me = ProfileFactory().user
    sent = []
    execute = redis_lib.Redis.execute_command

    def counting(client, *args, **options):
        sent.append(args[0])
        return execute(client, *args, **options)

    start = timezone.now()
    with mock.patch.object(redis_lib.Redis, "execute_command", counting):
        for score, duration, moment in ((1, 50, start), (1, 40, start + timedelta(seconds=5)), (5, 60, start)):
            sent.clear()
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                graded(me, contest, round1, score, duration, moment)
            assert len(callbacks) == 1
            assert sent == ["EVALSHA"], sent  # both boards, the old member dropped, one round trip
    redis_board = RedisLeaderboard()
    assert redis_board.round_rank(round1.pk, me.pk) == {"rank": 1, "score": 5, "duration_ms": 60_000}
    # one entry per person on each board: the earlier members were replaced
    key = round_key(round1.pk)
    people = Standing.objects.filter(round=round1).count()
    assert with_redis.zcard(key) == with_redis.hlen(f"{key}:rows") == with_redis.hlen(f"{key}:m") == people
    assert_redis_equals_sql(contest, [round1, round2], [*users, me])


def test_the_push_reads_one_row(with_redis, contest, django_capture_on_commit_callbacks, django_assert_num_queries):
    round1 = contest.rounds.get(number=1)
    RedisLeaderboard().rebuild_round(round1.pk)
    RedisLeaderboard().rebuild_contest(contest.pk)
    me = ProfileFactory().user
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        graded(me, contest, round1, 2, 20, timezone.now())
    all_units()  # what a running process has in memory
    with django_assert_num_queries(1):  # my contest standing with my name; unit names are in memory
        for callback in callbacks:
            callback()
    key = round_key(round1.pk)
    row = json.loads(with_redis.hget(f"{key}:rows", with_redis.hget(f"{key}:m", me.pk)))
    assert row == {"n": me.profile.full_name, "u": me.profile.unit.name, "s": 2, "d": 20_000}


def test_crossing_pushes_leave_the_latest_contest_totals(with_redis, contest, django_capture_on_commit_callbacks):
    round1, round2 = contest.rounds.order_by("number")[:2]
    call_command("rebuild_leaderboards", stdout=StringIO())
    me = ProfileFactory().user
    with django_capture_on_commit_callbacks(execute=False) as first:
        graded(me, contest, round1, 2, 20, timezone.now())
    with django_capture_on_commit_callbacks(execute=False) as second:
        graded(me, contest, round2, 3, 30, timezone.now())
    for callback in [*second, *first]:  # the first grading's push arrives last
        callback()
    assert RedisLeaderboard().contest_rank(contest.pk, me.pk) == {"rank": 1, "score": 5, "duration_ms": 50_000}
    assert_redis_equals_sql(contest, [round1, round2], [me], require_no_profile=False)


def recorded_as_submitted(user, contest, round_, unit, *, score, seconds):
    """An attempt recorded as a submit records it: its locked read gave the person's full name,
    so the push after the commit carries every total and reads nothing."""
    attempt = submitted(user, contest, round_, 1, unit, score=score, seconds=seconds)
    attempt.full_name = user.profile.full_name
    standings.record(attempt)
    return attempt


def test_crossing_pushes_that_carry_their_totals_leave_the_newest(
    with_redis, contest, django_capture_on_commit_callbacks, django_assert_num_queries
):
    round1, round2 = contest.rounds.order_by("number")[:2]
    call_command("rebuild_leaderboards", stdout=StringIO())
    unit = UnitFactory()
    me = ProfileFactory(unit=unit).user
    with django_capture_on_commit_callbacks(execute=False) as first:
        recorded_as_submitted(me, contest, round1, unit, score=2, seconds=20)
    with django_capture_on_commit_callbacks(execute=False) as second:
        recorded_as_submitted(me, contest, round2, unit, score=3, seconds=30)
    all_units()  # what a running process has in memory
    with django_assert_num_queries(0):  # each push carries what its grading wrote and read
        for callback in [*second, *first]:  # the first grading's push arrives last
            callback()
    board = RedisLeaderboard()
    assert board.contest_rank(contest.pk, me.pk) == {"rank": 1, "score": 5, "duration_ms": 50_000}
    assert board.round_rank(round1.pk, me.pk) == {"rank": 1, "score": 2, "duration_ms": 20_000}
    assert_redis_equals_sql(contest, [round1, round2], [me], require_no_profile=False)


def test_a_rebuilt_contest_board_keeps_the_versions_and_refuses_an_older_push(
    with_redis, contest, django_capture_on_commit_callbacks
):
    round1, round2, users = field(contest, seed=10)
    unit = UnitFactory()
    me = ProfileFactory(unit=unit).user
    with django_capture_on_commit_callbacks(execute=False) as late:
        recorded_as_submitted(me, contest, round1, unit, score=2, seconds=20)
    recorded_as_submitted(me, contest, round2, unit, score=3, seconds=30)  # its push never ran
    call_command("rebuild_leaderboards", stdout=StringIO())
    versions = dict(ContestStanding.objects.filter(contest=contest).values_list("user_id", "version"))
    assert versions[me.pk] == 2 and max(versions.values()) > 1
    key = contest_key(contest.pk)
    assert {int(user): int(v) for user, v in with_redis.hgetall(f"{key}:v").items()} == versions
    for callback in late:  # the first grading's push, delayed past the rebuild
        callback()
    assert RedisLeaderboard().contest_rank(contest.pk, me.pk)["score"] == 5
    assert_redis_equals_sql(contest, [round1, round2], [*users, me])


def test_the_contest_row_keeps_the_unit_of_the_contest_standing(
    with_redis, contest, django_capture_on_commit_callbacks
):
    round1, round2 = contest.rounds.order_by("number")[:2]
    call_command("rebuild_leaderboards", stdout=StringIO())
    first_unit, second_unit = UnitFactory(), UnitFactory()
    profile = ProfileFactory(unit=first_unit)
    with django_capture_on_commit_callbacks(execute=True):
        recorded_as_submitted(profile.user, contest, round1, first_unit, score=2, seconds=20)
    profile.unit = second_unit  # moved between the rounds
    profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        recorded_as_submitted(profile.user, contest, round2, second_unit, score=3, seconds=30)
    rows = RedisLeaderboard().contest_board(contest.pk, 0, 50)
    assert [row["unit"] for row in rows[1]] == [first_unit.name]
    assert_redis_equals_sql(contest, [round1, round2], [profile.user], require_no_profile=False)


def test_a_push_during_a_redis_outage_marks_the_round_stale(with_redis, contest, django_capture_on_commit_callbacks):
    round1, round2, users = field(contest, seed=8)
    call_command("rebuild_leaderboards", stdout=StringIO())
    board = RedisLeaderboard()
    board.contest_board(contest.pk)  # remembers "no stale round" for a while
    late = ProfileFactory().user

    def broken():
        raise redis_lib.ConnectionError("down")

    with mock.patch("quizzes.leaderboards.redis_backend._connection", broken):
        with django_capture_on_commit_callbacks(execute=True):
            graded(late, contest, round1, 3, 1, timezone.now())
        assert RoundResult.objects.get(round=round1).leaderboard_stale
        # served from SQL at once in this process, the contest board too
        assert board.contest_rank(contest.pk, late.pk) == SqlLeaderboard().contest_rank(contest.pk, late.pk)
    # Redis back, the board small: the next reader rebuilds it
    assert_redis_equals_sql(contest, [round1, round2], [*users, late], from_redis=False)
    assert not RoundResult.objects.get(round=round1).leaderboard_stale
    assert_redis_equals_sql(contest, [round1, round2], [*users, late])


@pytest.mark.django_db(transaction=True)
def test_the_command_rebuilds_boards_in_parallel_processes(with_redis):
    with transaction.atomic():  # (gradings lock rows)
        contest = make_contest(questions=5, rounds=2)
        round1, round2, users = field(contest, seed=9)
    with_redis.flushdb()
    out = StringIO()
    with mock.patch("quizzes.management.commands.rebuild_leaderboards.ProcessPoolExecutor") as pool:
        pool.side_effect = AssertionError("no pool inside a transaction")
        with transaction.atomic():
            call_command("rebuild_leaderboards", "--jobs", "2", stdout=StringIO())
    call_command("rebuild_leaderboards", "--jobs", "2", stdout=out)  # two child processes
    assert out.getvalue().splitlines()[0].startswith(f"{contest.slug} round 1: ")
    rb.forget_memos()
    assert_redis_equals_sql(contest, [round1, round2], users)


# -- the standings' aggregates -------------------------------------------------------


def recount(contest):
    """Unit rows and score buckets recomputed from the standings."""
    units = Counter()
    for round_id, unit_id, n, total in (
        Standing.objects.filter(round__contest=contest, unit__isnull=False)
        .values_list("round_id", "unit_id")
        .annotate(n=Count("pk"), total=Sum("score"))
    ):
        units[(round_id, unit_id)] = (n, total)
    buckets = Counter()
    for standing in Standing.objects.filter(round__contest=contest):
        buckets[(standing.round_id, *standings.bucket_of(standing.score, standing.duration_ms))] += 1
    for standing in ContestStanding.objects.filter(contest=contest):
        buckets[(None, *standings.bucket_of(standing.score, standing.duration_ms))] += 1
    return units, buckets


def test_aggregates_match_the_standings_after_many_gradings(contest):
    rng = random.Random(12)
    round1, round2 = contest.rounds.order_by("number")[:2]
    units = [UnitFactory(), UnitFactory(), UnitFactory()]
    people = [ProfileFactory(unit=rng.choice(units)).user for _ in range(12)]
    now = timezone.now()
    for _ in range(40):
        user = rng.choice(people)
        graded(user, contest, rng.choice([round1, round2]), rng.randint(0, 5), rng.randint(10, 14) / 2, now)
    moved = ProfileFactory(unit=units[0]).user  # changes unit between rounds
    graded(moved, contest, round1, 2, 20, now)
    moved.profile.unit = units[1]
    moved.profile.save()
    graded(moved, contest, round2, 3, 20, now)
    expected_units, expected_buckets = recount(contest)
    round_rows = {
        (row.round_id, row.unit_id): (row.participants, row.score_sum)
        for row in UnitStanding.objects.filter(contest=contest, round__isnull=False)
        if row.participants
    }
    assert round_rows == dict(expected_units)
    contest_rows = {
        row.unit_id: (row.participants, row.score_sum)
        for row in UnitStanding.objects.filter(contest=contest, round__isnull=True)
    }
    by_person = {}
    for standing in ContestStanding.objects.filter(contest=contest):
        by_person[standing.user_id] = standing
    assert sum(participants for participants, _ in contest_rows.values()) == len(by_person)
    assert sum(total for _, total in contest_rows.values()) == sum(s.score for s in by_person.values())
    got_buckets = {
        (row.round_id, row.score, row.second): row.count
        for row in ScoreBucket.objects.filter(contest=contest)
        if row.count
    }
    assert got_buckets == {key: n for key, n in expected_buckets.items() if n}


def submitted(user, contest, round_, number, unit, *, score, seconds):
    """A submitted attempt, graded but not yet recorded in the standings."""
    return Attempt.objects.create(
        user=user, contest=contest, round=round_, number=number, state="submitted", group="citizen", unit=unit,
        started_at=timezone.now() - timedelta(seconds=seconds), deadline=timezone.now() + timedelta(minutes=5),
        submitted_at=timezone.now(), score=score, max_score=5, duration_ms=seconds * 1000, draw=[],
    )  # fmt: skip


def AGGREGATE_STATEMENTS():  # noqa: N802
    """The unit rows' and the buckets' upserts: one statement on PostgreSQL (writes in a WITH
    clause), one per table on SQLite; the same whether the rows exist or not."""
    return 1 if connection.vendor == "postgresql" else 2


def test_recording_a_result_takes_few_statements(contest, django_assert_num_queries):
    round1, round2 = contest.rounds.order_by("number")[:2]
    unit = UnitFactory()
    other = ProfileFactory(unit=unit).user  # the unit's rows and the buckets I move to exist
    graded(other, contest, round1, 3, 30, timezone.now())
    graded(other, contest, round2, 2, 45, timezone.now())
    me = ProfileFactory(unit=unit).user
    graded(me, contest, round2, 2, 45, timezone.now())  # my contest standing exists
    attempt = submitted(me, contest, round1, 1, unit, score=3, seconds=30)
    # my standing's insert; my contest standing's upsert (it adds to the row that is there);
    # both unit rows and every bucket in one statement on PostgreSQL, one per table on SQLite
    with django_assert_num_queries(2 + AGGREGATE_STATEMENTS()):
        standings.record(attempt)
    assert UnitStanding.objects.get(round=round1, unit=unit).participants == 2
    assert ScoreBucket.objects.get(round=round1, score=3, second=30).count == 2


def test_a_first_result_is_four_statements(contest, django_assert_num_queries):
    round1 = contest.rounds.order_by("number").first()
    unit = UnitFactory()
    graded(ProfileFactory(unit=unit).user, contest, round1, 3, 30, timezone.now())  # unit rows and buckets exist
    me = ProfileFactory(unit=unit).user
    attempt = submitted(me, contest, round1, 1, unit, score=3, seconds=30)
    # my round standing and my contest standing each one INSERT (no read first), then the
    # unit rows and the buckets
    with django_assert_num_queries(2 + AGGREGATE_STATEMENTS()):
        standings.record(attempt)
    mine = ContestStanding.objects.get(contest=contest, user=me)
    assert (mine.score, mine.duration_ms, mine.rounds) == (3, 30_000, 1)
    assert Standing.objects.get(round=round1, user=me).attempt == attempt
    assert UnitStanding.objects.get(round=round1, unit=unit).participants == 2
    assert ScoreBucket.objects.get(round=round1, score=3, second=30).count == 2


def test_a_result_into_new_unit_rows_and_buckets_costs_no_extra_statement(contest, django_assert_num_queries):
    """The first grading of a unit, or into a (score, second) nobody has yet, creates those rows
    in the same statements that add to existing ones: the count is the same for everybody."""
    round1, round2 = contest.rounds.order_by("number")[:2]
    unit = UnitFactory()
    me = ProfileFactory(unit=unit).user
    first = submitted(me, contest, round1, 1, unit, score=3, seconds=30)
    with django_assert_num_queries(2 + AGGREGATE_STATEMENTS()):  # nothing of this unit or score exists
        standings.record(first)
    again = submitted(me, contest, round1, 2, unit, score=5, seconds=41)  # better: moves bucket and totals
    with django_assert_num_queries(
        4 + AGGREGATE_STATEMENTS()
    ):  # the insert finding mine, its lock and save, the contest upsert
        standings.record(again)
    later = submitted(me, contest, round2, 1, unit, score=2, seconds=12)
    with django_assert_num_queries(2 + AGGREGATE_STATEMENTS()):
        standings.record(later)
    rows = {(row.round_id, row.unit_id): (row.participants, row.score_sum) for row in UnitStanding.objects.all()}
    assert rows == {(round1.pk, unit.pk): (1, 5), (round2.pk, unit.pk): (1, 2), (None, unit.pk): (1, 7)}
    buckets = {(b.round_id, b.score, b.second): b.count for b in ScoreBucket.objects.filter(contest=contest)}
    assert buckets == {
        (round1.pk, 3, 30): 0,  # left by my better attempt
        (round1.pk, 5, 41): 1,
        (round2.pk, 2, 12): 1,
        (None, 3, 30): 0,
        (None, 5, 41): 0,
        (None, 7, 53): 1,  # my contest total: 5 + 2 points in 41 + 12 seconds
    }


def test_a_worse_second_attempt_moves_nothing(contest, django_assert_num_queries):
    round1 = contest.rounds.order_by("number").first()
    me = ProfileFactory().user
    graded(me, contest, round1, 4, 40, timezone.now())
    before = list(ScoreBucket.objects.filter(contest=contest).values_list("round_id", "score", "second", "count"))
    attempt = submitted(me, contest, round1, 2, None, score=2, seconds=50)
    with django_assert_num_queries(2):  # the insert that finds my standing, then my standing locked
        standings.record(attempt)
    assert Standing.objects.get(round=round1, user=me).score == 4
    assert ContestStanding.objects.get(contest=contest, user=me).score == 4
    assert (
        list(ScoreBucket.objects.filter(contest=contest).values_list("round_id", "score", "second", "count")) == before
    )


# -- encodings -----------------------------------------------------------------------

names = st.text(st.characters(blacklist_categories=["Cs"]), max_size=30)


@hsettings(max_examples=200, deadline=None)
@given(name=names, unit=names, score=st.integers(0, 10_000), duration=st.integers(0, 10**12))
def test_display_row_is_what_json_dumps_gives(name, unit, score, duration):
    assert display_json(name, unit, score, duration) == json.dumps(
        {"n": name, "u": unit, "s": score, "d": duration}, ensure_ascii=False
    )


@hsettings(max_examples=200, deadline=None)
@given(
    user_id=st.integers(1, rb.USER_K),
    score=st.integers(0, 1000),
    duration=st.integers(0, 2 * 10**12),
    submitted=st.integers(0, rb.TIME_K),
    name=st.none() | names,
    unit=st.none() | names,
)
def test_entry_encoders_use_the_board_encoding(user_id, score, duration, submitted, name, unit):
    round_duration = min(duration, 2**31)
    member, value, row, version = rb._round_entry(user_id, score, round_duration, submitted, name, unit)
    assert member == rb.round_member(submitted, user_id).encode()
    assert value == str(rb.round_value(score, round_duration)).encode()
    assert version == b""  # a round board keeps no versions
    member, value, row, version = rb._contest_entry(user_id, score, duration, name, unit, score + 1)
    assert member == rb.contest_member(user_id).encode()
    assert value == str(rb.contest_value(score, duration)).encode()
    assert version == str(score + 1).encode()
    shown = json.loads(row)
    assert shown["u"] == (unit or "") and shown["d"] == duration
    assert shown["n"] == (name if name is not None else display_name(user_id, None))


@hsettings(max_examples=100, deadline=None)
@given(pairs=st.lists(st.tuples(st.binary(max_size=40), st.binary(max_size=9000)), max_size=30))
def test_bulk_commands_are_framed_as_redis_py_frames_them(pairs):
    packer = PythonRespSerializer(6000, RespEncoder("utf-8", "strict", False).encode)
    args = [b"HSET", b"k:rows", *[part for pair in pairs for part in pair]]
    assert bulk.command(b"HSET", b"k:rows", pairs) == b"".join(bytes(chunk) for chunk in packer.pack(*args))

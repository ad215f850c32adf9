"""The SQL backend's boards: one statement each, the ORM's order and row shapes, prepared on PostgreSQL."""

import random
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quizzes.leaderboards import SqlLeaderboard
from quizzes.leaderboards.rows import display_name, individual_row
from quizzes.leaderboards.sql import PREPARED_OFFSETS
from quizzes.models import ContestStanding, Standing
from tests.factories.elearning import ProfileFactory, UnitFactory, UserFactory
from tests.quizzes.test_leaderboards import graded

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


def orm_rows(queryset, *order):
    """The reference: the rows the ORM gives for the same standings in the same order."""
    values = queryset.order_by(*order).values_list(
        "user_id", "user__profile__full_name", "unit__name", "score", "duration_ms"
    )
    return [
        individual_row(rank, display_name(user_id, name), unit or "", score, duration_ms)
        for rank, (user_id, name, unit, score, duration_ms) in enumerate(values, start=1)
    ]


def tied_field(contest, size=23, seed=6):
    """Standings with many exact ties (score, duration and submission time), some people with
    no profile (so no unit) and some profiles without a unit, over both rounds."""
    rng = random.Random(seed)
    round1, round2 = contest.rounds.order_by("number")
    units = [UnitFactory(), UnitFactory()]
    base = timezone.now().replace(microsecond=0)
    without_profile = []
    for i in range(size):
        if i % 5 == 0:
            user = UserFactory()  # no profile: "Participant #id", no unit
            without_profile.append(user.pk)
        else:
            user = ProfileFactory(unit=None if i % 7 == 0 else units[i % 2]).user
        for round_ in (round1, round2) if i % 3 else (round1,):
            seconds = rng.choice((30, 30, 31))
            graded(
                user, contest, round_, rng.choice((3, 4, 4)), seconds, base + timedelta(seconds=rng.choice((0, 0, 1)))
            )
    return round1, without_profile


def test_pages_totals_and_ranks_match_the_orm_at_every_offset(contest):
    round_, without_profile = tied_field(contest)
    board = SqlLeaderboard()
    by_round = orm_rows(Standing.objects.filter(round=round_), "-score", "duration_ms", "submitted_ms", "user_id")
    by_contest = orm_rows(ContestStanding.objects.filter(contest=contest), "-score", "duration_ms", "user_id")
    assert len(by_round) == 23 and len(by_contest) == 23
    anonymous = {display_name(user_id, None) for user_id in without_profile}
    assert sum(row["name"] in anonymous and row["unit"] == "" for row in by_round) == len(without_profile) == 5
    assert any(row["unit"] == "" and row["name"] not in anonymous for row in by_round)  # a profile, no unit
    for offset, limit in ((0, 50), (0, 1), (3, 7), (20, 10), (22, 1), (23, 5), (PREPARED_OFFSETS + 1, 5)):
        expected = by_round[offset : offset + limit]
        assert board.round_page(round_.pk, offset, limit) == expected, (offset, limit)
        assert board.round_board(round_.pk, offset, limit) == (23, expected), (offset, limit)
        expected = by_contest[offset : offset + limit]
        assert board.contest_page(contest.pk, offset, limit) == expected, (offset, limit)
        assert board.contest_board(contest.pk, offset, limit) == (23, expected), (offset, limit)
    assert board.round_total(round_.pk) == board.contest_total(contest.pk) == 23
    # a rank is the place on the page, with or without the total
    ids = list(Standing.objects.filter(round=round_).order_by("-score", "duration_ms", "submitted_ms", "user_id"))
    for place, standing in enumerate(ids, start=1):
        mine = {"rank": place, "score": standing.score, "duration_ms": standing.duration_ms}
        assert board.round_rank(round_.pk, standing.user_id) == mine
        assert board.round_rank_and_total(round_.pk, standing.user_id) == (mine, 23)
    first = ContestStanding.objects.filter(contest=contest).order_by("-score", "duration_ms", "user_id").first()
    mine = {"rank": 1, "score": first.score, "duration_ms": first.duration_ms}
    assert board.contest_rank_and_total(contest.pk, first.user_id) == (mine, 23)
    stranger = UserFactory()
    assert board.round_rank_and_total(round_.pk, stranger.pk) == (None, 23)
    assert board.contest_rank(contest.pk, stranger.pk) is None


def test_empty_boards_have_a_total_of_zero(contest):
    round_ = contest.rounds.get(number=2)
    board = SqlLeaderboard()
    assert board.round_board(round_.pk) == (0, []) and board.contest_board(contest.pk) == (0, [])
    assert board.round_rank_and_total(round_.pk, UserFactory().pk) == (None, 0)


def test_each_board_read_is_one_counted_statement(contest, django_assert_num_queries):
    """Counted by Django's query log on both databases (the prepared path goes through it)."""
    round_, _ = tied_field(contest, size=6)
    board = SqlLeaderboard()
    someone = Standing.objects.filter(round=round_).first().user_id
    for read in (
        lambda: board.round_board(round_.pk, 0, 50),
        lambda: board.contest_board(contest.pk, 0, 50),
        lambda: board.round_board(round_.pk, PREPARED_OFFSETS, 50),
        lambda: board.round_rank_and_total(round_.pk, someone),
        lambda: board.contest_rank_and_total(contest.pk, someone),
        lambda: board.round_page(round_.pk),
        lambda: board.round_total(round_.pk),
        lambda: board.round_rank(round_.pk, someone),
    ):
        for _ in range(2):  # preparing, then by name
            with django_assert_num_queries(1) as captured:
                read()
            assert "quizzes_" in captured.captured_queries[0]["sql"]


@override_settings(LEADERBOARD_RESPONSE_SECONDS=0)
def test_board_views_with_the_sql_backend_make_one_query(
    api, client_for, contest, django_assert_num_queries, monkeypatch
):
    round_, _ = tied_field(contest, size=6)
    monkeypatch.setattr("quizzes.api.views.get_backend", SqlLeaderboard)
    base = f"/api/v1/contests/{contest.slug}/leaderboard/"
    me = Standing.objects.filter(round=round_).first().user
    for url, client in ((base + "?round=1", api), (base, api), (base + "me/?round=1", client_for(me))):
        client.get(url)  # the contest and its rounds are remembered by the process
        with django_assert_num_queries(1):
            assert client.get(url).status_code == 200


def _prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [sql for (sql,) in cursor.fetchall()]


@on_postgresql
def test_hot_statements_are_prepared_and_django_s_are_not(contest):
    round_, _ = tied_field(contest, size=6)
    board = SqlLeaderboard()
    someone = Standing.objects.filter(round=round_).first().user_id
    first = board.round_board(round_.pk, 0, 50), board.round_rank_and_total(round_.pk, someone)
    assert (board.round_board(round_.pk, 0, 50), board.round_rank_and_total(round_.pk, someone)) == first
    board.round_board(round_.pk, PREPARED_OFFSETS, 50)
    list(Standing.objects.filter(round=round_).values_list("score", flat=True))  # Django's own cursor
    prepared = _prepared_statements()
    assert len(prepared) == 2, prepared
    assert any("LIMIT 50 OFFSET 0" in sql for sql in prepared)
    assert any("quizzes_scorebucket" in sql for sql in prepared)
    assert not any(f"OFFSET {PREPARED_OFFSETS}" in sql for sql in prepared)
    assert connection.connection.prepare_threshold is None  # psycopg still prepares nothing of Django's


@on_postgresql
def test_prepared_statements_survive_a_rolled_back_savepoint(contest):
    round_, _ = tied_field(contest, size=6)
    board = SqlLeaderboard()
    before = board.round_board(round_.pk)
    taken = Standing.objects.filter(round=round_).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        board.round_board(round_.pk)  # prepared inside the savepoint
        Standing.objects.create(
            round=round_,
            user_id=taken.user_id,
            attempt_id=taken.attempt_id,
            group=taken.group,
            score=1,
            duration_ms=1,
            submitted_ms=1,
        )
    assert board.round_board(round_.pk) == before


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again(contest):
    round_, _ = tied_field(contest, size=6)
    board = SqlLeaderboard()
    before = board.round_board(round_.pk), board.contest_rank_and_total(contest.pk, UserFactory().pk)
    connection.close()  # CONN_MAX_AGE or a failed health check: the next request connects again
    assert (board.round_board(round_.pk), board.contest_rank_and_total(contest.pk, UserFactory().pk)) == before
    assert len(_prepared_statements()) == 2


@override_settings(LEADERBOARD_RESPONSE_SECONDS=0)
def test_the_leaderboard_page_reads_its_board_in_one_statement(client, contest, monkeypatch):
    round_, without_profile = tied_field(contest, size=6)
    monkeypatch.setattr("quizzes.views.get_backend", SqlLeaderboard)
    for query, table, board in (
        ("?round=1", Standing._meta.db_table, SqlLeaderboard().round_board(round_.pk)),
        ("?round=all", ContestStanding._meta.db_table, SqlLeaderboard().contest_board(contest.pk)),
    ):
        with CaptureQueriesContext(connection) as captured:
            html = client.get(contest.url + "leaderboard/" + query).content.decode()
        # the total with the page (anonymous: no rank of mine)
        assert sum(f"{table} " in q["sql"] for q in captured.captured_queries) == 1, query
        assert board[0] == 6 and display_name(without_profile[0], None) in html

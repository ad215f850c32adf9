"""The contest write path (start, autosave, submit) in few round trips, with every rule kept.

Query budgets are counted inside the test's transaction, so an ``atomic`` block shows
as a SAVEPOINT and a RELEASE. The throttles cost one more query where their counters
live in the database (no Redis), and the token one more where it is not remembered in
a shared cache (no Redis, or the token's first request).
"""

import os

import pytest
import redis
import redis.connection
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from elearning.api import authentication
from elearning.throttling import ThrottleDatabaseCache
from quizzes.api import views
from quizzes.models import Answer, Attempt, Choice
from quizzes.services import frames, standings
from tests.factories.elearning import ProfileFactory
from tests.factories.quizzes import make_contest

from .helpers import correct_ids, wrong_ids

pytestmark = pytest.mark.django_db


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + Token.objects.create(user=user).key)
    return client


def extra_queries():
    """Queries the configuration adds to a request whose token was seen before."""
    return int(isinstance(caches["throttle"], ThrottleDatabaseCache)) + int(authentication._cache() is None)


@pytest.fixture
def bank_contest(db):
    # Every attempt draws the same five questions: after one grading, the answer key is known.
    return make_contest(questions=5, rounds=1, questions_per_attempt=5, time_limit_seconds=600)


@pytest.fixture
def two(bank_contest):
    """Two participants of one unit who started; the first has submitted all right, so the
    standings rows and the memos a second full mark uses are there."""
    first = ProfileFactory()
    second = ProfileFactory(unit=first.unit)
    clients = [token_client(first.user), token_client(second.user)]
    attempts = []
    for client in clients:
        response = client.post(f"/api/v1/contests/{bank_contest.slug}/attempts/")
        attempts.append(Attempt.objects.get(pk=response.json()["id"]))
    for index, item in enumerate(attempts[0].draw):
        clients[0].put(answer_url(attempts[0], index), {"choices": correct_ids(item["q"])}, format="json")
    clients[0].post(f"/api/v1/attempts/{attempts[0].pk}/submit/", {"prediction": 1}, format="json")
    return clients[1], attempts[1]


def answer_url(attempt, index=0):
    return f"/api/v1/attempts/{attempt.pk}/answers/{attempt.draw[index]['q']}/"


def attempt_reads(queries):
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "quizzes_attempt"' in q["sql"]
    ]


def test_autosave_reads_the_attempt_once_then_is_one_conditional_upsert(two, django_assert_num_queries):
    client, attempt = two
    frames.forget()
    # A process's first save of an attempt reads its owner, draw and clock (never changed after the start) ...
    first = wrong_ids(attempt.draw[0]["q"])
    with CaptureQueriesContext(connection) as queries, django_assert_num_queries(2 + extra_queries()):
        response = client.put(answer_url(attempt, 0), {"choices": first}, format="json")
    assert response.status_code == 200
    assert len(attempt_reads(queries)) == 1
    choices = wrong_ids(attempt.draw[1]["q"])
    # ... and every later save is one statement that writes while the attempt is theirs and open; no transaction.
    with CaptureQueriesContext(connection) as queries, django_assert_num_queries(1 + extra_queries()):
        response = client.put(answer_url(attempt, 1), {"choices": choices}, format="json")
    assert response.status_code == 200 and response.json()["choices"] == choices
    assert attempt_reads(queries) == []
    write = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "quizzes_answer"'))
    assert '"user_id"' in write and '"state"' in write and '"deadline"' in write
    assert not any(q["sql"].startswith(("SAVEPOINT", "BEGIN")) for q in queries.captured_queries)
    assert not any("wagtailcore_page" in q["sql"] or "quizzes_contestpage" in q["sql"] for q in queries)
    assert Answer.objects.get(attempt=attempt, question_id=attempt.draw[1]["q"]).choice_ids == choices


def test_a_kept_frame_never_opens_someone_elses_attempt(two, bank_contest):
    client, attempt = two
    client.put(answer_url(attempt, 0), {"choices": wrong_ids(attempt.draw[0]["q"])}, format="json")  # frame kept
    other = token_client(ProfileFactory().user)
    response = other.put(answer_url(attempt, 1), {"choices": wrong_ids(attempt.draw[1]["q"])}, format="json")
    assert response.status_code == 404
    assert not Answer.objects.filter(attempt=attempt, question_id=attempt.draw[1]["q"]).exists()


def test_a_save_after_the_submit_is_refused_as_finished_with_a_kept_frame(two):
    client, attempt = two
    client.put(answer_url(attempt, 0), {"choices": wrong_ids(attempt.draw[0]["q"])}, format="json")  # frame kept
    client.post(f"/api/v1/attempts/{attempt.pk}/submit/", {"prediction": 1}, format="json")
    for body in ({"choices": correct_ids(attempt.draw[0]["q"])}, {"choices": [10**9]}):
        response = client.put(answer_url(attempt, 0), body, format="json")
        assert response.status_code == 409 and response.json()["code"] == "attempt_finished"
    assert Answer.objects.get(attempt=attempt, question_id=attempt.draw[0]["q"]).choice_ids == wrong_ids(
        attempt.draw[0]["q"]
    )


def test_a_deleted_attempt_is_not_found_even_where_its_frame_was_kept(two, monkeypatch):
    client, attempt = two
    url = answer_url(attempt, 1)
    client.put(answer_url(attempt, 0), {"choices": wrong_ids(attempt.draw[0]["q"])}, format="json")
    kept = frames.get(attempt.pk, attempt.user)
    Attempt.objects.filter(pk=attempt.pk).delete()  # no signal: as if deleted by another process
    monkeypatch.setitem(frames._frames, attempt.pk, kept)
    response = client.put(url, {"choices": wrong_ids(attempt.draw[1]["q"])}, format="json")
    assert response.status_code == 404
    assert not Answer.objects.filter(attempt_id=attempt.pk).exists()


def test_frames_are_bounded(monkeypatch, two):
    client, attempt = two
    monkeypatch.setattr(frames, "FRAMES_KEPT", 1)
    frames.forget()
    frames.get(attempt.pk, attempt.user)
    first = Attempt.objects.exclude(pk=attempt.pk).first()
    frames.get(first.pk, first.user)
    assert list(frames._frames) == [first.pk]


def test_submit_reads_neither_the_page_row_nor_the_answer_key_again(two, monkeypatch):
    client, attempt = two
    for index, item in enumerate(attempt.draw):
        client.put(answer_url(attempt, index), {"choices": correct_ids(item["q"])}, format="json")
    # The standings and the board have budgets of their own (test_leaderboard_rebuild, test_leaderboards):
    # their queries are counted apart.
    queries = CaptureQueriesContext(connection)
    elsewhere = []

    def counted_apart(function):
        def run(*args, **kwargs):
            before = len(queries.captured_queries)
            try:
                return function(*args, **kwargs)
            finally:
                elsewhere.append(len(queries.captured_queries) - before)

        return run

    monkeypatch.setattr(standings, "record", counted_apart(standings.record))
    backend = views.get_backend()
    monkeypatch.setattr(backend, "round_rank", counted_apart(backend.round_rank))
    monkeypatch.setattr(views, "get_backend", lambda: backend)
    # (SQL answers the rank when a Redis board does not have the person yet: a board's query too.)
    monkeypatch.setattr(views, "rank_or_sql", counted_apart(views.rank_or_sql))
    with queries:
        response = client.post(f"/api/v1/attempts/{attempt.pk}/submit/", {"prediction": 7}, format="json")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["score"]) == ("submitted", 5)
    assert len(elsewhere) == 3
    # SAVEPOINT, the locked attempt (with its contest's prediction question), its answers, its UPDATE, RELEASE.
    assert len(queries) - sum(elsewhere) == 5 + extra_queries()
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any("wagtailcore_page" in q or "quizzes_choice" in q for q in sql)
    assert len([q for q in sql if q.startswith("SELECT") and 'FROM "quizzes_attempt"' in q]) == 1


def test_start_takes_the_open_round_from_the_contest_lookup(bank_contest, django_assert_num_queries):
    client = token_client(ProfileFactory().user)
    client.get(f"/api/v1/contests/{bank_contest.slug}/")  # the token and the contest are now known
    # The profile, the person's attempts in the round, the draw (questions, quotas, choices),
    # SAVEPOINT, INSERT, RELEASE, and the attempt's questions, choices and answers for the reply.
    with django_assert_num_queries(11 + extra_queries()):
        response = client.post(f"/api/v1/contests/{bank_contest.slug}/attempts/")
    assert response.status_code == 201
    with django_assert_num_queries(5 + extra_queries()):  # resumed: the profile, the attempts, the reply
        again = client.post(f"/api/v1/contests/{bank_contest.slug}/attempts/")
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
    assert again.json()["contest"] == bank_contest.slug and again.json()["round"] == 1


# --- Ownership and errors without the extra read ---------------------------------------


def test_someone_elses_attempt_is_404_whatever_the_body(two):
    _client, attempt = two
    intruder = token_client(ProfileFactory().user)
    choices = attempt.draw[0]["c"][:1]
    for method, path, kwargs in [
        ("put", answer_url(attempt), {"data": {"choices": choices}, "format": "json"}),
        ("put", answer_url(attempt), {"data": {"choices": "x"}, "format": "json"}),
        ("put", answer_url(attempt), {"data": "{not json", "content_type": "application/json"}),
        ("put", f"/api/v1/attempts/{attempt.pk}/answers/999999999/", {"data": {"choices": []}, "format": "json"}),
        ("post", f"/api/v1/attempts/{attempt.pk}/submit/", {"data": {"prediction": 1}, "format": "json"}),
        ("post", f"/api/v1/attempts/{attempt.pk}/submit/", {"data": [1], "format": "json"}),
        ("post", f"/api/v1/attempts/{attempt.pk}/submit/", {"data": {"prediction": "x"}, "format": "json"}),
        ("post", "/api/v1/attempts/999999999/submit/", {"data": {"prediction": 1}, "format": "json"}),
        (
            "put",
            f"/api/v1/attempts/999999999/answers/{attempt.draw[0]['q']}/",
            {"data": {"choices": []}, "format": "json"},
        ),
    ]:
        response = getattr(intruder, method)(path, **kwargs)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), (path, kwargs)
    attempt.refresh_from_db()
    assert attempt.state == "in_progress" and not attempt.answers.exists()


def test_own_attempt_errors_are_unchanged(two):
    client, attempt = two
    assert client.put(answer_url(attempt), {"choices": "x"}, format="json").json()["code"] == "invalid_choice"
    malformed = client.post(f"/api/v1/attempts/{attempt.pk}/submit/", [1], format="json")
    assert malformed.status_code == 400
    bad = client.post(f"/api/v1/attempts/{attempt.pk}/submit/", {"prediction": "x"}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_prediction")
    attempt.refresh_from_db()
    assert attempt.state == "in_progress"


# --- The answer key in process memory -----------------------------------------------------


def test_editing_the_answer_key_grades_with_the_new_key_at_once(two):
    client, attempt = two
    for index, item in enumerate(attempt.draw):
        client.put(answer_url(attempt, index), {"choices": correct_ids(item["q"])}, format="json")
    # The organiser marks another choice right instead of the one this person chose.
    question = attempt.draw[0]["q"]
    old = Choice.objects.get(pk=correct_ids(question)[0])
    new = Choice.objects.get(pk=wrong_ids(question)[0])
    old.correct, new.correct = False, True
    old.save()
    new.save()
    result = client.post(f"/api/v1/attempts/{attempt.pk}/submit/", {"prediction": 1}, format="json").json()
    assert result["score"] == 4


def test_a_deleted_choice_leaves_the_key_at_once(bank_contest):
    from quizzes.services import answer_key

    question = bank_contest.bank.questions.first()
    right = correct_ids(question.pk)
    assert answer_key.correct_choices([question.pk]) == {question.pk: frozenset(right)}
    Choice.objects.filter(pk__in=right).delete()
    assert answer_key.correct_choices([question.pk]) == {}


# --- Redis round trips ----------------------------------------------------------------------


@pytest.fixture
def redis_caches():
    """Both caches on Redis (the sessions, tokens and throttles of a production setup)."""
    url = settings.REDIS_URL or os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis is not running")
    options = {"CLIENT_CLASS": "django_redis.client.DefaultClient", "IGNORE_EXCEPTIONS": True}
    with override_settings(
        REDIS_URL=url,
        CACHES={
            alias: {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": f"test-wp-{alias}"}
            | {"OPTIONS": options}
            for alias in ("default", "throttle")
        },
    ):
        for alias in ("default", "throttle"):
            caches[alias].delete_pattern("*")
        yield


@pytest.fixture
def redis_calls(monkeypatch):
    """Round trips to Redis: each single command or pipeline is one packed send."""
    sent = []
    send = redis.connection.AbstractConnection.send_packed_command

    def counting(conn, command, check_health=True):
        sent.append(command)
        return send(conn, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    return sent


def test_autosave_is_one_redis_round_trip(redis_caches, two, redis_calls, django_assert_num_queries):
    client, attempt = two
    client.put(answer_url(attempt, 0), {"choices": wrong_ids(attempt.draw[0]["q"])}, format="json")
    choices = wrong_ids(attempt.draw[1]["q"])
    redis_calls.clear()
    with django_assert_num_queries(1):  # the answer's statement: no token, throttle or attempt query
        response = client.put(answer_url(attempt, 1), {"choices": choices}, format="json")
    assert response.status_code == 200
    # The token (remembered in the cache) read with both throttles counted, per account and per network.
    assert len(redis_calls) == 1, redis_calls


def test_someone_graded_during_a_board_rebuild_is_ranked_at_once(redis_caches, two):
    """A Redis board rebuilt while a person is graded misses them until their journalled push is
    written again after the swap: the submit and "my rank" must still give their place."""
    from quizzes.leaderboards import redis_backend

    client, attempt = two  # the first person has submitted every answer right
    redis_backend.RedisLeaderboard().rebuild_round(attempt.round_id)  # swapped in without the second person
    try:
        # In the test's transaction the push after the commit does not run: as if journalled, not replayed yet.
        response = client.post(f"/api/v1/attempts/{attempt.pk}/submit/", {"prediction": 1}, format="json")
        assert response.status_code == 200 and response.json()["rank"] == 2
        assert (
            redis_backend.RedisLeaderboard().round_rank(attempt.round_id, attempt.user_id) is None
        )  # not on the board
        mine = client.get(f"/api/v1/contests/{attempt.contest.slug}/leaderboard/me/?round={attempt.round.number}")
        assert mine.status_code == 200 and mine.json()["rank"] == 2
    finally:
        key = redis_backend.round_key(attempt.round_id)
        redis_backend._connection().unlink(key, f"{key}:m", f"{key}:rows", f"{key}:meta", f"{key}:j")

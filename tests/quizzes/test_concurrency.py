"""Races with real parallel HTTP requests against a live server.

Each request runs in its own server thread with its own database connection, so
PostgreSQL sees truly concurrent transactions (SQLite serialises writers).
"""

import http.client
import json
import threading
from urllib.parse import urlsplit

import pytest
from rest_framework.authtoken.models import Token

from quizzes.models import Answer, Attempt, ScoreBucket, Standing, UnitStanding
from tests.factories.elearning import ProfileFactory
from tests.factories.quizzes import make_contest

from .helpers import answer_all

pytestmark = pytest.mark.django_db(transaction=True)
PARALLEL = 8


def call(base, method, path, token, body=None):
    """One HTTP request to the live server on loopback, with a fresh connection."""
    host, port = urlsplit(base).hostname, urlsplit(base).port
    connection = http.client.HTTPConnection(host, port, timeout=30)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    try:
        connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def in_parallel(*calls):
    """Run callables at the same instant (a barrier), return their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, fn):
        barrier.wait()
        results[index] = fn()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.fixture
def setup(live_server):
    contest = make_contest(questions=10, rounds=1, questions_per_attempt=5, attempts_per_round=3)
    profile = ProfileFactory()
    token = Token.objects.create(user=profile.user).key
    return live_server.url, contest, profile.user, token


def test_parallel_starts_make_one_attempt(setup):
    base, contest, user, token = setup
    results = in_parallel(*[lambda: call(base, "POST", f"/api/v1/contests/{contest.slug}/attempts/", token)] * PARALLEL)
    statuses = sorted(status for status, _body in results)
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {200, 201}
    assert len({body["id"] for _status, body in results}) == 1
    assert Attempt.objects.filter(user=user).count() == 1


def test_parallel_submits_grade_once(setup):
    base, contest, user, token = setup
    _status, attempt_data = call(base, "POST", f"/api/v1/contests/{contest.slug}/attempts/", token)
    attempt = Attempt.objects.get(pk=attempt_data["id"])
    for qid, choices in answer_all(attempt, right=4).items():
        assert call(base, "PUT", f"/api/v1/attempts/{attempt.pk}/answers/{qid}/", token, {"choices": choices})[0] == 200
    results = in_parallel(
        *[
            lambda p=p: call(base, "POST", f"/api/v1/attempts/{attempt.pk}/submit/", token, {"prediction": p})
            for p in range(PARALLEL)
        ]
    )
    assert {status for status, _ in results} == {200}
    assert {(body["state"], body["score"], body["rank"]) for _, body in results} == {("submitted", 4, 1)}
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.score == 4
    # graded once: one standing, counted once in its unit
    assert Standing.objects.filter(user=user).count() == 1
    unit_row = UnitStanding.objects.get(round=attempt.round, unit=attempt.unit)
    assert (unit_row.participants, unit_row.score_sum) == (1, 4)


def test_autosave_racing_submit_writes_nothing_after_the_finish(setup):
    base, contest, user, token = setup
    _status, attempt_data = call(base, "POST", f"/api/v1/contests/{contest.slug}/attempts/", token)
    attempt = Attempt.objects.get(pk=attempt_data["id"])
    answers = answer_all(attempt, right=5)
    saves = [
        (
            lambda qid=qid, choices=choices: call(
                base, "PUT", f"/api/v1/attempts/{attempt.pk}/answers/{qid}/", token, {"choices": choices}
            )
        )
        for qid, choices in answers.items()
    ]
    submit = lambda: call(base, "POST", f"/api/v1/attempts/{attempt.pk}/submit/", token, {"prediction": 3})  # noqa: E731
    results = in_parallel(*saves, submit)
    submit_status, submitted = results[-1]
    assert submit_status == 200
    acknowledged = sum(1 for status, _ in results[:-1] if status == 200)
    refused = [body["code"] for status, body in results[:-1] if status != 200]
    assert set(refused) <= {"attempt_finished"}
    attempt.refresh_from_db()
    # every acknowledged answer was saved before the finish and counted; none after
    saved = Answer.objects.filter(attempt=attempt)
    assert saved.count() == acknowledged
    assert all(answer.saved_at <= attempt.submitted_at for answer in saved)
    assert attempt.score == submitted["score"] == acknowledged


def test_parallel_submits_of_many_people_keep_unit_totals(setup):
    base, contest, _user, _token = setup
    unit = ProfileFactory().unit
    people = [ProfileFactory(unit=unit) for _ in range(PARALLEL)]
    tokens = [Token.objects.create(user=p.user).key for p in people]
    attempts = []
    for token in tokens:
        _s, body = call(base, "POST", f"/api/v1/contests/{contest.slug}/attempts/", token)
        attempts.append(body["id"])
    results = in_parallel(
        *[
            lambda t=t, a=a: call(base, "POST", f"/api/v1/attempts/{a}/submit/", t, {"prediction": 1})
            for t, a in zip(tokens, attempts, strict=True)
        ]
    )
    assert {status for status, _ in results} == {200}
    row = UnitStanding.objects.get(round=contest.rounds.get(), unit=unit)
    assert row.participants == PARALLEL
    # the buckets (created by whichever grading came first, added to by the others) count everybody
    buckets = ScoreBucket.objects.filter(contest=contest)
    assert sum(b.count for b in buckets if b.round_id is not None) == PARALLEL
    assert sum(b.count for b in buckets if b.round_id is None) == PARALLEL
    ranks = sorted(body["rank"] for _, body in results)
    assert ranks[0] == 1 and ranks[-1] <= PARALLEL + 1


def test_autosave_locks_only_its_attempt_row(setup):
    """Autosaves of different participants must not queue behind one shared row (PostgreSQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from quizzes.services import attempts as svc

    if connection.vendor != "postgresql":
        pytest.skip("row-level FOR UPDATE clauses exist on PostgreSQL only")
    _base, contest, user, _token = setup
    attempt, _ = svc.start_attempt(user, contest)
    item = attempt.draw[0]
    with CaptureQueriesContext(connection) as queries:
        svc.save_answer(user, attempt.pk, item["q"], item["c"][:1])
    locks = [q["sql"] for q in queries.captured_queries if " FOR " in q["sql"]]
    assert len(locks) == 1
    assert locks[0].startswith('INSERT INTO "quizzes_answer"')
    assert 'FROM "quizzes_attempt" WHERE' in locks[0] and " FOR SHARE ON CONFLICT" in locks[0]


def waiting_on_a_lock(timeout=10):
    """Whether another session of this database is waiting for a row lock (polled, bounded)."""
    import time

    from django.db import connection

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


def test_an_autosave_waits_for_a_finish_in_progress_and_then_writes_nothing(setup):
    """The finish holds the attempt's lock and has graded; the autosave arriving then must
    neither slip in under the grade nor be told "saved" (PostgreSQL)."""
    from django.db import connection, connections, transaction

    from quizzes.services import attempts as svc
    from quizzes.services import clock
    from quizzes.services.errors import AttemptFinished

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    _base, contest, user, _token = setup
    attempt, _ = svc.start_attempt(user, contest)
    item = attempt.draw[0]
    locked, release, outcome = threading.Event(), threading.Event(), {}

    def finish():
        try:
            with transaction.atomic():
                # submit_attempt's own steps, held open before the commit
                held = svc._locked(attempt.pk, user, svc.SUBMIT_FIELDS)
                svc._grade(held, Attempt.State.SUBMITTED, clock.now(), 1)
                locked.set()
                release.wait(20)
        finally:
            connections.close_all()

    def autosave():
        try:
            outcome["saved"] = svc.save_answer(user, attempt.pk, item["q"], item["c"][:1])
        except AttemptFinished as exc:
            outcome["error"] = exc
        finally:
            connections.close_all()

    finisher = threading.Thread(target=finish)
    finisher.start()
    assert locked.wait(20)
    saver = threading.Thread(target=autosave)
    saver.start()
    try:
        assert waiting_on_a_lock(), "the autosave did not wait for the finish"
        assert saver.is_alive()
    finally:
        release.set()
        finisher.join(30)
        saver.join(30)
    assert isinstance(outcome.get("error"), AttemptFinished), outcome
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_an_autosave_acknowledged_before_the_finish_is_graded(setup):
    """The other order: an answer saved while no finish holds the lock is in the grade."""
    from quizzes.services import attempts as svc

    _base, contest, user, _token = setup
    attempt, _ = svc.start_attempt(user, contest)
    key = answer_all(attempt, right=1)
    qid, choices = next(iter(key.items()))
    svc.save_answer(user, attempt.pk, qid, choices)
    graded = svc.submit_attempt(user, attempt.pk, prediction=1)
    assert graded.score == 1

"""Django-side helper of the reliability tests, run as a subprocess on the throwaway database:

    DATABASE_URL=... python -m tests.reliability.agent COMMAND < payload.json > answer.json

The test process itself never opens that database through Django: it drives gunicorn over
HTTP and asks this agent to set data up and to read back what the database holds.

Commands: ``migrate``; ``setup`` (a contest and its participants with API tokens, created in
bulk); ``snapshot`` (attempts, answers, standings of a contest); ``boards`` (the leaderboards
as SQL computes them); ``close_expired``; ``close_round``; ``counts`` (row counts of the main tables).
"""

import io
import json
import os
import sys
import time
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.reliability.server_settings")

MAIN_TABLES = [
    "auth_user",
    "authtoken_token",
    "elearning_unit",
    "elearning_profile",
    "wagtailcore_page",
    "quizzes_question",
    "quizzes_choice",
    "quizzes_round",
    "quizzes_attempt",
    "quizzes_answer",
    "quizzes_standing",
    "quizzes_conteststanding",
    "quizzes_unitstanding",
    "quizzes_scorebucket",
]
PASSWORD = "Reliab-Mat-khau-2018"  # noqa: S105 — throwaway loopback accounts


def migrate(_payload):
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("createcachetable", verbosity=0)
    return {"seconds": round(time.monotonic() - started, 1)}


def setup(payload):
    """A contest open now and ``participants`` citizens with tokens (and one shared password).

    payload: prefix (0-999, keeps phones apart between tests), participants, questions,
    per_attempt, time_limit (seconds), closes_in (seconds from now; default a week),
    units (how many units the participants are spread over).
    """
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from elearning.models import Profile
    from quizzes.models import Choice
    from tests.factories.elearning import UnitFactory
    from tests.factories.quizzes import QuestionBankFactory, make_contest

    prefix = int(payload["prefix"])
    count = int(payload.get("participants", 10))
    now = timezone.now()
    closes_at = now + timedelta(seconds=float(payload.get("closes_in", 7 * 24 * 3600)))
    with transaction.atomic():
        # Factory sequences restart in every agent process: name what must be unique.
        contest = make_contest(
            bank=QuestionBankFactory(slug=f"reliab-{prefix:03d}", title=f"Ngân hàng thử tải {prefix:03d}"),
            slug=f"reliab-{prefix:03d}",
            title=f"Cuộc thi thử độ tin cậy {prefix:03d}",
            questions=int(payload.get("questions", 12)),
            rounds=[{"opens_at": now - timedelta(hours=1), "closes_at": closes_at}],
            questions_per_attempt=int(payload.get("per_attempt", 10)),
            time_limit_seconds=int(payload.get("time_limit", 900)),
            attempts_per_round=int(payload.get("attempts", 3)),
        )
        units = [
            UnitFactory(code=f"reliab-{prefix:03d}-{n:02d}", name=f"Xã Tin Cậy {prefix:03d}-{n:02d}", headcount=count)
            for n in range(int(payload.get("units", 3)))
        ]
        password = make_password(PASSWORD)  # one hash for all: bulk, fast
        phones = [f"09{prefix:03d}{n:05d}" for n in range(count)]
        User.objects.bulk_create([User(username=phone, password=password) for phone in phones], batch_size=2000)
        users = list(User.objects.filter(username__in=phones).order_by("username"))
        Profile.objects.bulk_create(
            [
                Profile(
                    user=user,
                    full_name=f"Người Thi {prefix:03d}-{n:05d}",
                    unit=units[n % len(units)],
                    kind=Profile.Kind.CITIZEN,
                    phone=user.username,
                    birth_year=1990,
                )
                for n, user in enumerate(users)
            ],
            batch_size=2000,
        )
        tokens = [Token(key=Token.generate_key(), user=user) for user in users]
        Token.objects.bulk_create(tokens, batch_size=2000)
    round_ = contest.rounds.get()
    questions = {}
    for question_id, choice_id, correct in Choice.objects.filter(question__bank=contest.bank).values_list(
        "question_id", "id", "correct"
    ):
        entry = questions.setdefault(str(question_id), {"correct": [], "wrong": []})
        entry["correct" if correct else "wrong"].append(choice_id)
    return {
        "slug": contest.slug,
        "contest_id": contest.pk,
        "round_id": round_.pk,
        "round_number": round_.number,
        "url": contest.url,
        "closes_at": round_.closes_at.isoformat(),
        "password": PASSWORD,
        "unit_codes": [unit.code for unit in units],
        "participants": [
            {"user_id": token.user.pk, "phone": token.user.username, "token": token.key} for token in tokens
        ],
        "questions": questions,
    }


def snapshot(payload):
    from quizzes.models import Answer, Attempt, ContestStanding, Standing, UnitStanding

    contest_id = payload["contest_id"]
    attempts = [
        {
            "id": a.pk,
            "user_id": a.user_id,
            "state": a.state,
            "number": a.number,
            "started_at": a.started_at.isoformat(),
            "deadline": a.deadline.isoformat(),
            "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
            "score": a.score,
            "max_score": a.max_score,
            "questions": [item["q"] for item in a.draw],
        }
        for a in Attempt.objects.filter(contest_id=contest_id).order_by("pk")
    ]
    answers = [
        {"attempt_id": attempt_id, "question_id": question_id, "choices": choices, "saved_at": saved_at.isoformat()}
        for attempt_id, question_id, choices, saved_at in Answer.objects.filter(attempt__contest_id=contest_id)
        .order_by("attempt_id", "question_id")
        .values_list("attempt_id", "question_id", "choice_ids", "saved_at")
    ]
    standings = list(
        Standing.objects.filter(round__contest_id=contest_id)
        .order_by("user_id")
        .values("user_id", "attempt_id", "score", "duration_ms")
    )
    units = list(
        UnitStanding.objects.filter(contest_id=contest_id, round__isnull=False)
        .order_by("unit_id")
        .values("unit_id", "participants", "score_sum")
    )
    return {
        "attempts": attempts,
        "answers": answers,
        "standings": standings,
        "unit_standings": units,
        "contest_standings": ContestStanding.objects.filter(contest_id=contest_id).count(),
    }


def boards(payload):
    """Round and contest boards computed by SQL (the source of truth), every row."""
    from quizzes.leaderboards.sql import SqlLeaderboard

    sql = SqlLeaderboard()
    limit = int(payload.get("limit", 500))
    round_total, round_rows = sql.round_board(payload["round_id"], 0, limit)
    contest_total, contest_rows = sql.contest_board(payload["contest_id"], 0, limit)
    return {
        "round": {"total": round_total, "results": round_rows},
        "contest": {"total": contest_total, "results": contest_rows},
    }


def close_expired(_payload):
    from quizzes.services.attempts import close_expired_attempts

    return {"graded": close_expired_attempts()}


def close_round(payload):
    """``manage.py close_round SLUG N``: grade what is left, store the final ranking."""
    from django.core.management import call_command

    from quizzes.models import FinalStanding

    call_command("close_round", payload["slug"], payload["round_number"], stdout=io.StringIO())
    return {"final_standings": FinalStanding.objects.filter(round_id=payload["round_id"], group="").count()}


def counts(_payload):
    from django.db import connection

    result = {}
    with connection.cursor() as cursor:
        for table in MAIN_TABLES:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 — fixed table names
            result[table] = cursor.fetchone()[0]
    return result


COMMANDS = {
    "migrate": migrate,
    "setup": setup,
    "snapshot": snapshot,
    "boards": boards,
    "close_expired": close_expired,
    "close_round": close_round,
    "counts": counts,
}


def main():
    command = sys.argv[1]
    raw = sys.stdin.read()
    payload = json.loads(raw) if raw.strip() else {}
    django.setup()
    result = COMMANDS[command](payload)
    sys.stdout.write(json.dumps(result, default=str))


if __name__ == "__main__":
    main()

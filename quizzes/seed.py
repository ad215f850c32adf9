"""Demo contest for ``seed_demo``: the contest ``cchc-2018`` from quizzes/demo/,
its four weekly rounds moved so that round 1 has closed and round 2 is open, and
a few hundred demo attempts so the boards are not empty. Idempotent."""

import json
import random
from datetime import datetime, time, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from elearning.models import Profile, Unit
from quizzes.imports.contest_json import import_contest
from quizzes.models import Answer, Attempt, ContestPage
from quizzes.services import attempts as attempt_service

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "cchc-2018.json"
SLUG = "cchc-2018"
DEMO_PARTICIPANTS = 240
DEMO_PASSWORD = "Thisinh-2018"  # noqa: S105 (demo accounts, printed on purpose)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Ma", "La"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Thanh", "Hữu", "Thị Thu"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hoa",
    "Hùng",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Yến",
]


def weekly_rounds(count, today=None):
    """Round 1 closed last week, round 2 open now, the rest in the weeks after (08:00 to 17:00 six days later)."""
    today = today or timezone.localdate()
    first_open = timezone.make_aware(datetime.combine(today - timedelta(days=9), time(8, 0)))
    rounds = []
    for index in range(count):
        opens = first_open + timedelta(days=7 * index)
        rounds.append(
            {
                "number": index + 1,
                "opens_at": opens.isoformat(),
                "closes_at": (opens + timedelta(days=6, hours=9)).isoformat(),
            }
        )
    return rounds


def import_demo_contest():
    contest = ContestPage.objects.filter(slug=SLUG).first()
    if contest is not None:
        return contest, False
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    data["rounds"] = weekly_rounds(len(data["rounds"]))
    return import_contest(data).contest, True


def demo_participants(rng):
    User = get_user_model()
    units = list(Unit.objects.filter(headcount__gt=0).order_by("code"))
    # Units take part unevenly (some lag far behind), roughly in proportion to their headcount.
    weights = [unit.headcount * rng.uniform(0.15, 1.0) for unit in units]
    people = []
    password = make_password(DEMO_PASSWORD)  # hashed once: the demo accounts share it
    for index in range(DEMO_PARTICIPANTS):
        phone = f"0977{index:06d}"
        user, created = User.objects.get_or_create(username=phone, defaults={"password": password})
        if created:
            Profile.objects.create(
                user=user,
                full_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                unit=rng.choices(units, weights=weights)[0] if units else None,
                kind=Profile.Kind.OFFICIAL if index % 3 else Profile.Kind.CITIZEN,
                phone=phone,
                birth_year=1965 + index % 40,
            )
        people.append(user)
    return people


def play(user, contest, round_, rng, skill):
    """One demo attempt in ``round_``: start, answer, submit — through the real services."""
    span = (round_.closes_at if round_.is_closed() else timezone.now()) - round_.opens_at
    start = round_.opens_at + timedelta(seconds=rng.uniform(0, max(60, span.total_seconds() - 1200)))
    attempt, _created = attempt_service.start_attempt(user, contest, start)
    correct = attempt_service.correct_choices(attempt.question_ids)
    answers = []
    for item in attempt.draw:
        chosen = sorted(correct.get(item["q"], [])) if rng.random() < skill else [rng.choice(item["c"])]
        answers.append(Answer(attempt=attempt, question_id=item["q"], choice_ids=chosen, saved_at=start))
    Answer.objects.bulk_create(answers)
    duration = timedelta(seconds=rng.randint(240, contest.time_limit_seconds - 30))
    attempt_service.submit_attempt(user, attempt.pk, rng.randint(150, 400), start + duration)


def seed_attempts(contest, rng):
    if Attempt.objects.filter(contest=contest).exists():
        return 0
    people = demo_participants(rng)
    now = timezone.now()
    played = 0
    for round_ in contest.rounds.filter(opens_at__lte=now).order_by("number"):
        share = 0.9 if round_.is_closed(now) else 0.55
        for user in people:
            if rng.random() > share:
                continue
            skill = 0.55 + 0.4 * rng.random()
            for _ in range(1 + (rng.random() < 0.25)):
                with transaction.atomic():
                    play(user, contest, round_, rng, skill)
                played += 1
    return played


def run(stdout):
    if not DEMO_FILE.exists():
        stdout.write("Demo contest: quizzes/demo/cchc-2018.json is missing, skipped.")
        return
    rng = random.Random(2018)
    contest, created = import_demo_contest()
    played = seed_attempts(contest, rng)
    state = "created" if created else "already there"
    stdout.write(
        f"Demo contest {SLUG}: {state}, {contest.bank.questions.filter(active=True).count()} questions, "
        f"{contest.rounds.count()} rounds, {played} demo attempts added "
        f"(demo participants 0977000000-0977{DEMO_PARTICIPANTS - 1:06d}, password {DEMO_PASSWORD})."
    )

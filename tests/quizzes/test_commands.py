"""The operator's commands: close_expired_attempts (schedule it every minute), rebuild_leaderboards."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from quizzes.models import Standing
from quizzes.services import attempts as svc
from tests.factories.elearning import ProfileFactory

pytestmark = pytest.mark.django_db


def test_close_expired_attempts_grades_overdue_ones_once(contest):
    old = timezone.now() - timedelta(seconds=contest.time_limit_seconds + 30)
    for _ in range(3):
        svc.start_attempt(ProfileFactory().user, contest, old)
    svc.start_attempt(ProfileFactory().user, contest)  # still running
    out = StringIO()
    call_command("close_expired_attempts", stdout=out)
    # (with Redis, the lines after the first tell which missing boards it rebuilt)
    assert out.getvalue().splitlines()[0] == "3 expired attempt(s) graded"
    assert Standing.objects.count() == 3
    out = StringIO()
    call_command("close_expired_attempts", stdout=out)
    assert out.getvalue().strip() == "0 expired attempt(s) graded"


@override_settings(REDIS_URL=None)
def test_rebuild_needs_redis():
    with pytest.raises(CommandError, match="REDIS_URL"):
        call_command("rebuild_leaderboards")

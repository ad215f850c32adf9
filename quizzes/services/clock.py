"""Time rules of the contest: the deadline and its grace for network latency."""

from datetime import timedelta

from django.utils import timezone

# An answer or submit arriving up to 2 s after the deadline still counts.
GRACE = timedelta(seconds=2)


def now():
    return timezone.now()


def deadline_for(started_at, time_limit, round_closes_at):
    return min(started_at + time_limit, round_closes_at)


def within_grace(moment, deadline):
    return moment <= deadline + GRACE


def seconds_left(deadline, moment):
    return max(0, int((deadline - moment).total_seconds()))

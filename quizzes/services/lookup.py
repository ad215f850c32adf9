"""Contest lookups for the hot read paths (boards), kept in process memory briefly.

A live contest and its rounds (with their result state) change rarely: publishing,
unpublishing or closing a round clears this process's copy at once, and other
processes see the change within ``TTL_SECONDS``.
"""

import threading
import time

from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from quizzes.models import ContestPage

TTL_SECONDS = 5.0
_entries = {}
_lock = threading.Lock()


def live_contest(slug):
    """The live, public contest with this slug (rounds loaded as ``contest.round_list``), or None."""
    now = time.monotonic()
    entry = _entries.get(slug)
    if entry is not None and now - entry[1] < TTL_SECONDS:
        return entry[0]
    contest = ContestPage.objects.live().public().filter(slug=slug).first()
    if contest is not None:
        contest.round_list = list(contest.rounds.select_related("result").order_by("number"))
    with _lock:
        _entries[slug] = (contest, now)
    return contest


def round_by_number(contest, number):
    return next((round_ for round_ in contest.round_list if round_.number == number), None)


def forget(*args, **kwargs):
    with _lock:
        _entries.clear()


@receiver(page_published)
@receiver(page_unpublished)
def _page_changed(sender, instance, **kwargs):
    if isinstance(instance, ContestPage):
        forget()


@receiver(post_delete, sender=ContestPage)
def _contest_deleted(sender, instance, **kwargs):
    forget()

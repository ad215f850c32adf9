"""Contest lookups for the hot read paths (boards), kept in process memory briefly.

A live contest and its rounds (with their result state) change rarely: publishing,
unpublishing or closing a round clears this process's copy at once, and other
processes see the change within ``TTL_SECONDS``.

Public board responses (the API's ranking pages, the same for everybody) are kept for
``settings.LEADERBOARD_RESPONSE_SECONDS`` (1 s): a live board changes with every graded
attempt, but nobody needs it fresher than a second. A grading in this process, and
anything that clears the contest lookup, drops them at once.
"""

import threading
import time

from django.conf import settings
from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from quizzes.models import ContestPage

TTL_SECONDS = 5.0
RESPONSE_SECONDS = 1.0  # default of settings.LEADERBOARD_RESPONSE_SECONDS
RESPONSE_ENTRIES = 256  # a bound on memory whatever the query strings
_entries = {}
_responses = {}
_forget_hooks = []
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


def _response_seconds():
    return getattr(settings, "LEADERBOARD_RESPONSE_SECONDS", RESPONSE_SECONDS)


def board_response(key):
    """A public board response kept by ``keep_board_response`` less than a second ago, or None."""
    entry = _responses.get(key)
    if entry is not None and time.monotonic() < entry[1] and _response_seconds() > 0:
        return entry[0]
    return None


def keep_board_response(key, response):
    seconds = _response_seconds()
    if seconds <= 0:
        return
    with _lock:
        if len(_responses) >= RESPONSE_ENTRIES:
            _responses.clear()
        _responses[key] = (response, time.monotonic() + seconds)


def boards_changed():
    """A standing changed in this process: its next board read is fresh."""
    _responses.clear()


def on_forget(hook):
    """Call ``hook()`` too whenever the lookups are cleared (other per-process memos)."""
    _forget_hooks.append(hook)


def forget(*args, **kwargs):
    with _lock:
        _entries.clear()
        _responses.clear()
    for hook in _forget_hooks:
        hook()


@receiver(page_published)
@receiver(page_unpublished)
def _page_changed(sender, instance, **kwargs):
    if isinstance(instance, ContestPage):
        forget()


@receiver(post_delete, sender=ContestPage)
def _contest_deleted(sender, instance, **kwargs):
    forget()

"""The correct choices of questions, kept in process memory for grading.

A submit grades the drawn questions against their correct choices, which change only
when an organiser edits a question bank. This process keeps them per question id:
saving or deleting a question or a choice here clears them at once (and again when
that transaction commits, so nothing read before the commit stays), and other
processes read them again within ``TTL_SECONDS``, as for the contest lookup
(``quizzes.services.lookup``), whose clear empties them too. Keyed by question, they do
not depend on which bank a contest uses.

Only the live grading of a submit reads through this memory: the final ranking of a
closed round regrades every attempt from the database (``results.best_entries``).
"""

import threading
import time

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from quizzes.models import Choice, Question
from quizzes.services import lookup

TTL_SECONDS = 5.0
_correct = {}  # question id → frozenset of its correct choice ids
_state = {"since": 0.0, "generation": 0}
_lock = threading.Lock()


def read_correct_choices(question_ids):
    """``{question id: {correct choice ids}}`` from the database."""
    correct = {}
    for question_id, choice_id in Choice.objects.filter(question_id__in=question_ids, correct=True).values_list(
        "question_id", "id"
    ):
        correct.setdefault(question_id, set()).add(choice_id)
    return correct


def correct_choices(question_ids):
    """Like :func:`read_correct_choices` (frozensets), through this process's memory."""
    now = time.monotonic()
    with _lock:
        if now - _state["since"] > TTL_SECONDS:
            _correct.clear()
            _state["since"] = now
        known = {qid: _correct.get(qid) for qid in question_ids}
        generation = _state["generation"]
    missing = [qid for qid, value in known.items() if value is None]
    if missing:
        read = read_correct_choices(missing)
        fresh = {qid: frozenset(read.get(qid, ())) for qid in missing}
        with _lock:
            if _state["generation"] == generation:  # not cleared while reading: keep
                _correct.update(fresh)
        known.update(fresh)
    return {qid: value for qid, value in known.items() if value}


def forget(*args, **kwargs):
    with _lock:
        _correct.clear()
        _state["generation"] += 1


lookup.on_forget(forget)


@receiver(post_save, sender=Question)
@receiver(post_delete, sender=Question)
@receiver(post_save, sender=Choice)
@receiver(post_delete, sender=Choice)
def _bank_changed(sender, **kwargs):
    forget()
    transaction.on_commit(forget)

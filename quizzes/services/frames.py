"""What an autosave checks of its attempt that never changes after the start, kept in
process memory.

An attempt's owner, deadline and draw (its questions, their kinds and choices) are set
when it starts and never written again. An autosave needs them to check the question
and the choices before it writes, so each process keeps the last ``FRAMES_KEPT`` of
them: a participant's tenth save reads no attempt row. What does change — the state —
is never kept here: the save's own statement checks it (``Answer.objects.save_while_open``).

A frame is only ever built from a committed row, and attempt ids are never reused
(PostgreSQL sequences; SQLite's AUTOINCREMENT), so a kept frame cannot go stale.
Deleting an attempt drops its frame in this process; in another process the kept frame
only lets a save reach that statement, which then finds no row and writes nothing.
"""

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.db.models.signals import post_delete
from django.dispatch import receiver

from quizzes.models import Attempt
from quizzes.services import lookup

FRAMES_KEPT = 2048  # about 2 MB with 20-question draws of 4 choices
_frames = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Frame:
    user_id: int
    deadline: object  # an aware datetime
    draw: str  # the draw as compact JSON: a sixth of the memory of parsed tuples

    def item(self, question_id):
        """``(kind, choice ids in the order shown)`` of a question of the draw, or None."""
        for entry in json.loads(self.draw):
            if entry["q"] == question_id:
                return entry["k"], entry["c"]
        return None


def frame_of(attempt):
    return Frame(
        user_id=attempt.user_id, deadline=attempt.deadline, draw=json.dumps(attempt.draw, separators=(",", ":"))
    )


def keep(attempt):
    """Keep the frame of an attempt just read or started (committed)."""
    frame = frame_of(attempt)
    with _lock:
        _frames[attempt.pk] = frame
        _frames.move_to_end(attempt.pk)
        while len(_frames) > FRAMES_KEPT:
            _frames.popitem(last=False)
    return frame


def get(attempt_id, user):
    """The frame of ``user``'s attempt ``attempt_id``; ``Attempt.DoesNotExist`` if it is
    missing or someone else's. Reads the attempt row only when the frame is not kept."""
    frame = _frames.get(attempt_id)
    if frame is None:
        attempt = Attempt.objects.only("user", "deadline", "draw").get(pk=attempt_id)
        frame = keep(attempt)
    else:
        with _lock:
            if attempt_id in _frames:
                _frames.move_to_end(attempt_id)
    if frame.user_id != user.pk:
        raise Attempt.DoesNotExist
    return frame


def forget(attempt_id=None):
    """Drop one attempt's frame, or all of them (tests, after a database rollback)."""
    with _lock:
        if attempt_id is None:
            _frames.clear()
        else:
            _frames.pop(attempt_id, None)


lookup.on_forget(forget)  # the tests' per-test reset; a contest published


@receiver(post_delete, sender=Attempt, dispatch_uid="quizzes-frames-attempt-deleted")
def _attempt_deleted(sender, instance, **kwargs):
    forget(instance.pk)

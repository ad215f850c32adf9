"""What the organizer's dashboard counts: participation per day, units against their
headcount, the score distribution of a round, and item analysis per question.

Everything a round needs is read once by :func:`round_results` (three queries, however
many participants) and shared by the item analysis, the score distribution and the
feedback per unit (quizzes.services.feedback). A participant counts with their best
attempt of the round: the one in the final ranking once the round is final, the live
standing before; "correct" is all-or-nothing, exactly as the attempt was graded.
"""

import math
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from quizzes.leaderboards import unit_board
from quizzes.models import Answer, Attempt, FinalStanding, Question, Standing
from quizzes.services.attempts import correct_choices
from quizzes.services.results import is_final

# Item analysis: the upper and lower groups are 27 % of the participants each (Kelley).
EXTREME_GROUP_SHARE = 0.27
EASY_SHARE = 0.9  # almost everyone answers correctly
HARD_SHARE = 0.1  # almost no one does
LOW_DISCRIMINATION = 0.2  # below this the question hardly separates strong from weak
MAX_DAYS = 400  # a participation chart never spans more days than this


@dataclass
class ParticipantResult:
    """A participant's best attempt of a round, question by question."""

    user_id: int
    unit_id: int | None
    group: str
    attempt_id: int
    score: int
    max_score: int
    duration_ms: int
    submitted_ms: int
    correct: dict = field(default_factory=dict)  # {question_id: bool} for every question drawn

    def order_key(self):
        return (-self.score, self.duration_ms, self.submitted_ms, self.user_id)


@dataclass
class RoundResults:
    round_id: int
    final: bool
    participants: list  # of ParticipantResult, best first

    @property
    def max_score(self):
        return max((p.max_score for p in self.participants), default=0)


def round_results(round_):
    """Every participant's best attempt of ``round_`` with the correctness of each answer."""
    final = is_final(round_)
    best = FinalStanding.objects.filter(round=round_, group="") if final else Standing.objects.filter(round=round_)
    rows = best.values_list(
        "user_id",
        "unit_id",
        "attempt__group",
        "attempt_id",
        "score",
        "attempt__max_score",
        "duration_ms",
        "submitted_ms",
        "attempt__draw",
    )
    participants, draws = {}, {}
    for user_id, unit_id, group, attempt_id, score, max_score, duration_ms, submitted_ms, draw in rows:
        participants[attempt_id] = ParticipantResult(
            user_id, unit_id, group, attempt_id, score, max_score, duration_ms, submitted_ms
        )
        draws[attempt_id] = [item["q"] for item in draw]
    answers = {}
    for attempt_id, question_id, choice_ids in Answer.objects.filter(
        attempt_id__in=best.values("attempt_id")
    ).values_list("attempt_id", "question_id", "choice_ids"):
        answers.setdefault(attempt_id, {})[question_id] = choice_ids
    correct = correct_choices({qid for qids in draws.values() for qid in qids}) if draws else {}
    for attempt_id, participant in participants.items():
        chosen = answers.get(attempt_id, {})
        for qid in draws[attempt_id]:
            picked = set(chosen.get(qid, ()))
            participant.correct[qid] = bool(picked) and picked == correct.get(qid, set())
    ordered = sorted(participants.values(), key=ParticipantResult.order_key)
    return RoundResults(round_id=round_.pk, final=final, participants=ordered)


LIVE_CACHE_SECONDS = 60


def cached_round_results(round_):
    """:func:`round_results` through the cache: for a day once the round is final (it never
    changes then), for a minute before (the dashboard of a busy round stays quick)."""
    if is_final(round_):
        key = f"quizzes:round-results:{round_.pk}:final:{round_.result.finalized_at.timestamp()}"
        timeout = 60 * 60 * 24
    else:
        key = f"quizzes:round-results:{round_.pk}:live"
        timeout = LIVE_CACHE_SECONDS
    data = cache.get(key)
    if data is None:
        data = round_results(round_)
        cache.set(key, data, timeout)
    return data


# --- participation ------------------------------------------------------------------------


@dataclass
class Day:
    day: object
    attempts: int
    people: int


def participation_per_day(contest, round_=None):
    """Attempts started and people who started one, per local day (Asia/Ho_Chi_Minh),
    every day from the first to the last with attempts (days without any show 0)."""
    attempts = Attempt.objects.filter(contest=contest)
    if round_ is not None:
        attempts = attempts.filter(round=round_)
    rows = (
        attempts.annotate(day=TruncDate("started_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(attempts=Count("id"), people=Count("user", distinct=True))
        .order_by("day")
    )
    counted = {row["day"]: row for row in rows}
    if not counted:
        return []
    first, last = min(counted), max(counted)
    last = min(last, first + timedelta(days=MAX_DAYS - 1))
    days = []
    day = first
    while day <= last:
        row = counted.get(day)
        days.append(Day(day, row["attempts"] if row else 0, row["people"] if row else 0))
        day += timedelta(days=1)
    return days


def unit_participation(contest, round_=None):
    """The unit board (participants against headcount) with ``lagging`` set for units
    that have a headcount and are below the contest's minimum participation rate."""
    minimum = float(contest.unit_min_participation)
    rows = unit_board(contest.pk, round_.pk if round_ is not None else None)
    for row in rows:
        row["lagging"] = bool(row["headcount"]) and row["participation_rate"] < minimum
    return rows


# --- scores -------------------------------------------------------------------------------


def score_distribution(results):
    """``[(score, participants)]`` for every score from 0 to the maximum."""
    counts = [0] * (results.max_score + 1) if results.participants else []
    for participant in results.participants:
        counts[participant.score] += 1
    return list(enumerate(counts))


# --- item analysis ------------------------------------------------------------------------


@dataclass
class ItemStats:
    question_id: int
    text: str = ""
    topic: str = ""
    seen: int = 0
    correct: int = 0
    upper_seen: int = 0
    upper_correct: int = 0
    lower_seen: int = 0
    lower_correct: int = 0

    @property
    def share_correct(self):
        return self.correct / self.seen if self.seen else None

    @property
    def upper_share(self):
        return self.upper_correct / self.upper_seen if self.upper_seen else None

    @property
    def lower_share(self):
        return self.lower_correct / self.lower_seen if self.lower_seen else None

    @property
    def discrimination(self):
        """Share correct in the upper 27 % minus share correct in the lower 27 %."""
        if self.upper_share is None or self.lower_share is None:
            return None
        return self.upper_share - self.lower_share

    @property
    def too_easy(self):
        return self.share_correct is not None and self.share_correct >= EASY_SHARE

    @property
    def too_hard(self):
        return self.share_correct is not None and self.share_correct <= HARD_SHARE

    @property
    def negative_discrimination(self):
        return self.discrimination is not None and self.discrimination < 0

    @property
    def low_discrimination(self):
        return self.discrimination is not None and 0 <= self.discrimination < LOW_DISCRIMINATION

    @property
    def flagged(self):
        return self.too_easy or self.too_hard or self.negative_discrimination or self.low_discrimination


def extreme_group_size(count):
    """How many participants the upper and the lower group each hold: 27 %, rounded, at least 1
    (none with fewer than two participants, so the groups never overlap)."""
    if count < 2:
        return 0
    return max(1, math.floor(EXTREME_GROUP_SHARE * count + 0.5))


def item_analysis(results):
    """One :class:`ItemStats` per question drawn in the round, in the bank's order.

    Participants are ordered by round score (then time, as on the board); the upper and
    lower groups are the first and last 27 %. Questions are drawn at random, so each
    question's shares count only the participants whose best attempt included it.
    """
    size = extreme_group_size(len(results.participants))
    upper = {p.attempt_id for p in results.participants[:size]}
    lower = {p.attempt_id for p in results.participants[len(results.participants) - size :]} if size else set()
    stats = {}
    for participant in results.participants:
        for qid, right in participant.correct.items():
            item = stats.get(qid)
            if item is None:
                item = stats[qid] = ItemStats(qid)
            item.seen += 1
            item.correct += right
            if participant.attempt_id in upper:
                item.upper_seen += 1
                item.upper_correct += right
            if participant.attempt_id in lower:
                item.lower_seen += 1
                item.lower_correct += right
    questions = Question.objects.filter(pk__in=list(stats)).order_by("topic", "pk").values_list("pk", "text", "topic")
    ordered = []
    for pk, text, topic in questions:
        item = stats[pk]
        item.text, item.topic = text, topic
        ordered.append(item)
    return ordered

"""Final rankings of closed rounds — computed once from the stored answers, stored,
and reproducible (recomputing gives the same table).

Order: score desc, then distance between the prediction and the actual count of
the contest's prediction kind (no prediction ranks after every prediction), then
duration asc, then submission time asc, then user id — one table for everyone and,
when the contest has groups, one per group (officials, citizens).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from quizzes.models import Answer, Attempt, AttemptState, FinalStanding, PrizeGroup, RoundResult
from quizzes.services import attempts as attempt_service
from quizzes.services import clock, lookup
from quizzes.services.errors import ContestError
from quizzes.services.standings import epoch_ms

NO_PREDICTION = 10**12  # sorts after any real distance (predictions are at most 10,000,000)


class RoundNotClosed(ContestError):
    code, status, message = "round_not_closed", 409, _("The round is still open.")


class RoundAlreadyFinal(ContestError):
    code, status, message = "round_already_final", 409, _("The final ranking of this round was already computed.")


@dataclass
class Entry:
    user_id: int
    attempt_id: int
    unit_id: int | None
    group: str
    score: int
    max_score: int
    duration_ms: int
    submitted_ms: int
    prediction: int | None

    def attempt_key(self):
        return (-self.score, self.duration_ms, self.submitted_ms, self.user_id)


def groups_of(contest):
    return ["", PrizeGroup.OFFICIAL, PrizeGroup.CITIZEN] if contest.separate_groups else [""]


def best_entries(round_, chunk=2000):
    """Each participant's best finished attempt of the round, regraded from its stored answers."""
    finished = Attempt.objects.filter(round=round_).exclude(state=AttemptState.IN_PROGRESS).order_by("pk")
    question_ids = {
        qid for draw in finished.values_list("draw", flat=True).iterator(chunk) for qid in (i["q"] for i in draw)
    }
    correct = attempt_service.correct_choices(question_ids)
    best = {}
    rows = finished.values_list(
        "pk", "user_id", "unit_id", "group", "draw", "max_score", "duration_ms", "submitted_at", "prediction"
    )
    batch = []

    def flush():
        answers = {}
        for attempt_id, question_id, choice_ids in Answer.objects.filter(
            attempt_id__in=[row[0] for row in batch]
        ).values_list("attempt_id", "question_id", "choice_ids"):
            answers.setdefault(attempt_id, {})[question_id] = choice_ids
        for pk, user_id, unit_id, group, draw, max_score, duration_ms, submitted_at, prediction in batch:
            entry = Entry(
                user_id=user_id,
                attempt_id=pk,
                unit_id=unit_id,
                group=group,
                score=attempt_service.score_answers(draw, answers.get(pk, {}), correct),
                max_score=max_score,
                duration_ms=duration_ms,
                submitted_ms=epoch_ms(submitted_at),
                prediction=prediction,
            )
            current = best.get(user_id)
            if current is None or entry.attempt_key() < current.attempt_key():
                best[user_id] = entry
        batch.clear()

    for row in rows.iterator(chunk):
        batch.append(row)
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()
    return list(best.values())


def actual_count(entries, prediction_kind):
    if prediction_kind == "full_score":
        return sum(1 for entry in entries if entry.score == entry.max_score)
    return len(entries)


def rank_entries(entries, actual):
    def key(entry):
        distance = NO_PREDICTION if entry.prediction is None else abs(entry.prediction - actual)
        return (-entry.score, distance, entry.duration_ms, entry.submitted_ms, entry.user_id)

    return sorted(entries, key=key)


def compute_final_ranking(round_):
    """{group: [FinalStanding (unsaved)]} and the actual count, from the stored answers."""
    contest = round_.contest
    entries = best_entries(round_)
    actual = actual_count(entries, contest.prediction_kind)
    tables = {}
    for group in groups_of(contest):
        members = [entry for entry in entries if not group or entry.group == group]
        tables[group] = [
            FinalStanding(
                round=round_,
                group=group,
                rank=rank,
                user_id=entry.user_id,
                attempt_id=entry.attempt_id,
                unit_id=entry.unit_id,
                score=entry.score,
                prediction=entry.prediction,
                prediction_distance=None if entry.prediction is None else abs(entry.prediction - actual),
                duration_ms=entry.duration_ms,
                submitted_ms=entry.submitted_ms,
            )
            for rank, entry in enumerate(rank_entries(members, actual), start=1)
        ]
    return tables, actual


def _as_rows(standings):
    return [
        (s.group, s.rank, s.user_id, s.attempt_id, s.score, s.prediction_distance, s.duration_ms, s.submitted_ms)
        for s in standings
    ]


def stored_table(round_):
    return _as_rows(FinalStanding.objects.filter(round=round_).order_by("group", "rank"))


def recomputed_table(round_):
    tables, _actual = compute_final_ranking(round_)
    return _as_rows(sorted((s for rows in tables.values() for s in rows), key=lambda s: (s.group, s.rank)))


def close_round(round_, user=None, moment=None):
    """Grade what is still open, then compute and store the final ranking, once."""
    moment = moment or timezone.now()
    # Wait out the 2 s grace too: a submit may still count until then.
    if not round_.is_closed(moment - clock.GRACE):
        raise RoundNotClosed()
    for attempt_id in Attempt.objects.in_progress().filter(round=round_).values_list("pk", flat=True):
        attempt_service.finish_overdue(attempt_id, moment)
    with transaction.atomic():
        result, _created = RoundResult.objects.select_for_update().get_or_create(round=round_)
        if result.is_final:
            raise RoundAlreadyFinal()
        tables, actual = compute_final_ranking(round_)
        for rows in tables.values():
            FinalStanding.objects.bulk_create(rows, batch_size=5000)
        result.finalized_at = moment
        result.finalized_by = user if user is not None and user.is_authenticated else None
        result.actual_count = actual
        result.prediction_kind = round_.contest.prediction_kind
        result.save()
        log(
            instance=round_.contest,
            action="quizzes.close_round",
            user=result.finalized_by,
            data={"round": round_.number, "participants": len(tables[""]), "actual_count": actual},
        )
    lookup.forget()  # boards switch to the final ranking at once in this process
    return result


def is_final(round_):
    """Whether the round's final ranking is stored (uses ``round_.result`` if already loaded)."""
    try:
        return round_.result.is_final
    except RoundResult.DoesNotExist:
        return False

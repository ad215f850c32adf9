"""Leaderboards straight from the standings tables, using the ranking indexes."""

from django.db.models import Q, Sum

from quizzes.models import ContestStanding, ScoreBucket, Standing, UnitStanding
from quizzes.services.standings import bucket_of

from .rows import individual_row, public_name


def _name(standing):
    return public_name(standing.user)


def _bucket_sum(buckets, score, second):
    """Standings in buckets strictly ahead of (score, second): higher score, or same score and fewer seconds."""
    total = buckets.filter(Q(score__gt=score) | Q(score=score, second__lt=second)).aggregate(n=Sum("count"))["n"]
    return total or 0


class SqlLeaderboard:
    name = "sql"

    # -- round -------------------------------------------------------------
    def round_total(self, round_id):
        # Sum of unit aggregates: a handful of rows instead of counting them all.
        with_unit = sum(UnitStanding.objects.filter(round_id=round_id).values_list("participants", flat=True))
        without_unit = Standing.objects.filter(round_id=round_id, unit__isnull=True).count()
        return with_unit + without_unit

    def round_page(self, round_id, offset=0, limit=50):
        standings = (
            Standing.objects.filter(round_id=round_id)
            .select_related("user__profile", "unit")
            .order_by("-score", "duration_ms", "submitted_ms", "user_id")[offset : offset + limit]
        )
        return [
            individual_row(offset + i + 1, _name(s), s.unit.name if s.unit else "", s.score, s.duration_ms)
            for i, s in enumerate(standings)
        ]

    def round_rank(self, round_id, user_id):
        mine = Standing.objects.filter(round_id=round_id, user_id=user_id).first()
        if mine is None:
            return None
        score, second = bucket_of(mine.score, mine.duration_ms)
        # Everyone in a better (score, second) bucket, then those ahead inside mine.
        ahead = _bucket_sum(ScoreBucket.objects.filter(round_id=round_id), score, second)
        ahead += (
            Standing.objects.filter(
                round_id=round_id,
                score=mine.score,
                duration_ms__gte=second * 1000,
                duration_ms__lte=mine.duration_ms,
            )
            .filter(
                Q(duration_ms__lt=mine.duration_ms)
                | Q(duration_ms=mine.duration_ms, submitted_ms__lt=mine.submitted_ms)
                | Q(duration_ms=mine.duration_ms, submitted_ms=mine.submitted_ms, user_id__lt=user_id)
            )
            .count()
        )
        return {"rank": ahead + 1, "score": mine.score, "duration_ms": mine.duration_ms}

    def round_board(self, round_id, offset=0, limit=50):
        return self.round_total(round_id), self.round_page(round_id, offset, limit)

    def contest_board(self, contest_id, offset=0, limit=50):
        return self.contest_total(contest_id), self.contest_page(contest_id, offset, limit)

    # -- contest-wide ------------------------------------------------------
    def contest_total(self, contest_id):
        with_unit = sum(
            UnitStanding.objects.filter(contest_id=contest_id, round__isnull=True).values_list(
                "participants", flat=True
            )
        )
        return with_unit + ContestStanding.objects.filter(contest_id=contest_id, unit__isnull=True).count()

    def contest_page(self, contest_id, offset=0, limit=50):
        standings = (
            ContestStanding.objects.filter(contest_id=contest_id)
            .select_related("user__profile", "unit")
            .order_by("-score", "duration_ms", "user_id")[offset : offset + limit]
        )
        return [
            individual_row(offset + i + 1, _name(s), s.unit.name if s.unit else "", s.score, s.duration_ms)
            for i, s in enumerate(standings)
        ]

    def contest_rank(self, contest_id, user_id):
        mine = ContestStanding.objects.filter(contest_id=contest_id, user_id=user_id).first()
        if mine is None:
            return None
        score, second = bucket_of(mine.score, mine.duration_ms)
        ahead = _bucket_sum(ScoreBucket.objects.filter(contest_id=contest_id, round__isnull=True), score, second)
        ahead += (
            ContestStanding.objects.filter(
                contest_id=contest_id,
                score=mine.score,
                duration_ms__gte=second * 1000,
                duration_ms__lte=mine.duration_ms,
            )
            .filter(Q(duration_ms__lt=mine.duration_ms) | Q(duration_ms=mine.duration_ms, user_id__lt=user_id))
            .count()
        )
        return {"rank": ahead + 1, "score": mine.score, "duration_ms": mine.duration_ms}

"""Standings kept at grading time: the database is the leaderboards' source of truth."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from elearning.models.profiles import ProfileKind


class Standing(models.Model):
    """A participant's best attempt in a round: score desc, duration asc, submitted at asc."""

    round = models.ForeignKey("quizzes.Round", on_delete=models.CASCADE, related_name="standings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    attempt = models.OneToOneField("quizzes.Attempt", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("elearning.Unit", on_delete=models.PROTECT, null=True, related_name="+")
    group = models.CharField(max_length=10, choices=ProfileKind.choices)
    score = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField()
    # Milliseconds since the epoch: the same precision in SQL and in Redis.
    submitted_ms = models.BigIntegerField()

    class Meta:
        verbose_name = _("standing")
        verbose_name_plural = _("standings")
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="standing_unique_user")]
        indexes = [
            models.Index(
                "round", models.F("score").desc(), "duration_ms", "submitted_ms", "user", name="standing_rank"
            ),
            models.Index(
                "round",
                "group",
                models.F("score").desc(),
                "duration_ms",
                "submitted_ms",
                "user",
                name="standing_group_rank",
            ),
        ]

    def sort_key(self):
        return (-self.score, self.duration_ms, self.submitted_ms, self.user_id)


class ContestStanding(models.Model):
    """Contest-wide: sum of round-best scores, then sum of their durations."""

    contest = models.ForeignKey("quizzes.ContestPage", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("elearning.Unit", on_delete=models.PROTECT, null=True, related_name="+")
    group = models.CharField(max_length=10, choices=ProfileKind.choices)
    score = models.PositiveIntegerField(default=0)
    duration_ms = models.BigIntegerField(default=0)
    rounds = models.PositiveSmallIntegerField(default=0)
    # 1 when created, +1 on every change, under the row's lock: a Redis board keeps only the
    # newest of two pushes that cross after their commits (quizzes.leaderboards.redis_backend).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contest", "user"], name="conteststanding_unique_user")]
        indexes = [
            models.Index("contest", models.F("score").desc(), "duration_ms", "user", name="conteststanding_rank"),
            models.Index(
                "contest", "group", models.F("score").desc(), "duration_ms", "user", name="conteststanding_group_rank"
            ),
        ]

    def sort_key(self):
        return (-self.score, self.duration_ms, self.user_id)


class UnitStanding(models.Model):
    """Per-unit aggregates kept up to date, so unit boards never group a million rows.

    ``round`` is null for the contest-wide row of the unit.
    """

    contest = models.ForeignKey("quizzes.ContestPage", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey("quizzes.Round", on_delete=models.CASCADE, null=True, related_name="unit_standings")
    unit = models.ForeignKey("elearning.Unit", on_delete=models.CASCADE, related_name="+")
    participants = models.PositiveIntegerField(default=0)
    score_sum = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit"], condition=Q(round__isnull=False), name="unitstanding_unique_round"
            ),
            models.UniqueConstraint(
                fields=["contest", "unit"], condition=Q(round__isnull=True), name="unitstanding_unique_contest"
            ),
        ]

    @property
    def average_score(self):
        return self.score_sum / self.participants if self.participants else 0.0


class ScoreBucket(models.Model):
    """How many standings share a (score, whole second of duration): "my rank" in SQL is
    a sum over these few rows plus a count inside one bucket, not a count over the table.

    ``round`` is null for the contest-wide ranking's buckets.
    """

    contest = models.ForeignKey("quizzes.ContestPage", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey("quizzes.Round", on_delete=models.CASCADE, null=True, related_name="+")
    score = models.PositiveIntegerField()
    second = models.PositiveIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "score", "second"], condition=Q(round__isnull=False), name="scorebucket_unique_round"
            ),
            models.UniqueConstraint(
                fields=["contest", "score", "second"],
                condition=Q(round__isnull=True),
                name="scorebucket_unique_contest",
            ),
        ]

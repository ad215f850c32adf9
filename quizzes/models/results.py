"""What the system records about closed rounds: the final ranking, prizes, and the
state kept apart from the contest page (whose inline rounds are rewritten on publish)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .contests import PrizeGroup, PrizeLevel


class RoundResult(models.Model):
    round = models.OneToOneField("quizzes.Round", on_delete=models.CASCADE, primary_key=True, related_name="result")
    # Set when Redis could not be updated; readers rebuild before trusting Redis again.
    leaderboard_stale = models.BooleanField(default=False)
    finalized_at = models.DateTimeField(_("final ranking computed at"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    prediction_kind = models.CharField(max_length=12, blank=True)
    actual_count = models.PositiveIntegerField(_("actual count for the prediction"), null=True, blank=True)

    class Meta:
        verbose_name = _("round result")

    @property
    def is_final(self):
        return self.finalized_at is not None


class FinalStanding(models.Model):
    """One row of a closed round's final ranking, per participant group ('' = everyone)."""

    round = models.ForeignKey("quizzes.Round", on_delete=models.CASCADE, related_name="final_standings")
    group = models.CharField(max_length=10, choices=PrizeGroup.choices, blank=True, default="")
    rank = models.PositiveIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    attempt = models.ForeignKey("quizzes.Attempt", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("elearning.Unit", on_delete=models.PROTECT, null=True, related_name="+")
    score = models.PositiveSmallIntegerField()
    prediction = models.PositiveIntegerField(null=True)
    prediction_distance = models.PositiveIntegerField(null=True)
    duration_ms = models.PositiveIntegerField()
    submitted_ms = models.BigIntegerField()

    class Meta:
        ordering = ["round", "group", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["round", "group", "user"], name="finalstanding_unique_user"),
            models.UniqueConstraint(fields=["round", "group", "rank"], name="finalstanding_unique_rank"),
        ]


class AwardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")


class PrizeAward(models.Model):
    """A prize for a person (in a round) or for a unit (contest-wide), draft until confirmed."""

    Status = AwardStatus

    contest = models.ForeignKey("quizzes.ContestPage", on_delete=models.CASCADE, related_name="prize_awards")
    round = models.ForeignKey("quizzes.Round", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    group = models.CharField(max_length=10, choices=PrizeGroup.choices, blank=True, default="")
    level = models.CharField(max_length=12, choices=PrizeLevel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey("elearning.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    rank = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=AwardStatus.choices, default=AwardStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["round__number", "group", "rank"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(unit__isnull=True) & Q(round__isnull=False))
                | (Q(user__isnull=True) & Q(unit__isnull=False)),
                name="prizeaward_person_in_round_or_unit",
            ),
            # One person keeps one prize per contest (their highest), enforced by the database.
            models.UniqueConstraint(
                fields=["contest", "user"], condition=Q(user__isnull=False), name="prizeaward_one_per_person"
            ),
            models.UniqueConstraint(
                fields=["contest", "unit"], condition=Q(unit__isnull=False), name="prizeaward_one_per_unit"
            ),
        ]

from django.conf import settings
from django.db import connections, models, router
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from elearning.models.profiles import ProfileKind


class AttemptState(models.TextChoices):
    # Contexts keep these apart from Wagtail's workflow states of the same English words.
    IN_PROGRESS = "in_progress", pgettext_lazy("attempt", "In progress")
    SUBMITTED = "submitted", pgettext_lazy("attempt", "Submitted")
    EXPIRED = "expired", _("Expired")


class AttemptQuerySet(models.QuerySet):
    def in_progress(self):
        return self.filter(state=AttemptState.IN_PROGRESS)

    def finished(self):
        return self.exclude(state=AttemptState.IN_PROGRESS)

    def overdue(self, moment):
        """In progress, but past the deadline and its grace: to be graded as expired."""
        from quizzes.services.clock import GRACE

        return self.in_progress().filter(deadline__lt=moment - GRACE)

    def owned_by(self, user):
        return self.filter(user=user) if user.is_authenticated else self.none()


class Attempt(models.Model):
    """One go at a round: the questions drawn for it, a deadline, and once graded a score.

    ``draw`` keeps the question and choice order fixed for the attempt:
    ``[{"q": question_id, "k": kind, "c": [choice_id, ...]}, ...]``.
    """

    State = AttemptState

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    contest = models.ForeignKey("quizzes.ContestPage", on_delete=models.PROTECT, related_name="attempts")
    round = models.ForeignKey("quizzes.Round", on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("attempt number"))
    state = models.CharField(_("state"), max_length=12, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS)
    group = models.CharField(_("group"), max_length=10, choices=ProfileKind.choices)
    unit = models.ForeignKey("elearning.Unit", on_delete=models.PROTECT, null=True, related_name="+")
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(_("deadline"))
    submitted_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    max_score = models.PositiveSmallIntegerField(_("maximum score"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    prediction = models.PositiveIntegerField(_("prediction"), null=True, blank=True)
    draw = models.JSONField(_("questions drawn"))
    # A short hash of the browser and network the attempt started from, for integrity
    # checks (several accounts from one device); never shown publicly.
    device = models.CharField(_("device"), max_length=16, blank=True, db_index=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(fields=["user", "round", "number"], name="attempt_unique_number"),
            # Parallel starts make one attempt: at most one in progress per person and round.
            models.UniqueConstraint(
                fields=["user", "round"], condition=Q(state="in_progress"), name="attempt_one_in_progress"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="attempt_number_positive"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=models.F("max_score")), name="attempt_score_in_range"
            ),
            models.CheckConstraint(
                condition=Q(state="in_progress", score__isnull=True, submitted_at__isnull=True)
                | (~Q(state="in_progress") & Q(score__isnull=False, submitted_at__isnull=False)),
                name="attempt_graded_when_finished",
            ),
        ]
        indexes = [models.Index(fields=["state", "deadline"], name="attempt_state_deadline")]

    def __str__(self):
        return f"#{self.pk} {self.user} — {self.round}"

    @property
    def is_finished(self):
        return self.state != AttemptState.IN_PROGRESS

    @property
    def question_ids(self):
        return [item["q"] for item in self.draw]

    def draw_item(self, question_id):
        for item in self.draw:
            if item["q"] == question_id:
                return item
        return None

    @property
    def duration_seconds(self):
        return None if self.duration_ms is None else round(self.duration_ms / 1000, 3)


class AnswerQuerySet(models.QuerySet):
    def save_while_open(self, attempt_id, user_id, question_id, choice_ids, saved_at, not_before):
        """Insert or replace one answer in a single statement, only while the attempt is
        ``user_id``'s, in progress and its deadline (with grace) is not before ``not_before``.
        Returns whether it was saved.

        On PostgreSQL the attempt row is read FOR SHARE: a submit or an expiry holding the
        attempt's lock is waited for, and once it commits the attempt is no longer in
        progress, so nothing is written. A submit that comes after waits for this
        statement, then grades with the answer in. SQLite runs one writer at a time.
        """
        connection = connections[router.db_for_write(Answer)]
        qn = connection.ops.quote_name
        answers, attempts = qn(Answer._meta.db_table), qn(Attempt._meta.db_table)
        attempt, question, chosen, saved = (
            qn(Answer._meta.get_field(name).column) for name in ("attempt", "question", "choice_ids", "saved_at")
        )
        pk, user, state, deadline = (
            qn(Attempt._meta.get_field(name).column) for name in ("id", "user", "state", "deadline")
        )
        lock = " FOR SHARE" if connection.features.has_select_for_update else ""
        sql = (
            f"INSERT INTO {answers} ({attempt}, {question}, {chosen}, {saved}) "  # noqa: S608 (names from _meta)
            f"SELECT {pk}, %s, %s, %s FROM {attempts} "
            f"WHERE {pk} = %s AND {user} = %s AND {state} = %s AND {deadline} >= %s{lock} "
            f"ON CONFLICT ({attempt}, {question}) DO UPDATE SET {chosen} = EXCLUDED.{chosen}, {saved} = EXCLUDED.{saved} "
            f"RETURNING 1"
        )
        field = Answer._meta.get_field
        params = [
            question_id,
            field("choice_ids").get_db_prep_save(choice_ids, connection),
            field("saved_at").get_db_prep_save(saved_at, connection),
            attempt_id,
            user_id,
            AttemptState.IN_PROGRESS,
            Attempt._meta.get_field("deadline").get_db_prep_save(not_before, connection),
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone() is not None


class Answer(models.Model):
    """The choices saved for one question of an attempt (autosaved, last write wins)."""

    objects = AnswerQuerySet.as_manager()

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey("quizzes.Question", on_delete=models.PROTECT, related_name="+")
    choice_ids = models.JSONField(_("chosen choices"), default=list)
    saved_at = models.DateTimeField(_("saved at"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["attempt", "question"], name="answer_unique_question")]

"""Enrolment, progress and certificates (the logic lives in courses.services)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CERTIFICATE_CODE_LENGTH = 12


def generate_certificate_code():
    """A random URL-safe verification code of 12 characters."""
    return secrets.token_urlsafe(9)[:CERTIFICATE_CODE_LENGTH]


class Enrolment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(
        "courses.CoursePage", verbose_name=_("course"), on_delete=models.CASCADE, related_name="enrolments"
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enrolment_one_per_user_course"),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | Q(completed_at__gte=models.F("enrolled_at")),
                name="enrolment_completed_after_enrolled",
            ),
        ]
        indexes = [models.Index(fields=["course", "completed_at"], name="enrolment_course_completed")]

    def __str__(self):
        return f"{self.user} — {self.course}"

    @property
    def is_completed(self):
        return self.completed_at is not None


class LessonProgress(models.Model):
    """One learner's progress in one lesson.

    ``check_results``: ``{block_id: {"correct": bool, "answered_at": ISO 8601}}`` for the
    lesson's knowledge checks.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="progress"
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="lesson_progress"
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen at"), default=timezone.now)
    check_results = models.JSONField(_("knowledge check results"), default=dict, blank=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="lessonprogress_one_per_user_lesson"),
        ]
        indexes = [
            models.Index(fields=["enrolment", "completed_at"], name="lessonprogress_enrol_done"),
            models.Index(fields=["user", "-last_seen_at"], name="lessonprogress_user_seen"),
        ]

    def __str__(self):
        return f"{self.user} — {self.lesson}"


class Certificate(models.Model):
    """Issued once a course is completed; the snapshots keep it valid if names change later."""

    enrolment = models.OneToOneField(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="certificate"
    )
    code = models.CharField(
        _("verification code"), max_length=CERTIFICATE_CODE_LENGTH, unique=True, default=generate_certificate_code
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=0)
    learner_name = models.CharField(_("learner name"), max_length=200)
    unit_name = models.CharField(_("unit name"), max_length=255, blank=True)
    course_title = models.CharField(_("course title"), max_length=255)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gte=0), name="certificate_hours_not_negative"),
            models.CheckConstraint(condition=~Q(code=""), name="certificate_code_not_empty"),
        ]

    def __str__(self):
        return f"{self.code} — {self.learner_name}"

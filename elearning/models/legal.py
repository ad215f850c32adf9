from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LegalDocumentKind(models.TextChoices):
    LAW = "law", _("Law")
    RESOLUTION = "resolution", _("Resolution")
    DECREE = "decree", _("Decree")
    DECISION = "decision", _("Decision")
    CIRCULAR = "circular", _("Circular")
    DIRECTIVE = "directive", _("Directive")
    PLAN = "plan", _("Plan")
    STANDARD = "standard", _("Standard")
    OTHER = "other", _("Other")


class LegalDocumentQuerySet(models.QuerySet):
    def in_force_on(self, day):
        return self.filter(
            Q(effective_from__isnull=True) | Q(effective_from__lte=day),
            Q(effective_to__isnull=True) | Q(effective_to__gte=day),
        )

    def in_force(self):
        return self.in_force_on(timezone.localdate())

    def not_in_force(self):
        today = timezone.localdate()
        return self.filter(Q(effective_to__lt=today) | Q(effective_from__gt=today))


class LegalDocument(models.Model):
    """A legal document (*văn bản*) that procedures, lessons and questions cite."""

    Kind = LegalDocumentKind

    number = models.CharField(_("number"), max_length=60, unique=True, help_text=_("e.g. 61/2018/NĐ-CP"))
    kind = models.CharField(_("kind"), max_length=20, choices=LegalDocumentKind.choices, default=LegalDocumentKind.DECREE)
    title = models.CharField(_("title"), max_length=500)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self", verbose_name=_("replaced by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces"
    )

    objects = LegalDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="legaldocument_effective_range",
            ),
        ]

    def __str__(self):
        return f"{self.number} — {self.title}"

    def is_in_force(self, day=None):
        day = day or timezone.localdate()
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or self.effective_to >= day
        )

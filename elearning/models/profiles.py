from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from elearning.validators import validate_birth_year, validate_national_id, validate_vn_mobile


class ProfileKind(models.TextChoices):
    OFFICIAL = "official", _("Official")
    CITIZEN = "citizen", _("Citizen")


class ProfileQuerySet(models.QuerySet):
    def officials(self):
        return self.filter(kind=ProfileKind.OFFICIAL)

    def citizens(self):
        return self.filter(kind=ProfileKind.CITIZEN)

    def with_related(self):
        return self.select_related("user", "unit")


class Profile(models.Model):
    """One per user: who they are and which unit they belong to."""

    Kind = ProfileKind

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    full_name = models.CharField(_("full name"), max_length=150)
    unit = models.ForeignKey(
        "elearning.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="profiles", null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ProfileKind.choices, default=ProfileKind.CITIZEN)
    position = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=10, unique=True, validators=[validate_vn_mobile])
    national_id = models.CharField(
        _("national ID number"), max_length=12, null=True, blank=True, unique=True, validators=[validate_national_id]
    )
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), null=True, blank=True, validators=[validate_birth_year]
    )
    must_change_password = models.BooleanField(
        _("must change password"), default=False, help_text=_("Set for accounts given a one-time password.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            # '' would collide as a duplicate: an absent ID is NULL.
            models.CheckConstraint(condition=~Q(national_id=""), name="profile_national_id_not_empty"),
        ]
        indexes = [models.Index(fields=["unit", "kind"])]

    def __str__(self):
        return self.full_name

    @property
    def is_official(self):
        return self.kind == ProfileKind.OFFICIAL

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.search import index

from courses.search import search_filter

from .mixins import SearchTextMixin


class ProcedureField(models.TextChoices):
    """The field (*lĩnh vực*) a procedure belongs to."""

    CIVIL_STATUS = "civil_status", _("Civil status")
    CERTIFICATION = "certification", _("Certification")
    LAND = "land", _("Land")
    JUSTICE = "justice", _("Justice")
    LABOUR_SOCIAL = "labour_social", _("Labour, invalids and social affairs")
    CONSTRUCTION = "construction", _("Construction")
    BUSINESS = "business", _("Business registration")
    ENVIRONMENT = "environment", _("Natural resources and environment")
    EDUCATION = "education", _("Education and training")
    HEALTH = "health", _("Health")
    CULTURE = "culture", _("Culture, sports and tourism")
    TRANSPORT = "transport", _("Transport")
    AGRICULTURE = "agriculture", _("Agriculture and rural development")
    HOME_AFFAIRS = "home_affairs", _("Home affairs")
    COMPLAINTS = "complaints", _("Inspection, complaints and denunciations")
    OTHER = "other", _("Other")


class ProcedureLevel(models.TextChoices):
    COMMUNE = "commune", _("Commune level")
    DISTRICT = "district", _("District level")


class ProcedureMechanism(models.TextChoices):
    ONE_STOP = "one_stop", _("One-stop")
    INTER_LINKED = "inter_linked", _("Inter-linked one-stop")


class OnlineServiceLevel(models.IntegerChoices):
    LEVEL_1 = 1, _("Level 1: information")
    LEVEL_2 = 2, _("Level 2: forms to download")
    LEVEL_3 = 3, _("Level 3: submit online")
    LEVEL_4 = 4, _("Level 4: fully online, including payment and result")


class ProcedureTag(TaggedItemBase):
    content_object = ParentalKey("courses.Procedure", related_name="tagged_items", on_delete=models.CASCADE)


class ProcedureQuerySet(models.QuerySet):
    def search(self, query):
        return self.filter(search_filter(query)) if query else self

    def with_details(self):
        """What the list and detail pages show: legal basis and tags."""
        return self.prefetch_related("legal_basis", "tags")


class Procedure(SearchTextMixin, index.Indexed, ClusterableModel):
    """An administrative procedure (*thủ tục hành chính*, TTHC) in the public catalogue."""

    Field = ProcedureField
    Level = ProcedureLevel
    Mechanism = ProcedureMechanism
    OnlineLevel = OnlineServiceLevel

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[0-9][0-9A-Za-z.\-]*\Z",
                _("A procedure code starts with a digit and has only letters, digits, dots and hyphens."),
            )
        ],
        help_text=_("As in the national database, e.g. 1.001193"),
    )
    name = models.CharField(_("name"), max_length=500)
    field = models.CharField(_("field"), max_length=30, choices=ProcedureField.choices, default=ProcedureField.OTHER)
    level = models.CharField(_("level"), max_length=20, choices=ProcedureLevel.choices, default=ProcedureLevel.COMMUNE)
    mechanism = models.CharField(
        _("mechanism"), max_length=20, choices=ProcedureMechanism.choices, default=ProcedureMechanism.ONE_STOP
    )
    processing_days = models.PositiveSmallIntegerField(
        _("processing time (working days)"), default=0, help_text=_("0 means the same day.")
    )
    fee = models.CharField(_("fee"), max_length=255, blank=True, help_text=_("e.g. 8,000 VND per copy; Free"))
    required_documents = RichTextField(
        _("required documents"), blank=True, features=["bold", "italic", "ol", "ul", "link"]
    )
    steps = RichTextField(_("steps"), blank=True, features=["bold", "italic", "ol", "ul", "link"])
    legal_basis = ParentalManyToManyField(
        "elearning.LegalDocument", verbose_name=_("legal basis"), blank=True, related_name="procedures"
    )
    online_level = models.PositiveSmallIntegerField(
        _("online service level"), choices=OnlineServiceLevel.choices, default=OnlineServiceLevel.LEVEL_2
    )
    postal_return = models.BooleanField(_("result returned by post"), default=False)
    tags = ClusterTaggableManager(through=ProcedureTag, blank=True, verbose_name=_("tags"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProcedureQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("name")]),
        FieldRowPanel([FieldPanel("field"), FieldPanel("level"), FieldPanel("mechanism")]),
        FieldRowPanel([FieldPanel("processing_days"), FieldPanel("fee")]),
        FieldRowPanel([FieldPanel("online_level"), FieldPanel("postal_return")]),
        FieldPanel("required_documents"),
        FieldPanel("steps"),
        MultiFieldPanel([FieldPanel("legal_basis")], heading=_("Legal basis")),
        FieldPanel("tags"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("code"),
        index.SearchField("search_text"),
        index.FilterField("field"),
        index.FilterField("level"),
        index.FilterField("online_level"),
        index.FilterField("postal_return"),
    ]

    class Meta:
        ordering = ["field", "code"]
        verbose_name = _("administrative procedure")
        verbose_name_plural = _("administrative procedures")
        indexes = [models.Index(fields=["level", "field"], name="procedure_level_field")]
        constraints = [
            models.CheckConstraint(
                condition=Q(online_level__gte=1, online_level__lte=4), name="procedure_online_level_1_4"
            ),
            models.CheckConstraint(condition=~Q(code=""), name="procedure_code_not_empty"),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"

    def get_search_parts(self):
        with translation.override("vi"):
            field_name = str(self.get_field_display())
        return [self.code, self.name, field_name, *self.tag_names()]

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("courses:procedure_detail", kwargs={"code": self.code})

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable
from wagtail.search import index


class QuestionBank(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("title"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        ordering = ["title"]
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")

    def __str__(self):
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True / false")


class QuestionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def with_choices(self):
        return self.prefetch_related("choices")


class QuestionTag(TaggedItemBase):
    content_object = ParentalKey("quizzes.Question", related_name="tagged_items", on_delete=models.CASCADE)


class Question(index.Indexed, ClusterableModel):
    Kind = QuestionKind

    bank = models.ForeignKey(QuestionBank, verbose_name=_("bank"), on_delete=models.CASCADE, related_name="questions")
    topic = models.CharField(_("topic"), max_length=100, blank=True, db_index=True)
    text = models.TextField(_("question"))
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    explanation = models.TextField(_("explanation"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    legal_document = models.ForeignKey(
        "elearning.LegalDocument",
        verbose_name=_("legal basis"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    tags = ClusterTaggableManager(through=QuestionTag, blank=True, verbose_name=_("tags"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = QuestionQuerySet.as_manager()

    panels = [
        FieldPanel("bank"),
        FieldPanel("topic"),
        FieldPanel("text"),
        FieldPanel("kind"),
        InlinePanel("choices", label=_("Choices"), min_num=2, max_num=6),
        FieldPanel("explanation"),
        FieldPanel("legal_document"),
        FieldPanel("tags"),
        FieldPanel("active"),
    ]
    search_fields = [
        index.SearchField("text"),
        index.SearchField("topic"),
        index.AutocompleteField("text"),
        index.FilterField("bank"),
        index.FilterField("active"),
        index.FilterField("topic"),
    ]

    class Meta:
        ordering = ["bank", "topic", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [models.Index(fields=["bank", "active", "topic"])]

    def __str__(self):
        return self.text[:80]

    def correct_choice_ids(self):
        return {choice.pk for choice in self.choices.all() if choice.correct}

    def validate_choices(self, choices):
        """Cross-field rule for a question and its (unsaved) choices."""
        correct = sum(1 for choice in choices if choice.correct)
        if len(choices) < 2:
            raise ValidationError(_("A question needs at least two choices."))
        if correct == 0:
            raise ValidationError(_("Mark at least one choice as correct."))
        if self.kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE) and correct != 1:
            raise ValidationError(_("A single-choice or true/false question has exactly one correct choice."))
        if self.kind == QuestionKind.TRUE_FALSE and len(choices) != 2:
            raise ValidationError(_("A true/false question has exactly two choices."))


class Choice(Orderable):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("text"), max_length=500)
    correct = models.BooleanField(_("correct"), default=False)

    panels = [FieldPanel("text"), FieldPanel("correct")]

    class Meta(Orderable.Meta):
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self):
        return self.text

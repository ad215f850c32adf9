from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel

from courses.search import fold


class SearchTextMixin(models.Model):
    """Keeps ``search_text``, a diacritic-free copy of the searchable fields, filled on save."""

    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    search_source_fields = frozenset({"title", "name", "code", "summary", "learning_objectives", "field"})

    class Meta:
        abstract = True

    def get_search_parts(self):
        raise NotImplementedError

    def tag_names(self):
        tags = getattr(self, "tags", None)
        return [tag.name for tag in tags.all()] if tags is not None else []

    def refresh_search_text(self):
        self.search_text = fold(" ".join(str(part) for part in self.get_search_parts() if part))

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.refresh_search_text()
        elif set(update_fields) & self.search_source_fields:
            self.refresh_search_text()
            kwargs["update_fields"] = {*update_fields, "search_text"}
        # Otherwise a partial save (Wagtail saving a draft revision's bookkeeping fields) must
        # not put unpublished text into the live row's search column.
        return super().save(*args, **kwargs)


class LearningContentMixin(SearchTextMixin):
    """What courses and lessons share: a summary and the time they take."""

    summary = models.TextField(_("summary"), max_length=500, blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated time (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(6000)],
    )

    learning_panels = [FieldPanel("summary"), FieldPanel("estimated_minutes")]

    class Meta:
        abstract = True

    def get_search_parts(self):
        return [self.title, self.summary, *self.tag_names()]


class LegalCitationsMixin(models.Model):
    """Legal documents the page cites (flagged for review once they are no longer in force)."""

    legal_documents = ParentalManyToManyField(
        "elearning.LegalDocument",
        verbose_name=_("legal documents cited"),
        blank=True,
        related_name="cited_by_%(class)s",
    )

    citation_panels = [FieldPanel("legal_documents")]

    class Meta:
        abstract = True

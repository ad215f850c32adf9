from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from elearning.blocks import ArticleStreamBlock

HOME_CONTEXT_HOOK = "elearning_home_context"


class HomePage(Page):
    """The site root: current contest banner, featured courses, latest news.

    The contest and course sections come from the apps that own them through the
    ``elearning_home_context`` hook, so the core never imports them.
    """

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    news_count = models.PositiveSmallIntegerField(_("news items shown"), default=4)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("news_count")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """Wagtail's routing, with the tree walk memoised until content changes (elearning.pagecache)."""
        from elearning import pagecache

        return pagecache.route(self, request, path_components, super().route)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = (
            NewsPage.objects.live().public().select_related("image").order_by("-date", "-pk")[: self.news_count]
        )
        for fn in hooks.get_hooks(HOME_CONTEXT_HOOK):
            context.update(fn(request, self) or {})
        return context


class NewsIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    per_page = 10

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["elearning.HomePage"]
    subpage_types = ["elearning.NewsPage"]

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = NewsPage.objects.live().public().child_of(self).select_related("image").order_by("-date", "-pk")
        tag = request.GET.get("tag", "").strip()
        if tag:
            articles = articles.filter(tags__slug=tag)
        paginator = Paginator(articles, self.per_page)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page = paginator.page(1)
        except EmptyPage:
            page = paginator.page(paginator.num_pages)
        context.update(articles=page, current_tag=tag, tags=NewsPageTag.tags_in_use(self))
        return context


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey("elearning.NewsPage", related_name="tagged_items", on_delete=models.CASCADE)

    @classmethod
    def tags_in_use(cls, index_page):
        from taggit.models import Tag

        live_ids = NewsPage.objects.live().public().child_of(index_page).values("pk")
        return Tag.objects.filter(elearning_newspagetag_items__content_object__in=live_ids).distinct().order_by("name")


class NewsPage(Page):
    """A CCHC propaganda article (*tin bài*)."""

    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.TextField(_("summary"), max_length=400, blank=True)
    image = models.ForeignKey(
        "elearning.CustomImage",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(ArticleStreamBlock(), verbose_name=_("body"), blank=True)
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True, verbose_name=_("tags"))

    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("image"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["elearning.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")

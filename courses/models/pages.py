from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, router
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from courses.blocks import LessonStreamBlock
from courses.search import search_filter

from .mixins import LearningContentMixin, LegalCitationsMixin

CARD_RENDITION = "fill-640x360"
# The progress feature's partials, with an empty stand-in until they exist.
PROGRESS_TEMPLATE = ["courses/includes/progress.html", "courses/includes/no_progress.html"]
PROGRESS_ACTIONS_TEMPLATE = ["courses/includes/progress_actions.html", "courses/includes/no_progress.html"]


class CourseLevel(models.TextChoices):
    COMMUNE = "commune", _("Commune level")
    DISTRICT = "district", _("District level")
    ALL = "all", _("All levels")


class CourseIndexPage(Page):
    """The course catalogue: filters by topic tag and level, diacritic-insensitive search, 12 per page."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    per_page = 12

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["elearning.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("course catalogue")
        verbose_name_plural = _("course catalogues")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        query = request.GET.get("q", "").strip()[:100]
        tag = request.GET.get("tag", "").strip()[:100]
        level = request.GET.get("level", "").strip()
        if level not in CourseLevel.values:
            level = ""
        courses = CoursePage.objects.published().child_of(self).for_level(level).tagged(tag).search(query).for_cards()
        paginator = Paginator(courses, self.per_page)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page = paginator.page(1)
        except EmptyPage:
            page = paginator.page(paginator.num_pages)
        context.update(
            courses=page,
            query=query,
            current_tag=tag,
            current_level=level,
            levels=CourseLevel.choices,
            tags=CoursePageTag.tags_in_use(self),
            is_filtered=bool(query or tag or level),
        )
        return context


class CoursePageTag(TaggedItemBase):
    content_object = ParentalKey("courses.CoursePage", related_name="tagged_items", on_delete=models.CASCADE)

    @classmethod
    def tags_in_use(cls, index_page):
        live_ids = CoursePage.objects.live().public().child_of(index_page).values("pk")
        return Tag.objects.filter(courses_coursepagetag_items__content_object__in=live_ids).distinct().order_by("name")


class CoursePageQuerySet(PageQuerySet):
    def published(self):
        return self.live().public()

    def for_level(self, level):
        """Courses for officials at ``level``: that level's courses and the all-levels ones."""
        if not level:
            return self
        if level == CourseLevel.ALL:
            return self.filter(level=CourseLevel.ALL)
        return self.filter(level__in=[level, CourseLevel.ALL])

    def tagged(self, slug):
        return self.filter(tags__slug=slug) if slug else self

    def search(self, query):
        return self.filter(search_filter(query)) if query else self

    def for_cards(self):
        """What a course card shows: cover image and its rendition, tags."""
        from wagtail.images import get_image_model

        renditions = get_image_model().get_rendition_model().objects.filter(filter_spec=CARD_RENDITION)
        return self.select_related("cover_image").prefetch_related(
            Prefetch("cover_image__renditions", queryset=renditions), "tags"
        )


CoursePageManager = PageManager.from_queryset(CoursePageQuerySet)


class CoursePage(LearningContentMixin, LegalCitationsMixin, Page):
    """A training course; its lessons are its child pages, in tree order."""

    Level = CourseLevel

    cover_image = models.ForeignKey(
        "elearning.CustomImage",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    level = models.CharField(_("level"), max_length=20, choices=CourseLevel.choices, default=CourseLevel.ALL)
    learning_objectives = models.TextField(_("learning objectives"), blank=True, help_text=_("One objective per line."))
    description = RichTextField(_("description"), blank=True, features=["h3", "bold", "italic", "link", "ol", "ul"])
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=70,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of the knowledge-check questions a learner must answer right to complete the course."),
    )
    tags = ClusterTaggableManager(through=CoursePageTag, blank=True, verbose_name=_("topics"))

    objects = CoursePageManager()

    content_panels = Page.content_panels + [
        MultiFieldPanel(LearningContentMixin.learning_panels, heading=_("Overview")),
        FieldPanel("cover_image"),
        FieldPanel("level"),
        FieldPanel("learning_objectives"),
        FieldPanel("description"),
        FieldPanel("pass_mark"),
        FieldPanel("tags"),
        MultiFieldPanel(LegalCitationsMixin.citation_panels, heading=_("Legal basis")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("learning_objectives"),
        index.SearchField("search_text"),
        index.FilterField("level"),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(condition=Q(pass_mark__lte=100), name="coursepage_pass_mark_percent"),
        ]

    def get_search_parts(self):
        return [*super().get_search_parts(), self.learning_objectives]

    @property
    def objectives(self):
        return [line.strip(" -•\t") for line in self.learning_objectives.splitlines() if line.strip(" -•\t")]

    def lessons(self):
        return LessonPage.objects.live().public().child_of(self).order_by("path")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(
            catalogue=self.get_parent(),
            lessons=list(
                self.lessons().only("id", "title", "url_path", "path", "depth", "estimated_minutes", "summary")
            ),
            course_tags=list(self.tags.all()),
            legal_documents=list(self.legal_documents.select_related("replaced_by")),
            progress_template=PROGRESS_TEMPLATE,
        )
        return context


class LessonPageTag(TaggedItemBase):
    content_object = ParentalKey("courses.LessonPage", related_name="tagged_items", on_delete=models.CASCADE)


class LessonPageQuerySet(PageQuerySet):
    def published(self):
        return self.live().public()

    def in_course(self, course):
        return self.child_of(course).order_by("path")


LessonPageManager = PageManager.from_queryset(LessonPageQuerySet)


class LessonPage(LearningContentMixin, LegalCitationsMixin, Page):
    """A lesson: a StreamField body with text, media, procedure cards and knowledge checks."""

    body = StreamField(LessonStreamBlock(), verbose_name=_("body"), blank=True)
    tags = ClusterTaggableManager(through=LessonPageTag, blank=True, verbose_name=_("topics"))

    objects = LessonPageManager()

    content_panels = Page.content_panels + [
        MultiFieldPanel(LearningContentMixin.learning_panels, heading=_("Overview")),
        FieldPanel("body"),
        FieldPanel("tags"),
        MultiFieldPanel(LegalCitationsMixin.citation_panels, heading=_("Legal basis")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("search_text"),
    ]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    # --- knowledge checks (graded by courses.services.checks) ---

    def knowledge_checks(self):
        """``{block_id: StructValue}`` for every knowledge check in the body, in body order."""
        return {child.id: child.value for child in self.body if child.block_type == "check"}

    def get_check(self, block_id):
        return self.knowledge_checks().get(str(block_id))

    # --- citations ---

    def body_legal_document_ids(self):
        """Ids of the legal documents quoted by the body's callouts (read from the raw JSON, no query)."""
        ids = set()
        for item in self.body.raw_data:
            if item.get("type") == "callout":
                document_id = (item.get("value") or {}).get("legal_document")
                if document_id:
                    ids.add(int(document_id))
        return ids

    def save(self, *args, **kwargs):
        # A legal quote in the body is a citation too: keep it in legal_documents so the
        # outdated-citation report finds it with one query.
        if kwargs.get("update_fields") is None:
            quoted = self.body_legal_document_ids()
            if quoted:
                from elearning.models import LegalDocument

                current = {document.pk for document in self.legal_documents.all()}
                if not quoted <= current:
                    self.legal_documents = list(LegalDocument.objects.filter(pk__in=quoted | current))
        return super().save(*args, **kwargs)

    # --- rendering ---

    def get_course(self, request=None):
        """The course (parent page), read once per instance: the visit hook and the page share it."""
        return self.course_outline(request)[0]

    def course_outline(self, request=None):
        """``(course, siblings, outline)``, read once per instance: the course, its published
        lessons in order (pages holding what a link needs: id, title, url_path, path, depth) and
        their :class:`~courses.services.progress.LessonOutline` (the progress panel's outline).

        With a request (not a preview) they are kept per process in the page cache's memo
        (``elearning.pagecache.memo``) for the content generation and the language: publishing,
        unpublishing, moving or saving any page starts a new generation, so the next view reads
        them again. Every call builds new page instances from the memo's values.
        """
        if not hasattr(self, "_course_outline"):
            self._course_outline = self._read_course_outline(request)
        return self._course_outline

    def _read_course_outline(self, request):
        from django.utils.translation import get_language

        from elearning import pagecache

        parent_path = self.path[: (self.depth - 1) * self.steplen]
        if request is None or getattr(request, "is_preview", False):
            values = _course_values(parent_path)
        else:
            key = ("courses:course", parent_path, get_language())
            values = pagecache.memo(request, key, lambda: _course_values(parent_path))
        if values is None:
            return None, [], []
        course_values, lesson_values, outline = values
        course = CoursePage.from_db(router.db_for_read(CoursePage), _COURSE_FIELDS, course_values)
        db = router.db_for_read(LessonPage)
        siblings = [LessonPage.from_db(db, _SIBLING_FIELDS, row) for row in lesson_values]
        return course, siblings, list(outline)

    def cited_documents_and_tags(self, request=None):
        """The legal documents the lesson cites (with ``replaced_by``) and its tags, kept in the
        memo per lesson, live revision, content generation and language; read afresh in a preview
        (a draft's citations are not the live ones). The instances are shared: read only."""
        from django.utils.translation import get_language

        from elearning import pagecache

        def read():
            return list(self.legal_documents.select_related("replaced_by")), list(self.tags.all())

        if request is None or getattr(request, "is_preview", False):
            return read()
        key = ("courses:lesson-citations", self.pk, self.live_revision_id, get_language())
        return pagecache.memo(request, key, read)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        course, siblings, outline = self.course_outline(request)
        if course and request is not None:
            # The same lessons are the course outline of the learner's progress panel (progress_tags).
            request._courses_outlines = {course.pk: outline}
        position = next((i for i, lesson in enumerate(siblings) if lesson.pk == self.pk), None)
        legal_documents, tags = self.cited_documents_and_tags(request)
        context.update(
            course=course,
            course_lessons=siblings,
            lesson_number=position + 1 if position is not None else None,
            previous_lesson=siblings[position - 1] if position else None,
            next_lesson=siblings[position + 1] if position is not None and position + 1 < len(siblings) else None,
            lesson_legal_documents=legal_documents,
            lesson_tags=tags,
            progress_template=PROGRESS_TEMPLATE,
            progress_actions_template=PROGRESS_ACTIONS_TEMPLATE,
            # The template's {% shared_fragment %} parts (head, navigation, the lesson's title,
            # citations, outline, footer) are rendered once for every reader of this revision.
            shared_fragment_scope=("lesson", self.pk, self.live_revision_id),
        )
        return context


# What the lesson page keeps of its course and of the course's lessons (attnames, in the
# models' concrete field order, as Model.from_db expects them).
_COURSE_FIELDS = [field.attname for field in CoursePage._meta.concrete_fields]
_SIBLING_FIELDS = [
    field.attname
    for field in LessonPage._meta.concrete_fields
    if field.attname in {"id", "page_ptr_id", "title", "url_path", "path", "depth"}
]


def _course_values(course_path):
    """``(course values, [sibling values], [LessonOutline])`` of the course at ``course_path``,
    or None: two queries."""
    from courses.services.progress import LessonOutline, check_ids_of

    course = CoursePage.objects.filter(path=course_path).first()
    if course is None:
        return None
    lessons = list(
        LessonPage.objects.published().in_course(course).only("id", "title", "url_path", "path", "depth", "body")
    )
    return (
        tuple(getattr(course, name) for name in _COURSE_FIELDS),
        [tuple(getattr(lesson, name) for name in _SIBLING_FIELDS) for lesson in lessons],
        tuple(LessonOutline(lesson.id, lesson.title, lesson.url_path, check_ids_of(lesson.body)) for lesson in lessons),
    )

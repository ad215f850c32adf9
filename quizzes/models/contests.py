from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from elearning import pagecache
from elearning.blocks import ArticleStreamBlock
from quizzes.forms import ContestPageForm


class PredictionKind(models.TextChoices):
    PARTICIPANTS = "participants", _("People who took part in the round")
    FULL_SCORE = "full_score", _("People with a full score in the round")


class Eligibility(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    OFFICIALS = "officials", _("Officials only")


class ReviewPolicy(models.TextChoices):
    AFTER_SUBMIT = "after_submit", _("Right after the attempt is finished")
    AFTER_ROUND = "after_round", _("After the round closes")
    NEVER = "never", _("Never")


def next_round_change(moment=None):
    """When a round of any contest next opens or closes (``None`` when none will): pages that say
    which round is open are cached until then (elearning.pagecache). One query."""
    moment = moment or timezone.now()
    found = Round.objects.aggregate(
        opens=Min("opens_at", filter=Q(opens_at__gt=moment)), closes=Min("closes_at", filter=Q(closes_at__gt=moment))
    )
    changes = [value for value in found.values() if value is not None]
    return min(changes) if changes else None


class ContestIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["elearning.HomePage"]
    subpage_types = ["quizzes.ContestPage"]
    max_count = 1

    class Meta:
        verbose_name = _("contest index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["contests"] = ContestPage.objects.live().public().child_of(self).order_by("-first_published_at")
        pagecache.expires_at(request, next_round_change)  # each card says whether a round is open
        return context


class ContestPage(RoutablePageMixin, Page):
    """An annual CCHC contest: rules in the CMS, weekly rounds as inline children."""

    PredictionKind = PredictionKind
    Eligibility = Eligibility
    ReviewPolicy = ReviewPolicy

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ol", "ul"])
    body = StreamField(ArticleStreamBlock(), verbose_name=_("rules and prizes"), blank=True)
    bank = models.ForeignKey(
        "quizzes.QuestionBank", verbose_name=_("question bank"), on_delete=models.PROTECT, related_name="contests"
    )
    questions_per_attempt = models.PositiveSmallIntegerField(_("questions per attempt"), default=20)
    time_limit_seconds = models.PositiveIntegerField(_("time limit (seconds)"), default=900)
    attempts_per_round = models.PositiveSmallIntegerField(_("attempts per round"), default=3)
    prediction_question = models.CharField(
        _("prediction question"), max_length=300, blank=True, help_text=_("Leave empty to ask no prediction.")
    )
    prediction_kind = models.CharField(
        _("prediction counts"), max_length=12, choices=PredictionKind.choices, default=PredictionKind.PARTICIPANTS
    )
    eligibility = models.CharField(
        _("who may take part"), max_length=10, choices=Eligibility.choices, default=Eligibility.EVERYONE
    )
    review = models.CharField(
        _("answers may be reviewed"), max_length=12, choices=ReviewPolicy.choices, default=ReviewPolicy.AFTER_ROUND
    )
    separate_groups = models.BooleanField(_("separate rankings for officials and citizens"), default=False)
    unit_prize_count = models.PositiveSmallIntegerField(_("unit prizes"), default=3)
    unit_min_participation = models.DecimalField(
        _("minimum participation rate for unit prizes"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Between 0 and 1: 0.5 means half of the unit's headcount took part."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        InlinePanel("rounds", label=_("Rounds"), min_num=1),
    ]
    contest_panels = [
        FieldPanel("bank"),
        MultiFieldPanel(
            [
                FieldPanel("questions_per_attempt"),
                InlinePanel("topic_quotas", label=_("Questions per topic (optional)")),
                FieldPanel("time_limit_seconds"),
                FieldPanel("attempts_per_round"),
            ],
            heading=_("Attempts"),
        ),
        MultiFieldPanel([FieldPanel("prediction_question"), FieldPanel("prediction_kind")], heading=_("Prediction")),
        MultiFieldPanel(
            [FieldPanel("eligibility"), FieldPanel("separate_groups"), FieldPanel("review")], heading=_("Participants")
        ),
        MultiFieldPanel(
            [
                InlinePanel("prize_rules", label=_("Prizes per round")),
                FieldPanel("unit_prize_count"),
                FieldPanel("unit_min_participation"),
            ],
            heading=_("Prizes"),
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(contest_panels, heading=_("Contest settings")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )
    base_form_class = ContestPageForm
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["quizzes.ContestIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")

    # -- participant routes (views in quizzes.views) ------------------------------
    @path("")
    def contest_home(self, request):
        from quizzes import views

        return views.contest_home(request, self)

    @path("start/", name="start")
    def start_route(self, request):
        from quizzes import views

        return views.start(request, self)

    @path("leaderboard/", name="leaderboard")
    def leaderboard_route(self, request):
        from quizzes import views

        return views.leaderboard(request, self)

    @path("winners/", name="winners")
    def winners_route(self, request):
        from quizzes import views_results

        return views_results.winners(request, self)

    @property
    def page_cache_timeout(self):
        """Anonymous copies of the contest's pages (rounds, live top ten, leaderboards, winners) last a few seconds."""
        return settings.PAGE_CACHE_LIVE_TIMEOUT

    @property
    def asks_prediction(self):
        return bool(self.prediction_question)

    @property
    def time_limit(self):
        return timedelta(seconds=self.time_limit_seconds)

    def round_open_at(self, moment=None):
        moment = moment or timezone.now()
        return self.rounds.filter(opens_at__lte=moment, closes_at__gt=moment).first()

    @property
    def current_round(self):
        if not hasattr(self, "_current_round"):
            self._current_round = self.round_open_at()
        return self._current_round

    def next_round(self, moment=None):
        moment = moment or timezone.now()
        return self.rounds.filter(opens_at__gt=moment).order_by("opens_at").first()

    def clean(self):
        super().clean()
        if self.questions_per_attempt < 1:
            raise ValidationError({"questions_per_attempt": _("Ask at least one question.")})
        if self.time_limit_seconds < 10:
            raise ValidationError({"time_limit_seconds": _("Give at least 10 seconds.")})
        if self.attempts_per_round < 1:
            raise ValidationError({"attempts_per_round": _("Allow at least one attempt.")})


class TopicQuota(Orderable):
    contest = ParentalKey(ContestPage, on_delete=models.CASCADE, related_name="topic_quotas")
    topic = models.CharField(_("topic"), max_length=100)
    count = models.PositiveSmallIntegerField(_("questions"))

    panels = [FieldPanel("topic"), FieldPanel("count")]

    class Meta(Orderable.Meta):
        verbose_name = _("topic quota")
        constraints = [models.UniqueConstraint(fields=["contest", "topic"], name="topicquota_unique_topic")]


class RoundQuerySet(models.QuerySet):
    def open_at(self, moment):
        return self.filter(opens_at__lte=moment, closes_at__gt=moment)


class Round(Orderable):
    """A weekly round. Attempts reference it, so rounds with attempts are never deleted."""

    contest = ParentalKey(ContestPage, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("number"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))

    objects = RoundQuerySet.as_manager()

    panels = [FieldPanel("number"), FieldPanel("opens_at"), FieldPanel("closes_at")]

    class Meta(Orderable.Meta):
        ordering = ["number"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.UniqueConstraint(fields=["contest", "number"], name="round_unique_number"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="round_closes_after_opening"),
        ]

    def __str__(self):
        return _("Round %(number)s") % {"number": self.number}

    def is_open(self, moment=None):
        moment = moment or timezone.now()
        return self.opens_at <= moment < self.closes_at

    def is_closed(self, moment=None):
        return (moment or timezone.now()) >= self.closes_at

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("A round must close after it opens.")})


class PrizeLevel(models.TextChoices):
    FIRST = "first", _("First prize")
    SECOND = "second", _("Second prize")
    THIRD = "third", _("Third prize")
    CONSOLATION = "consolation", _("Consolation prize")


PRIZE_ORDER = [PrizeLevel.FIRST, PrizeLevel.SECOND, PrizeLevel.THIRD, PrizeLevel.CONSOLATION]


class PrizeGroup(models.TextChoices):
    EVERYONE = "", _("Everyone")
    OFFICIAL = "official", _("Officials")
    CITIZEN = "citizen", _("Citizens")


class PrizeRule(Orderable):
    """How many prizes of a level each round awards, per participant group."""

    contest = ParentalKey(ContestPage, on_delete=models.CASCADE, related_name="prize_rules")
    group = models.CharField(_("group"), max_length=10, choices=PrizeGroup.choices, blank=True, default="")
    level = models.CharField(_("prize"), max_length=12, choices=PrizeLevel.choices)
    count = models.PositiveSmallIntegerField(_("how many"))

    panels = [FieldPanel("group"), FieldPanel("level"), FieldPanel("count")]

    class Meta(Orderable.Meta):
        verbose_name = _("prize rule")
        constraints = [
            models.UniqueConstraint(fields=["contest", "group", "level"], name="prizerule_unique_level"),
        ]

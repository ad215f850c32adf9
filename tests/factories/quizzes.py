"""Factories for the contest: banks, questions with choices, contest pages with rounds.

The quickest way to a contest someone can take part in::

    contest = make_contest(questions=10, rounds=2, questions_per_attempt=5)
    contest.rounds.first()  # open now; round 2 follows a week later
"""

from datetime import timedelta

import factory
import wagtail_factories
from django.utils import timezone
from factory.django import DjangoModelFactory

from elearning.models import HomePage
from quizzes.models import Choice, ContestIndexPage, ContestPage, Question, QuestionBank, QuestionKind, Round

# Default correct choices by kind (indexes into the choices).
DEFAULT_CORRECT = {QuestionKind.SINGLE: [0], QuestionKind.MULTIPLE: [0, 2], QuestionKind.TRUE_FALSE: [0]}


class QuestionBankFactory(DjangoModelFactory):
    class Meta:
        model = QuestionBank
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Ngân hàng câu hỏi {n}")
    slug = factory.Sequence(lambda n: f"bank-{n}")


class QuestionFactory(DjangoModelFactory):
    """A question with its choices.

    ``choices``: nothing -> 4 choices (2 "Đúng"/"Sai" for true/false) with
    ``DEFAULT_CORRECT[kind]`` correct; an int -> that many choices; a list of
    strings or ``(text, correct)`` pairs -> exactly those. ``choices__correct=[1, 3]``
    picks the correct indexes. ``tags=["nd-61-2018"]`` tags the question.
    """

    class Meta:
        model = Question
        skip_postgeneration_save = True

    bank = factory.SubFactory(QuestionBankFactory)
    topic = "Một cửa"
    text = factory.Sequence(lambda n: f"Câu hỏi thử nghiệm số {n}?")
    kind = QuestionKind.SINGLE
    explanation = "Giải thích đáp án."
    active = True

    class Params:
        multiple = factory.Trait(kind=QuestionKind.MULTIPLE)
        true_false = factory.Trait(kind=QuestionKind.TRUE_FALSE)

    @factory.post_generation
    def choices(obj, create, extracted, correct=None, **kwargs):
        if not create:
            return
        if extracted is None or isinstance(extracted, int):
            if obj.kind == QuestionKind.TRUE_FALSE and extracted is None:
                texts = ["Đúng", "Sai"]
            else:
                texts = [f"Phương án {chr(65 + i)}" for i in range(extracted or 4)]
            correct = DEFAULT_CORRECT[obj.kind] if correct is None else correct
            pairs = [(text, index in correct) for index, text in enumerate(texts)]
        else:
            pairs = [(item, False) if isinstance(item, str) else tuple(item) for item in extracted]
            if correct is not None:
                pairs = [(text, index in correct) for index, (text, _flag) in enumerate(pairs)]
        Choice.objects.bulk_create(
            Choice(question=obj, text=text, correct=bool(flag), sort_order=index)
            for index, (text, flag) in enumerate(pairs)
        )

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.add(*extracted)
            obj.save()


class ContestIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ContestIndexPage

    title = "Cuộc thi"
    slug = "cuoc-thi"


class ContestPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ContestPage

    title = factory.Sequence(lambda n: f"Cuộc thi tìm hiểu cải cách hành chính {n}")
    slug = factory.Sequence(lambda n: f"cuoc-thi-{n}")
    bank = factory.SubFactory(QuestionBankFactory)
    questions_per_attempt = 5
    time_limit_seconds = 900
    attempts_per_round = 3
    prediction_question = "Dự đoán có bao nhiêu người tham gia tuần thi này?"
    prediction_kind = ContestPage.PredictionKind.PARTICIPANTS
    eligibility = ContestPage.Eligibility.EVERYONE
    review = ContestPage.ReviewPolicy.AFTER_ROUND


class RoundFactory(DjangoModelFactory):
    """A round open now for a week, unless told otherwise."""

    class Meta:
        model = Round

    contest = factory.SubFactory(ContestPageFactory, parent=factory.LazyFunction(lambda: contest_index()))
    number = factory.LazyAttribute(lambda r: (r.contest.rounds.count() + 1) if r.contest.pk else 1)
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    closes_at = factory.LazyAttribute(lambda r: r.opens_at + timedelta(days=7))


def home_page():
    home = HomePage.objects.order_by("path").first()
    if home is None:  # the migration creates it; transactional tests flush it away
        from django.conf import settings
        from wagtail.models import Locale, Page, Site

        Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
        home = root.add_child(instance=HomePage(title="Trang chủ", slug="home"))
        Site.objects.update_or_create(is_default_site=True, defaults={"hostname": "localhost", "root_page": home})
    return home


def contest_index():
    """The site's contest index (there is at most one), created under the home page if missing."""
    return ContestIndexPage.objects.first() or ContestIndexPageFactory(parent=home_page())


def make_contest(questions=5, rounds=1, *, bank=None, round_length=timedelta(days=7), **settings):
    """home → contest index → contest, with its bank of questions and its rounds.

    ``questions``: a number of single-choice questions to create, or a list of
    existing questions (their bank becomes the contest's bank).
    ``rounds``: a number — round 1 opened an hour ago and the next ones follow
    back to back — or a list of ``{"opens_at", "closes_at"}`` dicts.
    ``settings``: ContestPage fields (``questions_per_attempt``, ``review``, …).
    """
    if not isinstance(questions, int):
        questions = list(questions)
        bank = bank or (questions[0].bank if questions else None)
    bank = bank or QuestionBankFactory()
    if isinstance(questions, int):
        QuestionFactory.create_batch(questions, bank=bank)
    settings.setdefault("questions_per_attempt", min(5, bank.questions.count()) or 5)
    contest = ContestPageFactory(parent=contest_index(), bank=bank, **settings)
    if isinstance(rounds, int):
        start = timezone.now() - timedelta(hours=1)
        rounds = [
            {"opens_at": start + i * round_length, "closes_at": start + (i + 1) * round_length} for i in range(rounds)
        ]
    for number, spec in enumerate(rounds, start=1):
        RoundFactory(contest=contest, **{"number": number, "sort_order": number - 1, **spec})
    return contest

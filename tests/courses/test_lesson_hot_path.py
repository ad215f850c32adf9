"""A logged-in learner's warm lesson page on the production cache (Redis): its round trips, the lesson
visit throttle read with the session user's versions, and the progress panels kept per learning state."""

import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, LessonProgress
from courses.services.progress import RECENT_VISITS_PREFIX, enrol
from tests.courses.test_lesson_cache import enrolled_learners
from tests.courses.test_progress import answer_all, lessons_of
from tests.factories.courses import make_course
from tests.quizzes.test_write_path import redis_caches, redis_calls  # noqa: F401

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - timedelta(days=2)


def _reader(course, name):
    (learner,) = enrolled_learners(course, name)
    client = Client()
    client.force_login(learner)
    return learner, client


def _last_seen(learner, lesson):
    return LessonProgress.objects.get(user=learner, lesson=lesson).last_seen_at


def _age(learner, lesson):
    LessonProgress.objects.filter(user=learner, lesson=lesson).update(last_seen_at=LONG_AGO)


def _guard_asked(calls):
    """Whether the visit's guard key was set (or tried) in these round trips."""
    sent = (b"".join(command) if isinstance(command, list) else command for command in calls)
    return any(b"courses:visit:" in command for command in sent)


def test_a_warm_lesson_view_is_two_redis_round_trips_and_no_query(redis_caches, redis_calls, django_assert_num_queries):  # noqa: F811
    course = make_course(lessons=2, checks=1)
    lesson = lessons_of(course)[0]
    learner, client = _reader(course, "Phạm Văn Khoa")
    for _ in range(2):
        client.get(lesson.url)
    redis_calls.clear()
    with django_assert_num_queries(0):
        html = client.get(lesson.url).content.decode()
    # The session; the user's versions read with their admin-access entry and their recent visits.
    assert len(redis_calls) == 2, redis_calls
    assert '<li class="nav-user">Phạm Văn Khoa</li>' in html and "<wagtail-userbar" not in html


def test_a_repeat_visit_is_throttled_without_asking_the_guard_and_another_lesson_is_written(redis_caches, redis_calls):  # noqa: F811
    course = make_course(lessons=2, checks=1)
    first, second = lessons_of(course)
    learner, client = _reader(course, "Trần Thị Lan")
    client.get(first.url)  # a first visit: written at once
    assert _last_seen(learner, first) is not None
    _age(learner, first)

    redis_calls.clear()
    client.get(first.url)  # again within the minute
    assert not _guard_asked(redis_calls)
    assert _last_seen(learner, first) == LONG_AGO

    client.get(second.url)  # another lesson is written at once, and the first stays noted
    assert _last_seen(learner, second) > LONG_AGO
    redis_calls.clear()
    client.get(first.url)
    assert not _guard_asked(redis_calls) and _last_seen(learner, first) == LONG_AGO

    caches["default"].clear()  # the minute has passed
    client.get(first.url)
    assert _last_seen(learner, first) > LONG_AGO
    # "Continue learning" orders by the visits: the one written last comes first.
    assert client.get(reverse("courses:my_learning")).status_code == 200


def test_without_the_note_the_guard_still_throttles(redis_caches, redis_calls):  # noqa: F811
    course = make_course(lessons=1, checks=1)
    lesson = lessons_of(course)[0]
    learner, client = _reader(course, "Lê Văn Tâm")
    client.get(lesson.url)
    _age(learner, lesson)
    caches["default"].delete(f"{RECENT_VISITS_PREFIX}{learner.pk}")  # the note is lost, the guard stands

    redis_calls.clear()
    client.get(lesson.url)
    assert _guard_asked(redis_calls)
    assert _last_seen(learner, lesson) == LONG_AGO


def test_a_new_enrolment_records_its_first_visit_at_once(redis_caches):  # noqa: F811
    course = make_course(lessons=1, checks=1)
    lesson = lessons_of(course)[0]
    learner, client = _reader(course, "Hoàng Văn Minh")
    client.get(lesson.url)
    Enrolment.objects.filter(user=learner, course=course).delete()
    enrolment, _created = enrol(learner, course)

    client.get(lesson.url)  # within the minute, but a visit of the new enrolment
    assert LessonProgress.objects.get(user=learner, lesson=lesson).enrolment == enrolment


def test_answers_saved_after_a_noted_visit_show_at_once(redis_caches):  # noqa: F811
    course = make_course(lessons=2, checks=1)
    first = lessons_of(course)[0]
    learner, client = _reader(course, "Vũ Thị Hạnh")
    for _ in range(2):
        client.get(first.url)
    answer_all(learner, first)
    html = client.get(first.url).content.decode()
    assert '<span class="badge badge-success">' in html
    assert LessonProgress.objects.get(user=learner, lesson=first).completed_at is not None


@pytest.mark.parametrize("memo", ["redis", "locmem"])
def test_readers_in_the_same_state_each_get_their_own_token_in_the_kept_panel(request, memo):
    if memo == "redis":
        request.getfixturevalue("redis_caches")
    course = make_course(lessons=2, checks=0)  # "Mark this lesson as done": a form in the panel
    lesson = lessons_of(course)[0]
    action = reverse("courses:complete_lesson", kwargs={"lesson_id": lesson.pk})
    secrets = set()
    for name in ("Đặng Văn Sơn", "Bùi Thị Mai"):
        _learner, client = _reader(course, name)
        for _ in range(2):
            html = client.get(lesson.url).content.decode()
        form = re.search(rf'<form method="post" action="{action}".*?</form>', html, re.S)[0]
        token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', form)[1]
        secret = client.cookies["csrftoken"].value
        assert _unmask_cipher_token(token) == secret
        secrets.add(secret)
    assert len(secrets) == 2


def test_a_certificate_shows_only_on_its_learners_page(redis_caches):  # noqa: F811
    course = make_course(lessons=1, checks=1, pass_mark=50)
    lesson = lessons_of(course)[0]
    codes = {}
    pages = {}
    for name in ("Ngô Văn Hải", "Đinh Thị Thu"):
        learner, client = _reader(course, name)
        answer_all(learner, lesson)
        codes[name] = Enrolment.objects.get(user=learner, course=course).certificate.code
        for _ in range(2):
            pages[name] = client.get(lesson.url).content.decode()
    assert codes["Ngô Văn Hải"] != codes["Đinh Thị Thu"]
    assert codes["Ngô Văn Hải"] in pages["Ngô Văn Hải"] and codes["Đinh Thị Thu"] not in pages["Ngô Văn Hải"]
    assert codes["Đinh Thị Thu"] in pages["Đinh Thị Thu"] and codes["Ngô Văn Hải"] not in pages["Đinh Thị Thu"]


def test_the_panel_follows_the_learners_progress_and_language(redis_caches):  # noqa: F811
    course = make_course(lessons=2, checks=1)
    first, _second = lessons_of(course)
    learner, client = _reader(course, "Trịnh Văn Long")
    _other, other_client = _reader(course, "Mai Thị Hoa")
    other_client.get(first.url)  # the panel for "nothing done yet" is kept by another reader
    before = client.get(first.url).content.decode()
    answer_all(learner, first)
    after = client.get(first.url).content.decode()
    assert '<span class="badge badge-success">' in after and '<span class="badge badge-success">' not in before
    assert '<span class="badge badge-success">' not in other_client.get(first.url).content.decode()

    client.cookies["django_language"] = "en"
    english = client.get(first.url).content.decode()
    assert "Your progress" in english and "Lesson done" in english
    client.cookies["django_language"] = "vi"
    assert "Your progress" not in client.get(first.url).content.decode()

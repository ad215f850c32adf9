"""Enrolment, lesson and course completion, the pass mark, retakes, "continue", My learning."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from courses.models import Certificate, Enrolment, LessonPage, LessonProgress
from courses.services import progress as progress_service
from courses.services.checks import answer_check
from courses.services.progress import ProgressError, Score, complete_lesson, course_progress, enrol, retake_checks
from elearning import pagecache
from tests.factories.courses import CoursePageFactory, LessonPageFactory, block, check_block, make_course
from tests.factories.elearning import OfficialFactory, UnitFactory

pytestmark = pytest.mark.django_db


def lessons_of(course):
    return list(LessonPage.objects.child_of(course).order_by("path"))


def answer_all(user, lesson, *, first_try_right=True):
    for block_id, check in lesson.knowledge_checks().items():
        right = [str(i) for i, choice in enumerate(check["choices"]) if choice["correct"]]
        if not first_try_right:
            wrong = [str(i) for i, choice in enumerate(check["choices"]) if not choice["correct"]][:1]
            answer_check(user, lesson, block_id, wrong)
        answer_check(user, lesson, block_id, right)


@pytest.fixture
def learner():
    unit = UnitFactory(name="Xã Yên Trạch")
    return OfficialFactory(full_name="Nguyễn Thị Hoà", unit=unit).user


def test_enrol_is_a_post_by_a_logged_in_user_and_idempotent(client, learner):
    course = make_course(lessons=2)
    url = reverse("courses:enrol", kwargs={"course_id": course.pk})
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302 and not Enrolment.objects.exists()  # to the login page
    client.force_login(learner)
    first = client.post(url)
    assert first["Location"] == lessons_of(course)[0].url  # straight to the first lesson
    client.post(url)
    assert Enrolment.objects.filter(user=learner, course=course).count() == 1


def test_cannot_enrol_in_an_unpublished_course(client, learner):
    course = make_course(lessons=1)
    course.unpublish()
    client.force_login(learner)
    assert client.post(reverse("courses:enrol", kwargs={"course_id": course.pk})).status_code == 404
    assert not Enrolment.objects.exists()


def test_lesson_with_checks_is_done_only_when_every_check_is_passed(learner):
    course = make_course(lessons=1, checks=2)
    enrol(learner, course)
    lesson = lessons_of(course)[0]
    first, second = lesson.knowledge_checks()
    answer_check(learner, lesson, first, ["1"])
    assert not course_progress(learner, course).is_done(lesson.pk)
    answer_check(learner, lesson, second, ["0"])  # wrong
    assert not course_progress(learner, course).is_done(lesson.pk)
    answer_check(learner, lesson, second, ["1"])  # retried right
    assert course_progress(learner, course).is_done(lesson.pk)
    with pytest.raises(ProgressError):
        complete_lesson(learner, lesson)  # no "mark done" for a lesson with checks


def test_mark_done_for_a_lesson_without_checks(client, learner):
    course = make_course(lessons=2, checks=0)
    first, second = lessons_of(course)
    client.force_login(learner)
    url = reverse("courses:complete_lesson", kwargs={"lesson_id": first.pk})
    assert client.post(url).status_code == 403  # not enrolled yet
    client.post(reverse("courses:enrol", kwargs={"course_id": course.pk}))
    response = client.post(url)
    assert response["Location"] == second.url  # continue with the next lesson
    assert LessonProgress.objects.get(user=learner, lesson=first).completed_at is not None


def test_course_completes_and_issues_one_certificate(client, learner):
    course = make_course(lessons=2, checks=1, pass_mark=50, estimated_minutes=150, title="Cơ chế một cửa liên thông")
    enrol(learner, course)
    first, second = lessons_of(course)
    answer_all(learner, first)
    assert not Certificate.objects.exists()
    answer_all(learner, second, first_try_right=False)  # 1 of 2 right at the first try = 50 %
    certificate = Certificate.objects.get()
    assert certificate.enrolment.user == learner and certificate.enrolment.completed_at is not None
    assert certificate.learner_name == "Nguyễn Thị Hoà" and certificate.unit_name == "Xã Yên Trạch"
    assert certificate.course_title == "Cơ chế một cửa liên thông" and str(certificate.hours) == "2.5"
    # Nothing more happens on later activity.
    answer_all(learner, second)
    assert Certificate.objects.count() == 1
    client.force_login(learner)
    html = client.get(course.url).content.decode()
    assert reverse("courses:certificate_download", kwargs={"code": certificate.code}) in html


def test_below_the_pass_mark_the_course_is_not_complete_until_the_checks_are_retaken(client, learner):
    course = make_course(lessons=2, checks=1, pass_mark=75)
    enrol(learner, course)
    first, second = lessons_of(course)
    answer_all(learner, first)
    answer_all(learner, second, first_try_right=False)  # 50 % < 75 %
    progress = course_progress(learner, course)
    assert progress.all_lessons_done and not progress.completed and progress.below_pass_mark
    assert progress.score.percent == 50
    client.force_login(learner)
    assert reverse("courses:retake", kwargs={"course_id": course.pk}) in client.get(course.url).content.decode()
    response = client.post(reverse("courses:retake", kwargs={"course_id": course.pk}))
    assert response["Location"] == first.url
    progress = course_progress(learner, course)
    assert progress.done == 0 and progress.score.right == 0
    answer_all(learner, first)
    answer_all(learner, second)
    assert course_progress(learner, course).completed
    assert Certificate.objects.filter(enrolment__user=learner).count() == 1


def test_retake_is_refused_while_it_is_not_needed(learner):
    course = make_course(lessons=2, checks=1)
    enrol(learner, course)
    with pytest.raises(ProgressError):
        retake_checks(learner, course)


def test_pass_mark_compares_exactly():
    assert Score(2, 3).percent == 67
    assert not Score(139, 200).passes(70)  # 69.5 % is not 70 %
    assert Score(7, 10).passes(70)
    assert Score(0, 0).passes(100)  # no checks: nothing to fail


def test_continue_leads_to_the_first_unfinished_lesson(client, learner):
    course = make_course(lessons=3, checks=1)
    enrol(learner, course)
    first, second, third = lessons_of(course)
    answer_all(learner, second)
    client.force_login(learner)
    html = client.get(course.url).content.decode()
    panel = html[html.index("progress-panel") : html.index("</section>", html.index("progress-panel"))]
    assert f'href="{first.url}"' in panel  # "continue" goes back to the first lesson, still open
    assert 'value="33"' in panel
    answer_all(learner, first)
    assert course_progress(learner, course).next_lesson.id == third.pk


def test_course_page_progress_bar_and_enrol_button(client, learner):
    course = make_course(lessons=2, checks=1)
    client.force_login(learner)
    html = client.get(course.url).content.decode()
    assert reverse("courses:enrol", kwargs={"course_id": course.pk}) in html
    enrol(learner, course)
    answer_all(learner, lessons_of(course)[0])
    html = client.get(course.url).content.decode()
    assert '<progress class="progress" max="100" value="50"' in html
    client.logout()
    assert reverse("login") in client.get(course.url).content.decode()


def test_only_enrolled_learners_record_visits(client, learner):
    course = make_course(lessons=1)
    lesson = lessons_of(course)[0]
    client.force_login(learner)
    client.get(lesson.url)
    assert not LessonProgress.objects.exists()
    enrol(learner, course)
    client.get(lesson.url)
    assert LessonProgress.objects.get(user=learner, lesson=lesson).completed_at is None


def test_a_repeat_view_within_a_minute_writes_no_visit_but_another_lesson_does(client, learner):
    course = make_course(lessons=2)
    first, second = lessons_of(course)
    enrol(learner, course)
    client.force_login(learner)
    client.get(first.url)
    long_ago = timezone.now() - timedelta(days=2)
    LessonProgress.objects.filter(user=learner, lesson=first).update(last_seen_at=long_ago)

    client.get(first.url)  # the same lesson again, within the minute
    assert LessonProgress.objects.get(user=learner, lesson=first).last_seen_at == long_ago

    client.get(second.url)  # a lesson not seen yet is written at once
    assert LessonProgress.objects.get(user=learner, lesson=second).last_seen_at > long_ago

    caches["default"].clear()  # the minute has passed
    client.get(first.url)
    assert LessonProgress.objects.get(user=learner, lesson=first).last_seen_at > long_ago


def test_answers_are_saved_on_a_lesson_whose_visit_was_throttled(client, learner):
    course = make_course(lessons=1, checks=1)
    lesson = lessons_of(course)[0]
    enrol(learner, course)
    client.force_login(learner)
    client.get(lesson.url)
    client.get(lesson.url)
    answer_all(learner, lesson)
    assert LessonProgress.objects.get(user=learner, lesson=lesson).completed_at is not None
    assert '<span class="badge badge-success">' in client.get(lesson.url).content.decode()


def test_lesson_page_query_budget(client, learner, django_assert_num_queries, django_assert_max_num_queries):
    course = make_course(lessons=6, checks=2)
    enrol(learner, course)
    lessons = lessons_of(course)
    for lesson in lessons[:3]:
        answer_all(learner, lesson)
    client.force_login(learner)
    client.get("/")  # the site's settings row is created once
    pagecache.bump()  # as a publish does: every memo is read again
    # Cold: the first view of the lesson since the content changed (site, route, course outline,
    # citations) and the first visit of this lesson (its progress row is created): 26 on SQLite.
    with django_assert_max_num_queries(26):
        response = client.get(lessons[3].url)
    assert response.status_code == 200
    # The next view reads the learner's progress again (the first visit's new row replaced their
    # progress version): one query.
    with django_assert_num_queries(1):
        assert client.get(lessons[3].url).status_code == 200
    # Warm (the same learner again, within the minute): no visit write, nothing of the course
    # read again. No query: the session user with the header's profile and the enrolment with its
    # progress rows are kept by the process for the user's versions (elearning.accounts.usercache;
    # 2 queries without it), the site root, the routed page and the view restrictions come from the
    # page-cache memo, whether the learner may use the admin from the cache (elearning.adminaccess).
    with django_assert_num_queries(0):
        response = client.get(lessons[3].url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<progress class="progress" max="100" value="50"' in html
    assert lessons[2].title in html and lessons[4].title in html


def test_a_published_title_shows_on_the_next_view_of_a_sibling(client, learner):
    course = make_course(lessons=2)
    first, second = lessons_of(course)
    enrol(learner, course)
    client.force_login(learner)
    assert second.title in client.get(first.url).content.decode()  # the outline is now kept

    second.title = "Tiếp nhận hồ sơ trực tuyến (bản mới)"
    second.save_revision().publish()
    added = LessonPageFactory(parent=course, title="Trả kết quả qua bưu chính", slug="tra-ket-qua")

    html = client.get(first.url).content.decode()
    assert "Tiếp nhận hồ sơ trực tuyến (bản mới)" in html
    assert added.title in html and added.url in html
    assert "Bài 1/3" in html


def test_an_unpublished_lesson_never_shows_in_the_outline(client, learner):
    course = make_course(lessons=3)
    first, second, third = lessons_of(course)
    draft = LessonPageFactory(parent=course, title="Bài nháp chưa xuất bản", slug="bai-nhap", live=False)
    enrol(learner, course)
    client.force_login(learner)
    html = client.get(first.url).content.decode()
    assert draft.title not in html and third.title in html

    third.unpublish()
    html = client.get(first.url).content.decode()
    assert third.title not in html and draft.title not in html
    assert second.title in html
    assert client.get(third.url).status_code == 404


def test_another_learners_progress_never_shows(client, learner):
    course = make_course(lessons=2, checks=1)
    first = lessons_of(course)[0]
    someone_else = OfficialFactory().user
    for user in (learner, someone_else):
        enrol(user, course)
    answer_all(someone_else, first)
    client.force_login(someone_else)
    theirs = client.get(first.url).content.decode()
    assert '<progress class="progress" max="100" value="50"' in theirs
    assert "badge-success" in theirs

    client.force_login(learner)  # the course outline is kept from their view; progress is not
    mine = client.get(first.url).content.decode()
    assert '<progress class="progress" max="100" value="0"' in mine
    assert "badge-success" not in mine
    assert LessonProgress.objects.get(user=learner, lesson=first).check_results == {}


def test_my_learning_lists_only_my_courses_in_a_fixed_number_of_queries(client, learner, django_assert_max_num_queries):
    courses = [make_course(lessons=3, checks=1) for _ in range(4)]
    for course in courses:
        enrol(learner, course)
        answer_all(learner, lessons_of(course)[0])
    for lesson in lessons_of(courses[0]):
        answer_all(learner, lesson)  # completed
    someone_else = OfficialFactory().user
    theirs = make_course(lessons=1, title="Khoá học của người khác")
    enrol(someone_else, theirs)
    client.force_login(learner)
    client.get(reverse("courses:my_learning"))
    # 15 measured with 4 courses; it does not grow with the number of courses.
    with django_assert_max_num_queries(16):
        response = client.get(reverse("courses:my_learning"))
    html = response.content.decode()
    for course in courses:
        assert course.title in html
    assert "Khoá học của người khác" not in html
    assert reverse("courses:certificate_download", kwargs={"code": Certificate.objects.get().code}) in html
    assert len(progress_service.my_learning(learner)) == 4


def test_my_learning_needs_a_login(client):
    response = client.get(reverse("courses:my_learning"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_lesson_outside_any_course_list_is_not_counted(learner):
    course = CoursePageFactory()
    LessonPageFactory(parent=course, body=[block("paragraph", "<p>Một.</p>")])
    draft = LessonPageFactory(parent=course, body=[check_block()])
    draft.unpublish()
    enrol(learner, course)
    progress = course_progress(learner, course)
    assert progress.total == 1 and progress.score.total == 0

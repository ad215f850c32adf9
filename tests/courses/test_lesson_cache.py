"""The logged-in lesson page: what is kept for every reader, and what stays each reader's own."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.middleware.csrf import CsrfViewMiddleware, _unmask_cipher_token, get_token
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PageViewRestriction

from courses.models import LessonPage
from courses.services.progress import complete_lesson, enrol
from elearning.roles import LEARNER, TRAINER
from tests.courses.test_progress import answer_all, lessons_of
from tests.factories.courses import block, make_course
from tests.factories.elearning import OfficialFactory, UserFactory

pytestmark = pytest.mark.django_db

USERBAR = "<wagtail-userbar"


def _permission_queries(queries):
    return [q["sql"] for q in queries if "auth_permission" in q["sql"]]


def test_an_editor_sees_the_user_bar_and_a_learner_does_not_nor_pays_for_it(client):
    course = make_course(lessons=1)
    lesson = lessons_of(course)[0]
    learner = OfficialFactory().user
    learner.groups.add(Group.objects.get_or_create(name=LEARNER)[0])
    editor = OfficialFactory().user
    editor.groups.add(Group.objects.get(name=TRAINER))

    client.force_login(editor)
    html = client.get(lesson.url).content.decode()
    assert USERBAR in html and "/admin/" in html

    client.force_login(learner)
    client.get(lesson.url)  # the answer is remembered from here on
    with CaptureQueriesContext(connection) as queries:
        html = client.get(lesson.url).content.decode()
    assert USERBAR not in html and 'href="/admin/"' not in html
    assert _permission_queries(queries.captured_queries) == []


def test_a_learner_given_admin_access_sees_the_user_bar_on_the_next_page_and_loses_it_again(client):
    lesson = lessons_of(make_course(lessons=1))[0]
    user = OfficialFactory().user
    client.force_login(user)
    assert USERBAR not in client.get(lesson.url).content.decode()

    trainers = Group.objects.get(name=TRAINER)
    user.groups.add(trainers)
    assert USERBAR in client.get(lesson.url).content.decode()

    user.groups.remove(trainers)
    html = client.get(lesson.url).content.decode()
    assert USERBAR not in html and 'href="/admin/"' not in html


def test_a_publish_shows_the_new_body_at_once_to_a_logged_in_learner(client):
    course = make_course(lessons=1, checks=1)
    lesson = lessons_of(course)[0]
    (learner,) = enrolled_learners(course, "Ngô Văn Tâm")
    client.force_login(learner)
    assert "Nội dung đoạn 1" in client.get(lesson.url).content.decode()  # kept from here on

    lesson = LessonPage.objects.get(pk=lesson.pk)
    lesson.body = [block("paragraph", "<p>Quy trình mới từ tháng Một.</p>"), *lesson.body.raw_data[2:]]
    lesson.save_revision().publish()
    html = client.get(lesson.url).content.decode()
    assert "Quy trình mới từ tháng Một." in html and "Nội dung đoạn 1" not in html

    lesson.body = [block("paragraph", "<p>Bản nháp chưa duyệt.</p>")]
    lesson.save_revision()  # a draft: the learner keeps reading the published body
    html = client.get(lesson.url).content.decode()
    assert "Quy trình mới từ tháng Một." in html and "Bản nháp chưa duyệt." not in html

    lesson.unpublish()
    assert client.get(lesson.url).status_code == 404


def enrolled_learners(course, *full_names):
    """An official per name, each enrolled in ``course``."""
    users = [OfficialFactory(full_name=name).user for name in full_names]
    for user in users:
        enrol(user, course)
    return users


def test_one_learners_answers_never_show_on_another_learners_page(client):
    course = make_course(lessons=2, checks=1)
    first = lessons_of(course)[0]
    a, b = enrolled_learners(course, "Trần Văn An", "Lê Thị Bình")
    answer_all(a, first)
    client.force_login(a)
    theirs = client.get(first.url).content.decode()
    assert "You answered this correctly." in theirs or "Bạn đã trả lời đúng" in theirs
    assert "Trần Văn An" in theirs

    client.force_login(b)
    mine = client.get(first.url).content.decode()
    assert "Trần Văn An" not in mine and "Lê Thị Bình" in mine
    assert "badge-success" not in mine and 'value="0"' in mine
    assert mine.count('name="csrfmiddlewaretoken"') == theirs.count('name="csrfmiddlewaretoken"')


def test_vietnamese_and_english_readers_each_get_their_own_body(client):
    course = make_course(lessons=1, checks=0)
    lesson = LessonPage.objects.get(pk=lessons_of(course)[0].pk)
    lesson.body = [block("callout", {"tone": "note", "text": "<p>Hồ sơ nộp trực tuyến.</p>"})]
    lesson.save_revision().publish()
    client.force_login(OfficialFactory().user)

    assert "Ghi chú" in client.get(lesson.url).content.decode()  # Vietnamese, now kept
    client.cookies["django_language"] = "en"
    english = client.get(lesson.url).content.decode()
    assert ">Note<" in english and "Ghi chú" not in english
    del client.cookies["django_language"]
    assert "Ghi chú" in client.get(lesson.url).content.decode()


def test_a_view_restriction_added_to_the_course_applies_to_the_next_view_of_a_kept_route(client):
    course = make_course(lessons=1)
    lesson = lessons_of(course)[0]
    client.force_login(OfficialFactory().user)
    assert client.get(lesson.url).status_code == 200  # route and restrictions (none) kept

    restriction = PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.get(name=TRAINER))
    assert client.get(lesson.url).status_code != 200


def test_a_published_title_shows_at_once_in_the_lessons_head_and_the_courses_breadcrumb(client):
    course = make_course(lessons=2, checks=0)
    first, second = lessons_of(course)
    learner = OfficialFactory().user
    enrol(learner, course)
    client.force_login(learner)
    html = client.get(first.url).content.decode()  # head, title, breadcrumb and outline kept from here on
    assert f"<h1>{first.title}</h1>" in html

    course.title = "Một cửa liên thông (bản mới)"
    course.save_revision().publish()  # the lesson's own revision is unchanged
    html = client.get(first.url).content.decode()
    assert "Một cửa liên thông (bản mới)</a></li>" in html  # the breadcrumb

    first = LessonPage.objects.get(pk=first.pk)
    first.title = "Tiếp nhận hồ sơ (sửa đổi)"
    first.save_revision().publish()
    html = client.get(first.url).content.decode()
    assert "<h1>Tiếp nhận hồ sơ (sửa đổi)</h1>" in html and "<title>Tiếp nhận hồ sơ (sửa đổi) ·" in html


def test_two_learners_see_their_own_progress_under_the_same_kept_page(client):
    course = make_course(lessons=2, checks=0)
    first, second = lessons_of(course)
    ahead, behind = enrolled_learners(course, "Đỗ Minh Tâm", "Vũ Thị Lan")
    complete_lesson(ahead, first)
    client.force_login(ahead)
    theirs = client.get(first.url).content.decode()
    assert '<progress class="progress" max="100" value="50"' in theirs and "Đỗ Minh Tâm" in theirs

    client.force_login(behind)
    mine = client.get(first.url).content.decode()
    assert '<progress class="progress" max="100" value="0"' in mine
    assert "Vũ Thị Lan" in mine and "Đỗ Minh Tâm" not in mine
    client.force_login(ahead)
    assert '<progress class="progress" max="100" value="50"' in client.get(first.url).content.decode()


def test_a_logged_in_reader_and_an_anonymous_visitor_each_get_their_own_navigation(client):
    lesson = lessons_of(make_course(lessons=1))[0]
    anonymous = client.get(lesson.url).content.decode()  # the anonymous header, now kept
    client.force_login(OfficialFactory().user)
    logged_in = client.get(lesson.url).content.decode()
    my_learning = f'href="{reverse("courses:my_learning")}"'
    assert my_learning in logged_in and my_learning not in anonymous
    client.logout()
    assert my_learning not in client.get(lesson.url).content.decode()


def test_a_kept_fragment_never_holds_a_csrf_token(rf):
    template = engines["django"].from_string(
        '{% load elearning_tags %}{% shared_fragment "form" %}<form>{% csrf_token %}</form>{% endshared_fragment %}'
    )
    secrets = set()
    for _ in range(2):
        request = rf.get("/bai-hoc/")
        request.user = AnonymousUser()
        CsrfViewMiddleware(lambda r: None).process_request(request)
        html = template.render({"shared_fragment_scope": ("test", 1)}, request)
        secret = _unmask_cipher_token(get_token(request))
        token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', html)[1]
        assert _unmask_cipher_token(token) == secret  # the form posts with this reader's own secret
        secrets.add(secret)
    assert len(secrets) == 2


def test_the_header_names_the_reader_from_their_profile_or_their_username_without_one(client):
    lesson = lessons_of(make_course(lessons=1))[0]
    client.force_login(OfficialFactory(full_name="Ngô Văn Hải").user)
    assert '<li class="nav-user">Ngô Văn Hải</li>' in client.get(lesson.url).content.decode()

    client.force_login(UserFactory(username="quantri-tinh"))  # an account made in the admin, no profile
    response = client.get(lesson.url)
    assert response.status_code == 200
    assert '<li class="nav-user">quantri-tinh</li>' in response.content.decode()


def test_a_kept_check_is_what_the_reader_would_get_rendered_for_each_state(rf):
    from django.template import Context

    from courses.rendering import _check_variants, _render_check, _render_child

    course = make_course(lessons=1, checks=1)
    lesson = LessonPage.objects.get(pk=lessons_of(course)[0].pk)
    index, child = next((i, c) for i, c in enumerate(lesson.body) if c.block_type == "check")
    request = rf.get(lesson.url)
    request.user = AnonymousUser()
    states = [
        {},
        {child.id: {"choices": [1], "correct": True, "passed": True, "first_correct": True, "attempts": 1}},
        {child.id: {"choices": [0], "correct": False, "passed": False, "first_correct": False, "attempts": 2}},
    ]
    rendered = set()
    for results in states:
        context = Context({"page": lesson, "request": request, "check_results": results, "csrf_token": "k" * 64})
        kept = _check_variants(Context({"page": lesson, "request": request}), index, child)
        html = _render_check(context, lesson.body, kept)
        assert html == str(_render_child(context, child))
        assert 'name="csrfmiddlewaretoken" value="' + "k" * 64 + '"' in html
        rendered.add(html)
    assert len(rendered) == 3


def test_each_reader_of_a_kept_check_posts_with_their_own_csrf_secret(client):
    course = make_course(lessons=1, checks=1)
    lesson = lessons_of(course)[0]
    a, b = enrolled_learners(course, "Cao Văn Định", "Đinh Thị Gấm")
    secrets = set()
    for user in (a, b, a):
        client.cookies.clear()
        client.force_login(user)
        html = client.get(lesson.url).content.decode()
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="(\w+)"', html)
        assert tokens and "knowledge-check-form" in html
        secret = client.cookies["csrftoken"].value
        assert {_unmask_cipher_token(token) for token in tokens} == {secret}
        secrets.add(secret)
    assert len(secrets) == 3

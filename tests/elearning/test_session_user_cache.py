"""The session user and a lesson reader's progress kept per process (elearning.accounts.usercache):
every change is seen by the next request, and nothing of one user shows to another."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.services.progress import retake_checks
from elearning.accounts import usercache
from elearning.roles import TRAINER
from tests.courses.test_lesson_cache import enrolled_learners
from tests.courses.test_progress import answer_all, lessons_of
from tests.factories.courses import make_course
from tests.factories.elearning import OfficialFactory, UserFactory

pytestmark = pytest.mark.django_db

NAV_USER = '<li class="nav-user">'


def _logged_in_client(user):
    client = Client()
    client.force_login(user)
    return client


def _warm(client, url):
    """Two views: the rows are read, then answered from the process."""
    for _ in range(2):
        assert client.get(url).status_code == 200


def _warm_reader(client, **profile):
    """A lesson, and an official logged in on ``client`` whose rows the process now keeps."""
    lesson = lessons_of(make_course(lessons=1))[0]
    user = OfficialFactory(**profile).user
    client.force_login(user)
    _warm(client, lesson.url)
    return lesson, user


def test_a_warm_lesson_view_reads_neither_the_user_nor_the_progress(client):
    course = make_course(lessons=2, checks=1)
    lesson = lessons_of(course)[0]
    (learner,) = enrolled_learners(course, "Phạm Văn Khoa")
    client.force_login(learner)
    _warm(client, lesson.url)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(lesson.url).content.decode()
    assert queries.captured_queries == []
    assert f"{NAV_USER}Phạm Văn Khoa</li>" in html


def test_without_the_memo_the_user_and_the_progress_are_read_on_every_view(client):
    course = make_course(lessons=2, checks=1)
    lesson = lessons_of(course)[0]
    (learner,) = enrolled_learners(course, "Đỗ Văn Nam")
    client.force_login(learner)
    with override_settings(SESSION_USER_MEMO=False):
        _warm(client, lesson.url)
        with CaptureQueriesContext(connection) as queries:
            client.get(lesson.url)
    assert len(queries.captured_queries) == 2


def test_a_password_change_logs_the_other_sessions_out_at_once(client):
    lesson = lessons_of(make_course(lessons=1))[0]
    user = OfficialFactory().user
    other = _logged_in_client(user)
    _warm(other, lesson.url)
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "Mat-khau-2018", "new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026"},
    )
    assert response.status_code == 302
    assert NAV_USER in client.get(lesson.url).content.decode()  # this session was kept
    assert NAV_USER not in other.get(lesson.url).content.decode()  # the other one is logged out


def test_a_password_set_in_code_logs_every_session_out(client):
    lesson, user = _warm_reader(client)
    user.set_password("Mat-khau-khac-2026")
    user.save()
    assert NAV_USER not in client.get(lesson.url).content.decode()


def test_a_deactivated_user_is_refused_at_once(client):
    lesson, user = _warm_reader(client)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert NAV_USER not in client.get(lesson.url).content.decode()


def test_a_user_deactivated_by_the_admins_bulk_action_is_refused_at_once(client):
    reader = Client()
    lesson, user = _warm_reader(reader)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("wagtail_bulk_action", args=("auth", "user", "set_active_state")) + f"?id={user.pk}"
    response = client.post(url, {"mark_as_active": "False"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active  # the bulk action writes with QuerySet.update(): no signal
    assert NAV_USER not in reader.get(lesson.url).content.decode()


def test_a_deleted_user_is_refused_at_once(client):
    lesson, user = _warm_reader(client)
    user.delete()
    assert NAV_USER not in client.get(lesson.url).content.decode()


def test_a_renamed_profile_shows_in_the_header_at_once(client):
    lesson, user = _warm_reader(client, full_name="Hoàng Văn Cũ")
    official = user.profile
    official.full_name = "Hoàng Văn Mới"
    official.save()
    html = client.get(lesson.url).content.decode()
    assert f"{NAV_USER}Hoàng Văn Mới</li>" in html and "Hoàng Văn Cũ" not in html


def test_a_logout_forgets_the_kept_user():
    user = OfficialFactory().user
    client = _logged_in_client(user)
    lesson = lessons_of(make_course(lessons=1))[0]
    _warm(client, lesson.url)
    before = usercache._read_versions(user.pk)[0]
    client.post(reverse("logout"))
    assert usercache._read_versions(user.pk)[0] != before


def test_a_group_change_replaces_the_users_version_from_either_side():
    user = OfficialFactory().user
    trainers = Group.objects.get(name=TRAINER)
    seen = [usercache._read_versions(user.pk)[0]]
    user.groups.add(trainers)
    seen.append(usercache._read_versions(user.pk)[0])
    trainers.user_set.remove(user)
    seen.append(usercache._read_versions(user.pk)[0])
    trainers.user_set.add(user)
    seen.append(usercache._read_versions(user.pk)[0])
    trainers.user_set.clear()
    seen.append(usercache._read_versions(user.pk)[0])
    assert len(set(seen)) == len(seen)


def test_answers_show_at_once_under_a_kept_progress_and_never_to_another_learner(client):
    course = make_course(lessons=2, checks=1)
    first = lessons_of(course)[0]
    a, b = enrolled_learners(course, "Trịnh Văn Ánh", "Mai Thị Bảo")
    reader_b = _logged_in_client(b)
    _warm(reader_b, first.url)
    client.force_login(a)
    _warm(client, first.url)
    assert "badge-success" not in client.get(first.url).content.decode()

    answer_all(a, first)
    html = client.get(first.url).content.decode()
    assert "badge-success" in html and '<progress class="progress" max="100" value="50"' in html
    mine = reader_b.get(first.url).content.decode()
    assert "badge-success" not in mine and "Trịnh Văn Ánh" not in mine and "Mai Thị Bảo" in mine
    assert '<progress class="progress" max="100" value="0"' in mine


def test_retaken_checks_show_cleared_at_once(client):
    course = make_course(lessons=1, checks=1)
    course.pass_mark = 100
    course.save_revision().publish()
    lesson = lessons_of(course)[0]
    (learner,) = enrolled_learners(course, "Vũ Thị Lan")
    answer_all(learner, lesson, first_try_right=False)
    client.force_login(learner)
    _warm(client, lesson.url)
    assert "badge-success" in client.get(lesson.url).content.decode()

    assert retake_checks(learner, course) == 1  # a QuerySet.update(): no signal
    assert "badge-success" not in client.get(lesson.url).content.decode()


def test_a_kept_user_is_a_new_instance_on_every_request(rf):
    from django.contrib.auth import get_user_model

    from elearning.accounts.backends import ThrottledModelBackend

    user = OfficialFactory(full_name="Lý Thị Hạnh").user
    backend = ThrottledModelBackend()
    first = backend.get_user(user.pk)
    first.profile.full_name = "changed in one request only"
    with CaptureQueriesContext(connection) as queries:
        second = backend.get_user(user.pk)
    assert queries.captured_queries == []
    assert second is not first and second.profile is not first.profile
    assert second.profile.full_name == "Lý Thị Hạnh" and second.profile.user is second
    assert isinstance(second, get_user_model()) and second.get_session_auth_hash() == user.get_session_auth_hash()

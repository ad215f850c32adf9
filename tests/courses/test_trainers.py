"""Trainers write only in the course sections they are given; reviewers approve in the
course review workflow; both are set up by commands, never by hand."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.models import GroupApprovalTask, GroupPagePermission, Workflow, WorkflowPage

from courses.models import CourseIndexPage, LessonPage
from courses.services.trainers import REVIEW_WORKFLOW_NAME, ensure_review_workflow
from elearning import roles
from tests.factories.courses import make_course
from tests.factories.elearning import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses():
    mine = make_course(lessons=2, slug="co-che-mot-cua", title="Một cửa")
    theirs = make_course(lessons=2, slug="iso-9001", title="ISO 9001")
    return mine, theirs


@pytest.fixture
def trainer(courses):
    user = user_with_role(roles.TRAINER)
    call_command("grant_course_section", "co-che-mot-cua", "--group", "Giảng viên một cửa", "--user", user.username)
    return user


def first_lesson(course):
    return LessonPage.objects.child_of(course).order_by("path").first()


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def add_lesson_url(course):
    return reverse("wagtailadmin_pages:add", args=["courses", "lessonpage", course.pk])


def test_command_grants_add_and_edit_but_not_publish(courses, trainer):
    mine, theirs = courses
    group = Group.objects.get(name="Giảng viên một cửa")
    assert set(GroupPagePermission.objects.filter(group=group).values_list("page_id", "permission__codename")) == {
        (mine.pk, "add_page"),
        (mine.pk, "change_page"),
    }
    assert trainer.groups.filter(name=group.name).exists()
    permissions = first_lesson(mine).permissions_for_user(trainer)
    assert permissions.can_edit() and not permissions.can_publish()
    assert not first_lesson(theirs).permissions_for_user(trainer).can_edit()


def test_command_is_idempotent_and_refuses_bad_input(courses, trainer):
    before = GroupPagePermission.objects.count()
    call_command("grant_course_section", "co-che-mot-cua", "--group", "Giảng viên một cửa")
    assert GroupPagePermission.objects.count() == before
    with pytest.raises(CommandError):
        call_command("grant_course_section", "khong-co", "--group", "X")
    with pytest.raises(CommandError):
        call_command("grant_course_section", "iso-9001", "--group", "Y", "--user", "0999999999")
    assert not Group.objects.filter(name="Y").exists()  # nothing half-done


def test_revoke_takes_the_section_away(courses, trainer):
    mine, _theirs = courses
    call_command("grant_course_section", "co-che-mot-cua", "--group", "Giảng viên một cửa", "--revoke")
    assert not first_lesson(mine).permissions_for_user(trainer).can_edit()


XHR = {"X-Requested-With": "XMLHttpRequest"}


def assert_denied(client, url):
    """Wagtail's admin answers a denied page with 403 to a script, and to a browser with a
    redirect to the dashboard and its "no permission" message (never the editor)."""
    assert client.get(url, headers=XHR).status_code == 403
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert client.post(url, {"title": "Sửa trái phép"}, headers=XHR).status_code == 403


def test_trainer_edits_own_section_and_gets_403_elsewhere(client, courses, trainer):
    mine, theirs = courses
    client.force_login(trainer)
    assert client.get(edit_url(first_lesson(mine))).status_code == 200
    assert client.get(add_lesson_url(mine)).status_code == 200
    assert_denied(client, edit_url(first_lesson(theirs)))
    assert_denied(client, edit_url(theirs))
    assert_denied(client, add_lesson_url(theirs))
    assert first_lesson(theirs).title == "ISO 9001 — bài 1"


def test_a_trainer_without_a_section_edits_nothing(client, courses):
    mine, _theirs = courses
    other = user_with_role(roles.TRAINER)
    client.force_login(other)
    assert_denied(client, edit_url(first_lesson(mine)))


def test_review_workflow_covers_the_catalogue_and_reviewers_approve(courses, trainer):
    mine, _theirs = courses
    index = CourseIndexPage.objects.get()
    call_command("setup_course_review")
    call_command("setup_course_review")  # idempotent
    workflow = Workflow.objects.get(name=REVIEW_WORKFLOW_NAME)
    assert WorkflowPage.objects.get(page=index).workflow == workflow
    task = GroupApprovalTask.objects.get(workflow_tasks__workflow=workflow)
    assert list(task.groups.values_list("name", flat=True)) == [roles.REVIEWER]
    lesson = first_lesson(mine)
    assert lesson.get_workflow() == workflow

    # The trainer submits a new revision; a reviewer approves it and it goes live.
    lesson.title = "Bài học đã sửa"
    revision = lesson.save_revision(user=trainer)
    state = workflow.start(lesson, trainer)
    reviewer = user_with_role(roles.REVIEWER)
    task_state = state.current_task_state.specific
    assert "approve" in [name for name, _label, _modal in task.get_actions(lesson, reviewer)]
    assert task.get_actions(lesson, trainer) == []
    task.on_action(task_state, reviewer, "approve")
    lesson.refresh_from_db()
    assert lesson.title == "Bài học đã sửa" and lesson.live_revision_id == revision.pk


def test_an_existing_workflow_on_the_catalogue_is_kept(courses):
    index = CourseIndexPage.objects.get()
    other = Workflow.objects.create(name="Quy trình riêng")
    WorkflowPage.objects.create(page=index, workflow=other)
    ensure_review_workflow(index)
    assert WorkflowPage.objects.get(page=index).workflow == other

"""Who may write which course, and who reviews what they write.

A *course section* is a course page with its lessons. A trainer works on the sections
their group is given — Wagtail page permissions on the course page:

- ``add_page``: add lessons to the course (and edit the lessons they created);
- ``change_page``: edit the course and every lesson in it;
- no ``publish_page``: what a trainer writes goes through the review workflow.

Reviewers approve or reject in the "course review" workflow: a Wagtail
``Workflow`` with one ``GroupApprovalTask`` for the Reviewer group, assigned to the
course catalogue so it covers every course and lesson under it. Approving publishes
(or schedules, when the trainer set a "go live" date) the revision, as the reviewer:
so the Reviewer group holds ``publish_page`` on the catalogue.

Everything here is idempotent and is applied by commands and the demo seeder
(``manage.py grant_course_section``, ``manage.py setup_course_review``), never by hand.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupApprovalTask, GroupPagePermission, Page, Workflow, WorkflowPage, WorkflowTask
from wagtail.permission_policies.pages import PagePermissionPolicy

from elearning import roles

SECTION_PAGE_PERMISSIONS = ("add_page", "change_page")
# Approving the last task publishes the revision as the reviewer: they need publish_page.
REVIEWER_PAGE_PERMISSIONS = ("publish_page",)
REVIEW_WORKFLOW_NAME = "Duyệt nội dung khoá học"
REVIEW_TASK_NAME = "Ban biên tập duyệt bài giảng"


def _page_permissions(codenames):
    return list(Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=codenames))


@transaction.atomic
def grant_course_section(course, group_name, usernames=()):
    """Give ``group_name`` (created when missing) the course section ``course``; put
    ``usernames`` in that group and in the Trainer role. Returns ``(group, added)``:
    ``added`` counts the page permissions that were new."""
    group, _created = Group.objects.get_or_create(name=group_name)
    # A section group is an admin group: its members work in the Wagtail admin.
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    added = 0
    for permission in _page_permissions(SECTION_PAGE_PERMISSIONS):
        _gpp, created = GroupPagePermission.objects.get_or_create(group=group, page=course, permission=permission)
        added += created
    if usernames:
        users = list(get_user_model().objects.filter(username__in=usernames))
        missing = set(usernames) - {user.username for user in users}
        if missing:
            raise LookupError(", ".join(sorted(missing)))
        trainers, _created = Group.objects.get_or_create(name=roles.TRAINER)
        for user in users:
            user.groups.add(group, trainers)
    return group, added


@transaction.atomic
def revoke_course_section(course, group_name):
    """Take the course section away from the group. Returns how many permissions were removed."""
    deleted, _detail = GroupPagePermission.objects.filter(
        group__name=group_name, page=course, permission__codename__in=SECTION_PAGE_PERMISSIONS
    ).delete()
    return deleted


def section_groups(course):
    """Names of the groups that hold section permissions on ``course`` itself."""
    return sorted(
        set(
            GroupPagePermission.objects.filter(
                page=course, permission__codename__in=SECTION_PAGE_PERMISSIONS
            ).values_list("group__name", flat=True)
        )
    )


@transaction.atomic
def ensure_review_workflow(index_page):
    """The course review workflow, assigned to ``index_page`` unless that page already has
    a workflow of its own (an editor's choice is kept), and the reviewers' right to publish
    under the catalogue (what approving does). Returns the workflow."""
    reviewers, _created = Group.objects.get_or_create(name=roles.REVIEWER)
    for permission in _page_permissions(REVIEWER_PAGE_PERMISSIONS):
        GroupPagePermission.objects.get_or_create(group=reviewers, page_id=index_page.pk, permission=permission)
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REVIEW_TASK_NAME)
    task.groups.add(reviewers)
    workflow, _created = Workflow.objects.get_or_create(name=REVIEW_WORKFLOW_NAME, defaults={"active": True})
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=workflow.workflow_tasks.count())
    WorkflowPage.objects.get_or_create(page=Page.objects.get(pk=index_page.pk), defaults={"workflow": workflow})
    return workflow


# --- Who sees what -------------------------------------------------------------------------


def is_organizer(user):
    return user.is_active and (user.is_superuser or user.groups.filter(name=roles.ORGANIZER).exists())


def can_edit_course(user, course):
    """The course's trainers: those who may edit the course page (section permission or above)."""
    if not user.is_active:
        return False
    return PagePermissionPolicy().user_has_permission_for_instance(user, "change", course)


def can_see_course_report(user, course):
    return user.is_authenticated and (is_organizer(user) or can_edit_course(user, course))


def editable_course_ids(user):
    """Ids of the pages a user may edit (all pages for a superuser), as a queryset of ids."""
    return PagePermissionPolicy().instances_user_has_permission_for(user, "change").values("pk")

"""The courses demo seeder: the content the brief asks for, and idempotence."""

import io

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission, WorkflowPage

from courses import demo_content, seed
from courses.models import Certificate, CourseIndexPage, CoursePage, Enrolment, LessonPage, LessonProgress, Procedure
from elearning import seed as core_seed
from elearning.models import LegalDocument

pytestmark = pytest.mark.django_db(transaction=False)


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            LegalDocument,
            Procedure,
            CoursePage,
            LessonPage,
            Enrolment,
            LessonProgress,
            Certificate,
            GroupPagePermission,
            WorkflowPage,
        )
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One run of the core and courses seeders for the whole module (it takes a few seconds)."""
    with django_db_blocker.unblock():
        from django.db import connection, transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        core_seed.seed_core()
        out = io.StringIO()
        seed.run(stdout=out)
        first = counts()
        seed.run(stdout=out)
        second = counts()
        yield {"first": first, "second": second, "output": out.getvalue()}
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
        connection.close()


def test_a_second_run_changes_nothing(seeded):
    assert seeded["first"] == seeded["second"]
    assert "nothing new" in seeded["output"].splitlines()[-1]


def test_three_courses_of_four_lessons_or_more_using_the_blocks(seeded):
    index = CourseIndexPage.objects.get()
    courses = CoursePage.objects.child_of(index).live()
    assert courses.count() >= 3
    used = set()
    for course in courses:
        lessons = LessonPage.objects.child_of(course).live()
        assert lessons.count() >= 4
        for lesson in lessons:
            used |= {child.block_type for child in lesson.body}
            assert lesson.knowledge_checks(), lesson.title
    assert {"paragraph", "callout", "steps", "procedure", "check", "heading"} <= used


def test_procedures_and_legal_documents(seeded):
    assert Procedure.objects.count() >= 15
    assert set(Procedure.objects.values_list("level", flat=True)) == {"commune", "district"}
    assert {"civil_status", "certification", "land"} <= set(Procedure.objects.values_list("field", flat=True))
    old = LegalDocument.objects.get(number="61/2018/NĐ-CP")
    assert old.replaced_by.number == "118/2025/NĐ-CP" and old.effective_to is not None and not old.is_in_force()
    assert LegalDocument.objects.get(number="43/2011/NĐ-CP").replaced_by.number == "42/2022/NĐ-CP"
    assert LegalDocument.objects.get(number="45/2016/QĐ-TTg").issuer == "Thủ tướng Chính phủ"


def test_demo_trainer_has_one_section_and_the_review_workflow_is_set(seeded):
    group = Group.objects.get(name=demo_content.TRAINER_GROUP)
    pages = set(GroupPagePermission.objects.filter(group=group).values_list("page__slug", flat=True))
    assert pages == {demo_content.TRAINER_COURSE}
    assert group.user_set.filter(username=seed.DEMO_TRAINER).exists()
    assert WorkflowPage.objects.filter(page=CourseIndexPage.objects.get()).exists()


def test_demo_learners_are_part_way_and_some_have_certificates(seeded):
    assert Certificate.objects.count() >= 5
    in_progress = Enrolment.objects.filter(completed_at__isnull=True, lesson_progress__completed_at__isnull=False)
    assert in_progress.exists()
    demo = Enrolment.objects.filter(user__username=seed.DEMO_LEARNER)
    assert demo.filter(completed_at__isnull=False, certificate__isnull=False).exists()
    assert demo.filter(completed_at__isnull=True).exists()

"""One small site with someone in every role, shared by the security tests.

``world`` holds the people (``world.users[role]``) and the objects their URLs point at:
the learner's course, enrolment and certificate; the participant's attempts; a second
course that belongs to another trainer; news, a procedure, an image, a document.
"""

from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection

from courses.models import Certificate, LessonPage
from courses.services import progress as progress_service
from courses.services.trainers import ensure_review_workflow, grant_course_section
from elearning import roles
from quizzes.models import AttemptState
from quizzes.services import attempts as attempt_service
from tests.factories.courses import EnrolmentFactory, ProcedureFactory, make_course
from tests.factories.elearning import LegalDocumentFactory, OfficialFactory, ProfileFactory, user_with_role
from tests.factories.news import CustomImageFactory, NewsIndexPageFactory, NewsPageFactory
from tests.factories.quizzes import home_page
from tests.factories.results import closed_contest, graded_attempt, questions_of

ROLES = ("anonymous", "learner", "participant", "trainer", "other_trainer", "reviewer", "organizer")


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world():
    with transaction.atomic():  # grading locks rows: a transactional (browser) test needs the block too
        return _build_world()


def _build_world():
    world = World()
    home_page()  # (a transactional test flushed the ones the migrations made)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    learner_profile = OfficialFactory(full_name="Lê Thị Học Viên")
    learner_profile.user.groups.add(*_groups(roles.LEARNER))
    participant_profile = ProfileFactory(full_name="Trần Văn Dự Thi")
    world.users = {
        "anonymous": None,
        "learner": learner_profile.user,
        "participant": participant_profile.user,
        "trainer": user_with_role(roles.TRAINER, full_name="Giảng Viên Một"),
        "other_trainer": user_with_role(roles.TRAINER, full_name="Giảng Viên Hai"),
        "reviewer": user_with_role(roles.REVIEWER, full_name="Biên Tập Viên"),
        "organizer": user_with_role(roles.ORGANIZER, full_name="Ban Tổ Chức"),
    }

    # Courses: the trainer's section, and another trainer's.
    course = make_course(lessons=2, checks=1, title="Khoá học của giảng viên một")
    other_course = make_course(lessons=1, checks=0, title="Khoá học của giảng viên hai")
    grant_course_section(course, "Tổ giảng viên một", [world.users["trainer"].username])
    grant_course_section(other_course, "Tổ giảng viên hai", [world.users["other_trainer"].username])
    ensure_review_workflow(course.get_parent().specific)
    lesson = LessonPage.objects.child_of(course).order_by("path").first()
    check_id = next(item.id for item in lesson.body if item.block_type == "check")

    # The learner finished the other course and holds its certificate; is enrolled in the first.
    enrolment = EnrolmentFactory(user=world.users["learner"], course=course)
    progress_service.record_visit(world.users["learner"], lesson, course)
    done = EnrolmentFactory(user=world.users["learner"], course=other_course)
    done.completed_at = timezone.now()
    done.save()
    certificate = Certificate.objects.create(
        enrolment=done, hours=1, learner_name=learner_profile.full_name, course_title=other_course.title
    )

    # Contest: round 1 closed (the participant has a graded attempt), round 2 open (one in progress).
    contest = closed_contest(questions=4)
    round_1, round_2 = contest.rounds.order_by("number")
    q1, q2, q3, _q4 = questions_of(contest)
    finished = graded_attempt(participant_profile, round_1, right=[q1, q2], wrong=[q3])
    running, _created = attempt_service.start_attempt(world.users["participant"], contest)
    assert running.state == AttemptState.IN_PROGRESS

    news_index = NewsIndexPageFactory()
    news = NewsPageFactory(parent=news_index)
    Document = get_document_model()
    document = Document(title="Quyết định 1234", collection=Collection.get_first_root_node())
    document.file.save("quyet-dinh.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    document.save()

    world.objects = {
        "course": course,
        "other_course": other_course,
        "lesson": lesson,
        "check_id": check_id,
        "enrolment": enrolment,
        "certificate": certificate,
        "contest": contest,
        "round_1": round_1,
        "round_2": round_2,
        "finished_attempt": finished,
        "running_attempt": running,
        "question": q1,
        "news_index": news_index,
        "news": news,
        "procedure": ProcedureFactory(),
        "legal_document": LegalDocumentFactory(),
        "image": CustomImageFactory(),
        "document": document,
    }
    return world


def _groups(*names):
    from django.contrib.auth.models import Group

    return [Group.objects.get_or_create(name=name)[0] for name in names]


@pytest.fixture
def file_storage(settings, tmp_path):
    """Uploads on disk (a temporary folder): Wagtail serves documents from a file path."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


@pytest.fixture
def world(db, file_storage):
    return build_world()

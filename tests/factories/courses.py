"""Courses: catalogue, course and lesson pages with bodies, procedures, progress.

``make_course(lessons=3, checks=1)`` builds a live course with its lessons in one call.
"""

import uuid

import factory
import wagtail_factories

from courses.models import (
    CourseIndexPage,
    CourseLevel,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
    Procedure,
    ProcedureField,
)
from tests.factories.elearning import UserFactory
from tests.factories.news import home_page


def block(block_type, value):
    """One raw stream item, as stored in the database."""
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def check_block(
    question="Hồ sơ trực tuyến được tiếp nhận khi nào?",
    choices=(("Trong giờ hành chính", False), ("Mọi lúc, kể cả ngày nghỉ", True), ("Chỉ thứ Bảy", False)),
    kind="single",
    explanation="<p>Cổng dịch vụ công tiếp nhận hồ sơ 24/7.</p>",
):
    return block(
        "check",
        {
            "question": question,
            "kind": kind,
            "choices": [
                {"type": "item", "value": {"text": text, "correct": correct}, "id": str(uuid.uuid4())}
                for text, correct in choices
            ],
            "explanation": explanation,
        },
    )


def procedure_block(procedure, note=""):
    return block("procedure", {"procedure": procedure.pk, "note": note})


def legal_quote_block(document, text="<p>Trích dẫn điều khoản.</p>", article="Điều 5"):
    return block("callout", {"tone": "legal", "text": text, "legal_document": document.pk, "article": article})


def lesson_body(checks=1, paragraphs=1):
    body = [block("heading", "Mục tiêu bài học")]
    body += [block("paragraph", f"<p>Nội dung đoạn {i + 1} về bộ phận một cửa.</p>") for i in range(paragraphs)]
    body += [check_block(question=f"Câu hỏi kiểm tra số {i + 1}?") for i in range(checks)]
    return body


class CourseIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CourseIndexPage

    title = "Khóa học"
    slug = "khoa-hoc"
    parent = factory.LazyFunction(home_page)


class CoursePageFactory(wagtail_factories.PageFactory):
    """``CoursePageFactory(parent=index, tags=["Một cửa"], legal_documents=[doc])``"""

    class Meta:
        model = CoursePage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Khóa học cải cách hành chính {n}")
    slug = factory.Sequence(lambda n: f"khoa-hoc-{n}")
    summary = "Kỹ năng tiếp nhận và trả kết quả tại bộ phận một cửa."
    level = CourseLevel.ALL
    estimated_minutes = 90
    learning_objectives = "Nắm quy trình một cửa\nSử dụng dịch vụ công trực tuyến"
    parent = factory.LazyFunction(lambda: CourseIndexPage.objects.first() or CourseIndexPageFactory())

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.add(*extracted)
            obj.save()

    @factory.post_generation
    def legal_documents(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.legal_documents = list(extracted)
            obj.save()


class LessonPageFactory(wagtail_factories.PageFactory):
    """A live lesson with a heading, a paragraph and one knowledge check; ``body=[...]`` for others."""

    class Meta:
        model = LessonPage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Bài học số {n}")
    slug = factory.Sequence(lambda n: f"bai-hoc-{n}")
    summary = "Tóm tắt bài học."
    estimated_minutes = 20
    body = factory.LazyFunction(lesson_body)
    parent = factory.SubFactory(CoursePageFactory)

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.add(*extracted)
            obj.save()

    @factory.post_generation
    def legal_documents(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.legal_documents = list(extracted)
            obj.save()


def make_course(lessons=3, checks=1, parent=None, **course_kwargs):
    """A course with ``lessons`` lessons, each with ``checks`` knowledge checks. Returns the course."""
    if parent is not None:
        course_kwargs["parent"] = parent
    course = CoursePageFactory(**course_kwargs)
    for number in range(1, lessons + 1):
        LessonPageFactory(
            parent=course,
            title=f"{course.title} — bài {number}",
            slug=f"{course.slug}-bai-{number}",
            body=lesson_body(checks=checks),
        )
    return course


class ProcedureFactory(factory.django.DjangoModelFactory):
    """``ProcedureFactory(legal_basis=[doc], tags=["hộ tịch"])``"""

    class Meta:
        model = Procedure
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"1.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục đăng ký khai sinh số {n}")
    field = ProcedureField.CIVIL_STATUS
    level = Procedure.Level.COMMUNE
    mechanism = Procedure.Mechanism.ONE_STOP
    processing_days = 3
    fee = "Miễn phí"
    required_documents = "<ul><li>Tờ khai theo mẫu</li><li>Giấy chứng sinh</li></ul>"
    online_level = 3
    postal_return = True

    @factory.post_generation
    def legal_basis(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.legal_basis = list(extracted)
            obj.save()

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.add(*extracted)
            obj.save()


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    user = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CoursePageFactory)


class LessonProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LessonProgress

    enrolment = factory.SubFactory(EnrolmentFactory)
    user = factory.LazyAttribute(lambda progress: progress.enrolment.user)
    lesson = factory.SubFactory(LessonPageFactory, parent=factory.SelfAttribute("..enrolment.course"))

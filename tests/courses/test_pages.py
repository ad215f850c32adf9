"""Course pages: where they may be created, that they render and can be edited in the
admin, the lesson page's navigation and query budget, the home page's featured courses."""

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from courses.models import CourseIndexPage, CoursePage, LessonPage
from elearning.models import HomePage, NewsIndexPage
from tests.factories.courses import (
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
    ProcedureFactory,
    block,
    check_block,
    legal_quote_block,
    lesson_body,
    make_course,
    procedure_block,
)
from tests.factories.elearning import LegalDocumentFactory
from tests.factories.news import CustomImageFactory, home_page

pytestmark = pytest.mark.django_db


def check_form_data(question, choices, kind="single"):
    """A knowledge check block as the admin form posts it (a ListBlock of choices)."""
    return {
        "question": question,
        "kind": kind,
        "choices": {
            "count": len(choices),
            **{
                str(i): {
                    "value": {"text": text, **({"correct": "on"} if correct else {})},
                    "deleted": "",
                    "order": str(i),
                }
                for i, (text, correct) in enumerate(choices)
            },
        },
        "explanation": rich_text(""),
    }


def lesson_form_data(title, slug, body):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "summary": "Tiếp nhận hồ sơ.",
            "estimated_minutes": "20",
            "body": streamfield(body),
            "tags": "Một cửa",
        }
    )


class TestPageTree(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.index = CourseIndexPageFactory(parent=home_page())
        cls.course = CoursePageFactory(parent=cls.index, title="Bộ phận một cửa hiện đại")
        cls.lesson = LessonPageFactory(parent=cls.course, title="Tiếp nhận hồ sơ")

    def test_catalogue_course_lesson_nest_in_that_order(self):
        self.assertCanCreateAt(HomePage, CourseIndexPage)
        self.assertCanCreateAt(CourseIndexPage, CoursePage)
        self.assertCanCreateAt(CoursePage, LessonPage)
        self.assertAllowedSubpageTypes(LessonPage, {})

    def test_pages_cannot_be_placed_elsewhere(self):
        self.assertCanNotCreateAt(Page, CourseIndexPage)
        self.assertCanNotCreateAt(NewsIndexPage, CoursePage)
        self.assertCanNotCreateAt(HomePage, CoursePage)
        self.assertCanNotCreateAt(HomePage, LessonPage)
        self.assertCanNotCreateAt(CourseIndexPage, LessonPage)
        self.assertCanNotCreateAt(LessonPage, LessonPage)
        self.assertCanNotCreateAt(CoursePage, CoursePage)

    def test_there_is_one_catalogue(self):
        self.assertFalse(CourseIndexPage.can_create_at(home_page()))

    def test_pages_render(self):
        self.assertPageIsRenderable(self.index)
        self.assertPageIsRenderable(self.index, query_data={"q": "một cửa", "level": "commune", "page": "9"})
        self.assertPageIsRenderable(self.index, query_data={"level": "nonsense", "page": "abc", "tag": "khong-co"})
        self.assertPageIsRenderable(self.course)
        self.assertPageIsRenderable(self.lesson)

    def test_a_lesson_with_a_knowledge_check_can_be_written_and_edited_in_the_admin(self):
        procedure = ProcedureFactory()
        body = [
            ("heading", "Các bước"),
            ("paragraph", rich_text("<p>Kiểm tra hồ sơ.</p>")),
            ("procedure", {"procedure": str(procedure.pk), "note": ""}),
            ("check", check_form_data("Hồ sơ thiếu thì sao?", [("Trả lại", False), ("Hướng dẫn bổ sung", True)])),
        ]
        self.login()

        self.assertCanCreate(self.course, LessonPage, lesson_form_data("Bài mới", "bai-moi", body))
        created = LessonPage.objects.get(slug="bai-moi")
        [check] = created.knowledge_checks().values()
        assert [choice["correct"] for choice in check["choices"]] == [False, True]
        assert created.search_text == "bai moi tiep nhan ho so. mot cua"
        self.assertPageIsEditable(self.lesson, post_data=lesson_form_data("Tiếp nhận hồ sơ", self.lesson.slug, body))

    def test_the_admin_refuses_a_check_without_a_right_answer(self):
        body = [("check", check_form_data("Câu hỏi?", [("A", False), ("B", False)]))]
        self.login()

        response = self.client.post(
            f"/admin/pages/add/courses/lessonpage/{self.course.pk}/",
            {**lesson_form_data("Bài lỗi", "bai-loi", body), "action-publish": "action-publish"},
        )

        assert response.status_code == 200
        assert not LessonPage.objects.filter(slug="bai-loi").exists()

    def test_the_course_page_lists_its_live_lessons_in_order(self):
        LessonPageFactory(parent=self.course, title="Trả kết quả")
        LessonPageFactory(parent=self.course, title="Bản nháp", live=False)

        html = self.client.get(self.course.url).content.decode()

        lessons = re.findall(r'class="lesson-item"[^>]*>\s*<a href="[^"]*">([^<]*)</a>', html)
        assert lessons == ["Tiếp nhận hồ sơ", "Trả kết quả"]


def test_a_lesson_links_to_its_neighbours_and_its_course(client):
    course = make_course(lessons=3, checks=0, title="Một cửa")
    first, second, third = course.lessons()

    html = client.get(second.url).content.decode()
    assert f'href="{first.url}" rel="prev"' in html
    assert f'href="{third.url}" rel="next"' in html
    assert f'href="{course.url}"' in html

    first_html = client.get(first.url).content.decode()
    assert 'rel="prev"' not in first_html
    last_html = client.get(third.url).content.decode()
    assert 'rel="next"' not in last_html
    assert f'class="lesson-nav-next" href="{course.url}"' in last_html


def test_a_lesson_page_shows_no_answers(client):
    course = make_course(lessons=1, checks=0)
    lesson = LessonPageFactory(
        parent=course,
        body=[
            check_block(
                question="Hồ sơ trực tuyến được tiếp nhận khi nào?",
                choices=[("Giờ hành chính", False), ("Mọi lúc", True)],
                explanation="<p>Lời giải thích chỉ hiện sau khi trả lời.</p>",
            )
        ],
    )

    html = client.get(lesson.url).content.decode()

    section = re.search(r'<section class="knowledge-check".*?</section>', html, flags=re.S).group(0)
    assert "Hồ sơ trực tuyến được tiếp nhận khi nào?" in section
    assert "correct" not in html.lower()
    assert "Lời giải thích chỉ hiện sau khi trả lời." not in html
    block_id = lesson.body[0].id
    assert f'id="check-{block_id}"' in section


def test_a_legal_quote_in_the_body_counts_as_a_citation():
    document = LegalDocumentFactory(number="61/2018/NĐ-CP")
    lesson = LessonPageFactory(body=[legal_quote_block(document)])

    assert list(LessonPage.objects.get(pk=lesson.pk).legal_documents.all()) == [document]


def test_the_progress_slots_fall_back_to_nothing_until_the_progress_feature_fills_them(client):
    course = make_course(lessons=1)
    lesson = course.lessons().get()

    assert client.get(course.url).status_code == 200
    assert client.get(lesson.url).status_code == 200


# --- Query budget ------------------------------------------------------------------------


def cache_embed(url):
    Embed.objects.create(url=url, max_width=None, html="<iframe></iframe>", type="video", hash=get_embed_hash(url))


def rich_body(copies):
    """``copies`` of every kind of block (and its own image, procedure, document, video)."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    body = []
    for n in range(copies):
        image = CustomImageFactory()
        document = get_document_model().objects.create(title=f"Mẫu {n}", file=ContentFile(b"x", name=f"mau-{n}.pdf"))
        old = LegalDocumentFactory(effective_to="2020-01-01", replaced_by=LegalDocumentFactory())
        procedure = ProcedureFactory(legal_basis=[old, LegalDocumentFactory()])
        url = f"https://www.youtube.com/watch?v={uuid.uuid4().hex[:11]}"
        cache_embed(url)
        body += [
            block("heading", f"Phần {n}"),
            block("paragraph", f"<p>Đoạn {n}</p>"),
            block("image", {"image": image.pk, "caption": "Ảnh"}),
            block("video", {"video": url, "caption": "", "transcript": ""}),
            block("document", {"document": document.pk, "description": ""}),
            block("callout", {"tone": "warning", "text": "<p>Lưu ý</p>", "legal_document": None, "article": ""}),
            legal_quote_block(old),
            block(
                "steps",
                {"title": "", "steps": [{"type": "item", "value": {"title": "Bước", "text": ""}, "id": f"s{n}"}]},
            ),
            procedure_block(procedure),
            *lesson_body(checks=2, paragraphs=0),
        ]
    return body


def queries_for(client, url):
    client.get(url)  # renditions, site settings and the memos (elearning.pagecache) are made on the first views
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# An enrolled learner reading a lesson: the user and their permissions, routing (one query
# once the route is memoised), view restrictions, the course and its lessons, the visit
# write, the lesson's citations and tags, the enrolment and progress. The body's blocks (images,
# documents, procedures, legal documents, videos) come from the per-revision cache, the header
# and footer from the per-process memo (elearning.pagecache); it was 30 before both.
LESSON_QUERY_BUDGET = 17


def test_a_lesson_renders_in_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    from tests.factories.courses import EnrolmentFactory

    course = make_course(lessons=2, checks=0)
    small = LessonPageFactory(parent=course, body=rich_body(1), tags=["Một cửa"])
    large = LessonPageFactory(parent=course, body=rich_body(6), tags=["Một cửa", "Hộ tịch"])
    learner = EnrolmentFactory(course=course).user
    client.force_login(learner)

    small_queries = queries_for(client, small.url)
    assert queries_for(client, large.url) == small_queries
    with django_assert_max_num_queries(LESSON_QUERY_BUDGET):
        html = client.get(large.url).content.decode()
    assert html.count('class="knowledge-check"') == 12 and "Phần 5" in html  # the cached body, checks and all


def test_the_lesson_body_cache_keeps_the_learners_own_check_results(client):
    """The body's blocks are cached per revision; each learner still sees their own answers."""
    from tests.factories.courses import EnrolmentFactory, LessonProgressFactory

    course = make_course(lessons=0)
    check = check_block(explanation="<p>Giải thích riêng.</p>")
    lesson = LessonPageFactory(parent=course, body=[block("paragraph", "<p>Đoạn chung.</p>"), check])
    answered = LessonProgressFactory(
        lesson=lesson, enrolment=EnrolmentFactory(course=course), check_results={check["id"]: {"correct": True}}
    )
    other = EnrolmentFactory(course=course).user

    client.force_login(answered.user)
    first = client.get(lesson.url).content.decode()
    client.force_login(other)
    second = client.get(lesson.url).content.decode()

    assert "Đoạn chung." in first and "Đoạn chung." in second
    assert "Giải thích riêng." in first and "Giải thích riêng." not in second


def test_a_republished_lesson_shows_its_new_body_at_once(client):
    from tests.factories.courses import EnrolmentFactory

    course = make_course(lessons=0)
    lesson = LessonPageFactory(parent=course, body=[block("paragraph", "<p>Bản cũ.</p>")])
    client.force_login(EnrolmentFactory(course=course).user)
    assert "Bản cũ." in client.get(lesson.url).content.decode()

    lesson = LessonPage.objects.get(pk=lesson.pk)
    lesson.body = [block("paragraph", "<p>Bản mới.</p>")]
    lesson.save_revision().publish()

    html = client.get(lesson.url).content.decode()
    assert "Bản mới." in html and "Bản cũ." not in html


def test_a_course_page_renders_in_a_bounded_number_of_queries(client, settings):
    settings.PAGE_CACHE_ENABLED = False  # the render a cache miss pays (the cache: tests/elearning/test_pagecache.py)
    course = make_course(lessons=1, tags=["Một cửa"], legal_documents=[LegalDocumentFactory()])
    with_one = queries_for(client, course.url)
    for _ in range(5):
        LessonPageFactory(parent=course)

    assert queries_for(client, course.url) == with_one


# --- Home page ----------------------------------------------------------------------------


def test_the_home_page_features_up_to_three_live_courses(client):
    index = CourseIndexPageFactory()
    for n in range(4):
        CoursePageFactory(parent=index, title=f"Khóa học nổi bật {n}")
    CoursePageFactory(parent=index, title="Khóa học nháp", live=False)

    html = client.get("/").content.decode()

    shown = [
        title for title in re.findall(r'class="card-title"><a href="[^"]*">([^<]*)</a>', html) if "Khóa học" in title
    ]
    assert shown == ["Khóa học nổi bật 3", "Khóa học nổi bật 2", "Khóa học nổi bật 1"]


def test_a_draft_is_not_searchable_before_it_is_published(client):
    course = CoursePageFactory(title="Khóa học đã xuất bản", summary="Nội dung công khai.")
    course.title = "Tiêu đề bản nháp bí mật"
    course.save_revision()

    assert "bi mat" not in CoursePage.objects.get(pk=course.pk).search_text
    assert titles_in_catalogue(client, "bi mat") == []

    CoursePage.objects.get(pk=course.pk).get_latest_revision().publish()
    assert titles_in_catalogue(client, "bi mat") == ["Tiêu đề bản nháp bí mật"]


def titles_in_catalogue(client, query):
    html = client.get("/khoa-hoc/", {"q": query}).content.decode()
    return re.findall(r'class="card-title"><a href="[^"]*">([^<]*)</a>', html)


def test_a_learner_sees_their_last_result_and_the_explanation_when_back_on_the_lesson(client):
    # check_results reach the blocks through the progress include (courses/includes/progress.html).
    from tests.factories.courses import LessonProgressFactory

    progress = LessonProgressFactory(lesson__body=[check_block(explanation="<p>Giải thích sau khi trả lời.</p>")])
    lesson = progress.lesson
    block_id = lesson.body[0].id
    other = LessonProgressFactory(enrolment__course=progress.enrolment.course, lesson=lesson)

    client.force_login(other.user)  # answered nothing yet
    assert "Giải thích sau khi trả lời." not in client.get(lesson.url).content.decode()

    progress.check_results = {block_id: {"choices": [1], "correct": True, "passed": True, "attempts": 1}}
    progress.save()
    client.force_login(progress.user)
    html = client.get(lesson.url).content.decode()

    assert "Giải thích sau khi trả lời." in html
    assert "badge-success" in html

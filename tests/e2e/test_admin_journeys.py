"""The admin side in a real browser, in Vietnamese: a trainer writes a lesson with a procedure
card and submits it for review, a reviewer approves it and it goes live; an organizer imports
a question bank spreadsheet and reads the report."""

import re

import pytest
from django.core.management import call_command

from courses.models import CourseIndexPage, LessonPage
from courses.services.trainers import ensure_review_workflow
from elearning import roles
from quizzes.models import Question, QuestionBank
from tests.factories.courses import ProcedureFactory, make_course
from tests.factories.elearning import user_with_role
from tests.factories.spreadsheets import xlsx_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("baseline")]
PASSWORD = "Mat-khau-2018"


def account(role):
    user = user_with_role(role)
    user.set_password(PASSWORD)
    user.save()
    return user


def admin_log_in(page, base, user):
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/admin/")


def test_trainer_writes_a_lesson_and_a_reviewer_approves_it(live_server, page, shot):
    course = make_course(lessons=1, slug="mot-cua", title="Cơ chế một cửa")
    procedure = ProcedureFactory(name="Đăng ký khai sinh")
    ensure_review_workflow(CourseIndexPage.objects.get())
    trainer = account(roles.TRAINER)
    call_command("grant_course_section", "mot-cua", "--group", "Giảng viên một cửa", "--user", trainer.username)
    reviewer = account(roles.REVIEWER)
    base = live_server.url

    admin_log_in(page, base, trainer)
    page.goto(f"{base}/admin/pages/add/courses/lessonpage/{course.pk}/")
    page.get_by_label(re.compile("^Tiêu đề")).first.fill("Tiếp nhận hồ sơ khai sinh")
    page.get_by_role("button", name="Chèn khối").first.click()
    shot("trainer-block-menu")
    page.get_by_role("option", name=re.compile("Thẻ thủ tục")).click()
    page.get_by_role("button", name="Chọn thủ tục hành chính").click()
    page.get_by_role("dialog").get_by_role("link", name=re.compile("Đăng ký khai sinh")).click()
    page.get_by_role("dialog").wait_for(state="hidden")
    shot("trainer-procedure-chosen")
    page.locator("footer button[data-w-dropdown-target='toggle']").first.click()
    shot("trainer-action-menu")
    page.get_by_role("button", name="Gửi duyệt: Duyệt nội dung khoá học").click()
    page.wait_for_load_state()
    shot("trainer-submitted")
    lesson = LessonPage.objects.get(title="Tiếp nhận hồ sơ khai sinh")
    assert not lesson.live and lesson.workflow_in_progress
    assert lesson.latest_revision.as_object().body[0].value["procedure"] == procedure

    page.context.clear_cookies()
    admin_log_in(page, base, reviewer)
    page.goto(f"{base}/admin/pages/{lesson.pk}/edit/")
    page.locator("footer button[data-w-dropdown-target='toggle']").first.click()
    shot("reviewer-action-menu")
    page.get_by_role("button", name="Phê duyệt và xuất bản", exact=True).click()  # the last step publishes
    page.wait_for_load_state()
    shot("reviewer-approved")
    lesson.refresh_from_db()
    assert lesson.live and not lesson.workflow_in_progress
    assert lesson.specific.body[0].value["procedure"] == procedure


HEADER = ("topic", "question", "kind", "A", "B", "C", "correct", "explanation", "tags")
GOOD = [
    (
        "Một cửa",
        "Bộ phận một cửa đặt ở đâu?",
        "single",
        "UBND xã",
        "Nhà văn hóa",
        "",
        "A",
        "Tại trụ sở UBND.",
        "mot-cua",
    ),
    ("Một cửa", "Hồ sơ trực tuyến nộp qua đâu?", "single", "Cổng dịch vụ công", "Thư tay", "", "A", "", ""),
    ("ISO", "ISO 9001:2015 áp dụng cho?", "multiple", "Cấp huyện", "Cấp xã", "Không ai", "A,B", "", "iso"),
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(page, bank, rows, name):
    page.locator("select[name=bank]").last.select_option(value=str(bank.pk))
    page.locator("input[type=file][name=file]").last.set_input_files(
        files=[{"name": name, "mimeType": XLSX, "buffer": xlsx_bytes(HEADER, *rows)}]
    )
    page.get_by_role("button", name="Kiểm tra tệp").last.click()
    page.wait_for_load_state()


def test_organizer_imports_a_question_bank_and_reads_the_report(live_server, page, shot):
    bank = QuestionBank.objects.create(title="Ngân hàng CCHC 2018", slug="cchc-2018")
    organizer = account(roles.ORGANIZER)
    base = live_server.url
    admin_log_in(page, base, organizer)

    page.goto(f"{base}/admin/contest/banks/import/")
    bad = [*GOOD[:2], ("ISO", "Câu hỏi thiếu đáp án đúng?", "single", "Một", "Hai", "", "", "", "")]
    upload(page, bank, bad, "ngan-hang-loi.xlsx")
    report = page.locator("main").inner_text()
    assert "Chưa nhập gì: có 1 dòng sai" in report
    assert page.locator("tr.error").count() == 1 and "4" in page.locator("tr.error td").first.inner_text()
    shot("organizer-bad-file")
    assert not Question.objects.filter(bank=bank).exists()  # all or nothing

    upload(page, bank, GOOD, "ngan-hang.xlsx")  # the corrected file, from the same page
    shot("organizer-preview")
    page.get_by_role("button", name="Nhập các câu hỏi này").click()
    page.wait_for_load_state()
    assert "3" in page.locator("main").inner_text()
    shot("organizer-report")
    assert Question.objects.filter(bank=bank).count() == 3

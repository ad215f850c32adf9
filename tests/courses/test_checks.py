"""Knowledge checks: graded on the server, never telling the right answer before the learner
has answered, only for enrolled learners, each learner's answers their own."""

import pytest
from django.urls import reverse

from courses.models import Enrolment, LessonProgress
from courses.services.checks import CheckError, answer_check, parse_choices
from courses.services.progress import ProgressError, enrol
from tests.factories.courses import CoursePageFactory, LessonPageFactory, block, check_block
from tests.factories.elearning import OfficialFactory

pytestmark = pytest.mark.django_db

EXPLANATION = "Cổng dịch vụ công tiếp nhận hồ sơ 24/7."


@pytest.fixture
def lesson():
    course = CoursePageFactory(pass_mark=50)
    return LessonPageFactory(
        parent=course,
        body=[
            block("paragraph", "<p>Hồ sơ trực tuyến.</p>"),
            check_block(explanation=f"<p>{EXPLANATION}</p>"),
            check_block(
                question="Những kênh nào trả kết quả?",
                kind="multiple",
                choices=(("Bưu chính công ích", True), ("Mạng xã hội", False), ("Tại Bộ phận Một cửa", True)),
                explanation="<p>Bưu chính hoặc tại quầy.</p>",
            ),
        ],
    )


@pytest.fixture
def learner(lesson):
    user = OfficialFactory().user
    enrol(user, lesson.get_parent().specific)
    return user


def check_ids(lesson):
    return list(lesson.knowledge_checks())


def check_url(lesson, block_id):
    return reverse("courses:check", kwargs={"lesson_id": lesson.pk, "block_id": block_id})


def results_of(user, lesson):
    row = LessonProgress.objects.filter(user=user, lesson=lesson).first()
    return row.check_results if row else {}


def test_right_answer_is_graded_correct_and_counts_at_first_try(lesson, learner):
    single, _multiple = check_ids(lesson)
    outcome = answer_check(learner, lesson, single, ["1"])
    assert outcome.state.correct and outcome.state.passed
    stored = results_of(learner, lesson)[single]
    assert stored["first_correct"] is True and stored["attempts"] == 1 and stored["choices"] == [1]


def test_wrong_answer_can_be_retried_but_the_first_try_stays_wrong(lesson, learner):
    single, _multiple = check_ids(lesson)
    wrong = answer_check(learner, lesson, single, ["0"])
    assert not wrong.state.correct and not wrong.state.passed
    assert wrong.state.correct_choices == ()  # a wrong answer does not give the right one away
    right = answer_check(learner, lesson, single, ["1"])
    assert right.state.passed and right.state.correct_choices == (1,)
    stored = results_of(learner, lesson)[single]
    assert stored["first_correct"] is False and stored["attempts"] == 2


def test_multiple_answers_are_all_or_nothing(lesson, learner):
    _single, multiple = check_ids(lesson)
    assert not answer_check(learner, lesson, multiple, ["0"]).state.correct
    assert not answer_check(learner, lesson, multiple, ["0", "1", "2"]).state.correct
    assert answer_check(learner, lesson, multiple, ["2", "0"]).state.correct


def test_answers_after_passing_change_nothing(lesson, learner):
    single, _multiple = check_ids(lesson)
    answer_check(learner, lesson, single, ["1"])
    before = results_of(learner, lesson)[single]
    outcome = answer_check(learner, lesson, single, ["0"])
    assert outcome.already_passed and outcome.state.passed
    assert results_of(learner, lesson)[single] == before


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ([], "no_choice"),
        ([""], "no_choice"),
        (["7"], "invalid_choice"),
        (["-1"], "invalid_choice"),
        (["a"], "invalid_choice"),
        (["0", "1"], "one_answer"),
    ],
)
def test_malformed_answers_are_refused(lesson, values, code):
    check = lesson.get_check(check_ids(lesson)[0])
    with pytest.raises(CheckError) as error:
        parse_choices(values, check)
    assert error.value.code == code


def check_sections(html):
    sections, start = [], html.find('<section class="knowledge-check"')
    while start != -1:
        end = html.index("</section>", start)
        sections.append(html[start:end])
        start = html.find('<section class="knowledge-check"', end)
    return sections


def test_lesson_page_before_answering_says_nothing_about_correctness(client, lesson, learner):
    client.force_login(learner)
    html = client.get(lesson.url).content.decode()
    sections = check_sections(html)
    assert len(sections) == 2
    assert "Mọi lúc, kể cả ngày nghỉ" in sections[0]  # the choices are there…
    assert EXPLANATION not in html  # …but not the explanation,
    for section in sections:
        assert "badge" not in section  # nor any verdict,
        assert "correct" not in section.lower()  # nor a "correct" flag in the markup,
        assert "checked" not in section  # nor a preselected choice


def test_posting_an_answer_redirects_back_with_the_verdict_and_explanation(client, lesson, learner):
    single, _multiple = check_ids(lesson)
    client.force_login(learner)
    response = client.post(check_url(lesson, single), {"choices": "0"})
    assert response.status_code == 302
    assert response["Location"] == f"{lesson.url}#check-{single}"
    html = client.get(lesson.url).content.decode()
    assert EXPLANATION in html
    assert "badge-warning" in html  # wrong: try again


def test_a_bad_answer_over_http_records_nothing(client, lesson, learner):
    single, _multiple = check_ids(lesson)
    client.force_login(learner)
    response = client.post(check_url(lesson, single), {"choices": "9"}, follow=True)
    assert [message.level_tag for message in response.context["messages"]] == ["error"]
    assert results_of(learner, lesson) == {}


def test_not_enrolled_learner_is_refused_and_nothing_is_recorded(client, lesson):
    outsider = OfficialFactory().user
    client.force_login(outsider)
    response = client.post(check_url(lesson, check_ids(lesson)[0]), {"choices": "1"})
    assert response.status_code == 403
    assert not LessonProgress.objects.filter(user=outsider).exists()
    assert not Enrolment.objects.filter(user=outsider).exists()
    with pytest.raises(ProgressError):
        answer_check(outsider, lesson, check_ids(lesson)[0], ["1"])


def test_anonymous_visitor_is_sent_to_log_in_and_back_to_the_lesson(client, lesson):
    response = client.post(check_url(lesson, check_ids(lesson)[0]), {"choices": "1"})
    assert response.status_code == 302
    assert reverse("login") in response["Location"] and "next=" in response["Location"]
    assert not LessonProgress.objects.exists()


def test_unknown_check_or_check_of_another_lesson_is_404(client, lesson, learner):
    other = LessonPageFactory(parent=lesson.get_parent())
    client.force_login(learner)
    assert client.post(check_url(lesson, "no-such-block"), {"choices": "1"}).status_code == 404
    foreign = next(iter(other.knowledge_checks()))
    assert client.post(check_url(lesson, foreign), {"choices": "1"}).status_code == 404
    assert client.get(check_url(lesson, check_ids(lesson)[0])).status_code == 405


def test_unpublished_lesson_takes_no_answers(client, lesson, learner):
    lesson.unpublish()
    client.force_login(learner)
    assert client.post(check_url(lesson, check_ids(lesson)[0]), {"choices": "1"}).status_code == 404


def test_one_learners_answers_never_touch_or_show_for_another(client, lesson, learner):
    single, _multiple = check_ids(lesson)
    other = OfficialFactory().user
    enrol(other, lesson.get_parent().specific)
    answer_check(other, lesson, single, ["0"])
    client.force_login(learner)
    client.post(check_url(lesson, single), {"choices": "1"})
    assert results_of(other, lesson)[single]["correct"] is False
    assert results_of(other, lesson)[single]["attempts"] == 1
    client.force_login(other)
    html = client.get(lesson.url).content.decode()
    assert "badge-warning" in html and "badge-success" not in html  # their own wrong answer only


def test_json_answer_for_the_script(client, lesson, learner):
    single, _multiple = check_ids(lesson)
    client.force_login(learner)
    response = client.post(check_url(lesson, single), {"choices": "1"}, headers={"Accept": "application/json"})
    data = response.json()
    assert data["correct"] is True and data["correct_choices"] == [1] and EXPLANATION in data["explanation"]
    bad = client.post(check_url(lesson, single), {"choices": "x"}, headers={"Accept": "application/json"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_choice"
    outsider = OfficialFactory().user
    client.force_login(outsider)
    refused = client.post(check_url(lesson, single), {"choices": "1"}, headers={"Accept": "application/json"})
    assert refused.status_code == 403 and refused.json()["code"] == "not_enrolled"
